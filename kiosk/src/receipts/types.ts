/**
 * What a receipt can say, and what the citizen is told when it does not come out: types
 * only (flows, the contract and the page import them; nothing of pdfkit or CUPS follows).
 */

/** What a receipt can say: never anything a person typed. */
export type ReceiptContent =
  /** `formTitle`: the form's title in every language of the catalogue. */
  | { kind: 'application'; formTitle: Record<string, string>; caseNumber: string }
  | { kind: 'drop-off'; receiptNumber: string; compartment: string };

/**
 * Why no receipt came out, as the citizen is told (a print system that is not installed is,
 * for the citizen, a printer that is not there).
 */
export type PrintFaultShown = 'missing' | 'offline' | 'out-of-paper' | 'failed';

/** A receipt screen's printing: asked, printed, or why not; null before "print". */
export type PrintStatus = 'printing' | 'printed' | PrintFaultShown;
