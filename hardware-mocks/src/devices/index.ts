export { CUPSD, type Cups, hasCups, startCups, switchedOffPrinterUri } from './cups-scheduler.ts';
export {
  createFakeCardReader,
  encodeBootKeyboardReports,
  type FakeCardReader,
} from './fake-card-reader.ts';
export { FakeHidDevice } from './fake-hid-device.ts';
export { createFakeScanner, encodeHidPosReports, type FakeScanner } from './fake-scanner.ts';
export { type NetworkPrinter, startNetworkPrinter } from './network-printer.ts';
