/**
 * Printing a receipt: the page rendered in the session's language, handed to the site's
 * `Printer`, the outcome logged as a fact without personal data (what kind of receipt, which
 * printer, the fault and what the print system said; never a number on the page). Nothing
 * is stored: a printer fault changes nothing of what was done.
 */
import { err, type Logger, ok, type Result } from '@amtomat/basics';
import { type Printer, shownFault } from './printer.ts';
import { type ReceiptFonts, renderReceipt } from './receipt-pdf.ts';
import type { PrintFaultShown, ReceiptContent } from './types.ts';

export interface Receipts {
  print(content: ReceiptContent, language: string): Promise<Result<void, PrintFaultShown>>;
}

export interface ReceiptsDeps {
  printer: Printer;
  /** The site's name, printed at the top. */
  terminal: string;
  timeZone: string;
  now(): number;
  logger: Logger;
  /** Test seam: other font files (a missing font is a fault like any other). */
  fonts?: ReceiptFonts;
}

export function createReceipts(deps: ReceiptsDeps): Receipts {
  const { printer, logger } = deps;
  return {
    async print(content, language) {
      const page = {
        content,
        terminal: deps.terminal,
        at: deps.now(),
        timeZone: deps.timeZone,
        language,
      };
      const pdf = await renderReceipt(page, deps.fonts);
      if (!pdf.ok) {
        logger.log('error', 'receipts.render_failed', { receipt: content.kind, error: pdf.error });
        return err('failed');
      }
      const printed = await printer.print(pdf.value);
      if (printed.ok) {
        logger.log('info', 'receipts.printed', { receipt: content.kind, printer: printer.name });
        return ok(undefined);
      }
      const fault = printed.error;
      logger.log('warn', 'receipts.print_failed', {
        receipt: content.kind,
        printer: printer.name,
        fault: fault.kind,
        said: 'said' in fault ? fault.said : fault.program,
      });
      return err(shownFault(fault));
    },
  };
}
