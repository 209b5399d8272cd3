/**
 * The receipt printer as the kiosk reaches it: a queue of the OS print system (CUPS), fed a
 * PDF with `lp` (HARDWARE.md: "Receipt printer (PDF via the OS print system)"). The wizard
 * lists the queues, prints a test page made here with pdfkit and waits until CUPS has handed
 * it to the printer; whether it came out the installer proves by typing the check number
 * printed on it. `CUPS_SERVER` in the environment names another scheduler (tests start one).
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { err, ok, type Result } from '@amtomat/basics';
import { t } from './i18n.ts';
import { pdfDocument } from './report.ts';

export interface PrintSystem {
  /** The print queues set up (`lpstat -e`). */
  queues(): Promise<Result<string[], string>>;
  /** Sends a file to a queue; the job's id (`receipt-12`). */
  print(queue: string, file: string): Promise<Result<string, string>>;
  /** Whether CUPS has finished the job, and what it last said about the printer. */
  job(queue: string, id: string): Promise<Result<{ done: boolean; printer: string }, string>>;
  cancel(id: string): Promise<Result<void, string>>;
}

const run = (program: string, args: string[]) =>
  new Promise<Result<string, string>>((resolve) => {
    execFile(program, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(ok(stdout));
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const said = (stderr || error.message).trim().split('\n')[0] ?? '';
      resolve(err(missing ? t('printer.noCups', { program }) : t('printer.cupsSaid', { said })));
    });
  });

/** The print system through its command-line clients (package cups-client). */
export function cupsPrintSystem(): PrintSystem {
  return {
    async queues() {
      const listed = await run('lpstat', ['-e']);
      if (!listed.ok) {
        // lpstat exits 1 with "No destinations added." where no queue is set up yet.
        return /No destinations added/i.test(listed.error) ? ok([]) : listed;
      }
      return ok(listed.value.split('\n').filter((line) => line.trim() !== ''));
    },
    async print(queue, file) {
      const sent = await run('lp', ['-d', queue, '-t', t('printer.pageTitle'), '--', file]);
      if (!sent.ok) return sent;
      const id = /request id is (\S+)/.exec(sent.value)?.[1];
      return id ? ok(id) : err(t('printer.cupsSaid', { said: sent.value.trim() }));
    },
    async job(queue, id) {
      const pending = await run('lpstat', ['-W', 'not-completed', '-o', queue]);
      if (!pending.ok) return pending;
      const done = !pending.value.split('\n').some((line) => line.split(/\s+/)[0] === id);
      // The second line of `lpstat -l -p`: the printer's state message, e.g. "The printer
      // may not exist or is unavailable at this time."
      const state = await run('lpstat', ['-l', '-p', queue]);
      const printer = state.ok ? (state.value.split('\n')[1]?.trim() ?? '') : '';
      return ok({ done, printer: /:$/.test(printer) ? '' : printer });
    },
    async cancel(id) {
      const cancelled = await run('cancel', [id]);
      return cancelled.ok ? ok(undefined) : cancelled;
    },
  };
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
