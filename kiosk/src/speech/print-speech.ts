import type { PrintStatus } from '../receipts/types.ts';
import type { Words } from './speech-text.ts';

interface Printing {
  printer: boolean;
  print: PrintStatus | null;
}

/** The fault as the screen's error line says it; null without one. */
const faultKey = (print: PrintStatus | null) =>
  print === null || print === 'printing' || print === 'printed' ? null : `receipt.fault.${print}`;

/**
 * A receipt screen's printing in the screen's words: a fault as its error, "printing" or
 * "printed" as what it adds, and "print receipt" among its choices while it is offered.
 */
export function printSpeech({ printer, print }: Printing, w: Words) {
  const fault = faultKey(print);
  return {
    error: fault ? w.t(fault) : null,
    status: print === 'printing' || print === 'printed' ? w.t(`receipt.${print}`) : null,
    option: printer && print === null ? w.t('receipt.print') : null,
  };
}

/** What changed in the printing between two views of one screen, in words; null: nothing. */
export function printChange(before: unknown, after: unknown, w: Words): string | null {
  const status = (props: unknown) => (props as { print?: PrintStatus | null }).print ?? null;
  const now = status(after);
  if (now === null || now === status(before)) return null;
  return faultKey(now) ? w.t(faultKey(now)!) : w.t(`receipt.${now}`);
}
