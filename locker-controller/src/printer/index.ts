export {
  type CupsOptions,
  clientFault,
  cupsPrintSystem,
  describePrinterFault,
  type PrinterFault,
  type PrinterFaultKind,
  type PrintSystem,
  parseQueueState,
  type QueueState,
  stateFault,
  type WaitOptions,
  waitForJob,
} from './cups.ts';
