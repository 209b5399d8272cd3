/**
 * The `Printer` port (DESIGN.md §4.1): where the kiosk's receipts go. A receipt is a PDF
 * (pdfkit, `receipt-pdf.ts`); the port takes its bytes and says whether the page came out,
 * or why not, as the print system's typed fault. Adapters: the OS print system (CUPS,
 * `cups-printer.ts`) on a terminal with a receipt printer, a folder (`folder-printer.ts`)
 * for the demo and for sites that collect receipts as files. Chosen by the site file's
 * `devices.printer` (`openPrinter`).
 */
import type { Result } from '@amtomat/basics';
import type { PrinterFault } from '@amtomat/locker-controller/printer';
import type { PrintFaultShown } from './types.ts';

export type { PrinterFault };

export interface Printer {
  /** For the log: `cups:QUEUE` or `folder`; never what is printed. */
  readonly name: string;
  /** Prints one PDF; resolves once the printer has taken it (or it is written). */
  print(pdf: Uint8Array): Promise<Result<void, PrinterFault>>;
}

export const shownFault = (fault: PrinterFault): PrintFaultShown =>
  fault.kind === 'no-print-system' ? 'missing' : fault.kind;
