/**
 * The card reader and the scanner as the wizard tests them: the real HID decoders, on a real
 * device (by vendor:product) or, where no device exists (simulators, tests), on the fake HID
 * devices of hardware-mocks fed through a control socket: `tap UID` / `scan TEXT` lines.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { err, ok, type Result } from '@amtomat/basics';
import {
  type CardReader,
  createHidCardReader,
  createHidPosScanner,
  HID_POS_USAGE_PAGE,
  type HidSelector,
  openHidDevice,
  type Scanner,
} from '@amtomat/locker-controller/devices';
import { t } from './i18n.ts';

export interface DeviceSource {
  cardReader(selector: HidSelector | undefined): Promise<Result<CardReader, string>>;
  scanner(selector: HidSelector | undefined): Promise<Result<Scanner, string>>;
  /** True when the devices are simulated (no vendor:product to ask for). */
  readonly simulated: boolean;
  close(): Promise<void>;
}

const openFailure = (
  kind: 'cardReader' | 'scanner',
  error: { kind: string; hint?: string; message?: string },
) => {
  const device = t(`device.${kind}`);
  return error.kind === 'not-found'
    ? t('device.notPlugged', { device })
    : t('device.cannotOpen', { device, why: error.hint ?? error.message ?? error.kind });
};

/** Real devices through node-hid. */
export function hidDevices(): DeviceSource {
  return {
    simulated: false,
    async cardReader(selector) {
      if (!selector) return err(t('device.needsId', { device: t('device.cardReader') }));
      const device = await openHidDevice(selector);
      if (!device.ok) return err(openFailure('cardReader', device.error));
      return ok(createHidCardReader(device.value));
    },
    async scanner(selector) {
      if (!selector) return err(t('device.needsId', { device: t('device.scanner') }));
      const device = await openHidDevice({ usagePage: HID_POS_USAGE_PAGE, ...selector });
      if (!device.ok) return err(openFailure('scanner', device.error));
      return ok(createHidPosScanner(device.value));
    },
    close: async () => undefined,
  };
}

/**
 * Simulated devices behind a Unix socket at `socketPath`: a line `tap 04A1B2C3` presents a
 * card, `scan PKG-1` scans a label. hardware-mocks is loaded only here (it is not in the
 * terminal's package).
 */
export async function simulatedDevices(socketPath: string): Promise<Result<DeviceSource, string>> {
  let mocks: typeof import('@amtomat/hardware-mocks');
  try {
    mocks = await import('@amtomat/hardware-mocks');
  } catch {
    return err(t('device.simulatedNeedsCheckout'));
  }
  const reader = mocks.createFakeCardReader();
  const scanner = mocks.createFakeScanner();
  rmSync(socketPath, { force: true });
  const server: Server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    createInterface({ input: socket }).on('line', (line) => {
      const [verb, value] = line.trim().split(/\s+/, 2);
      if (verb === 'tap' && value) reader.tap(value);
      if (verb === 'scan' && value) scanner.scan(value);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return ok({
    simulated: true,
    cardReader: async () => ok(reader.reader),
    scanner: async () => ok(scanner.scanner),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  });
}

/** `08ff:0035` → a selector; the installer reads it from `lsusb`. */
export function parseUsbId(text: string): HidSelector | undefined {
  const match = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(text.trim());
  if (!match) return undefined;
  return { vendorId: Number.parseInt(match[1]!, 16), productId: Number.parseInt(match[2]!, 16) };
}
