/**
 * The receipt printer's test page. The wizard reaches the printer as the kiosk does, through
 * the print system's client in locker-controller (`@amtomat/locker-controller/printer`): it
 * lists the queues, prints the test page made here with pdfkit and waits until CUPS has
 * handed it to the printer; whether it came out the installer proves by typing the check
 * number printed on it. `CUPS_SERVER` in the environment names another scheduler (tests
 * start one).
 */
import { randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { PrinterFault } from '@amtomat/locker-controller/printer';
import { t } from './i18n.ts';
import { pdfDocument } from './report.ts';

/** What the print system said, in the installer's words. */
export function printerFaultText(fault: PrinterFault): string {
  return fault.kind === 'no-print-system'
    ? t('printer.noCups', { program: fault.program })
    : t('printer.cupsSaid', { said: fault.said });
}

/** A check number for the page: four digits, never starting with 0 (typed back as read). */
export const checkNumber = () => String(randomInt(1000, 10_000));

/** 80 mm wide, like a receipt roll; the same PDF path the kiosk's receipts take. */
const RECEIPT = { width: 226.77, height: 200 };

export async function writeTestPage(
  path: string,
  page: { site: string; date: string; check: string },
): Promise<void> {
  const doc = await pdfDocument({ size: [RECEIPT.width, RECEIPT.height], margin: 14 });
  const written = new Promise<void>((resolve, reject) => {
    const stream = createWriteStream(path, { mode: 0o600 });
    stream.on('finish', resolve).on('error', reject);
    doc.pipe(stream);
  });
  doc.font('Helvetica-Bold').fontSize(13).text(t('printer.pageTitle'));
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(9).text(page.site);
  doc.text(page.date);
  doc.moveDown(0.8);
  doc.fontSize(9).text(t('printer.pageCheck'));
  doc.font('Helvetica-Bold').fontSize(30).text(page.check);
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(9).text(t('printer.pageHint'));
  doc.end();
  await written;
}
