/**
 * The receipt printer behind a CUPS queue: the PDF goes to a private temporary file, `lp`
 * sends it, and the kiosk waits until CUPS has handed it to the printer. A job the printer
 * did not take in time is cancelled: a receipt must not come out minutes later, in front of
 * the next person.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { err, ok } from '@amtomat/basics';
import { cupsPrintSystem, type PrintSystem, waitForJob } from '@amtomat/locker-controller/printer';
import type { Printer } from './printer.ts';

export interface CupsPrinterOptions {
  queue: string;
  /** Another scheduler (`CUPS_SERVER`); default: the system's. */
  server?: string;
  /** How long the printer may take to take the page (default 15 s). */
  waitMs?: number;
  /** The print system (default: CUPS' command-line clients). */
  system?: PrintSystem;
}

export function cupsPrinter(options: CupsPrinterOptions): Printer {
  const system =
    options.system ?? cupsPrintSystem(options.server ? { server: options.server } : {});
  return {
    name: `cups:${options.queue}`,
    async print(pdf) {
      const folder = await mkdtemp(join(tmpdir(), 'amtomat-receipt-'));
      try {
        const file = join(folder, 'receipt.pdf');
        await writeFile(file, pdf, { mode: 0o600 });
        const job = await system.print(options.queue, file, 'receipt');
        if (!job.ok) return job;
        const taken = await waitForJob(system, options.queue, job.value, {
          waitMs: options.waitMs ?? 15_000,
        });
        if (taken.ok) return ok(undefined);
        // If CUPS will not cancel it either, the fault said is still the one that matters.
        void (await system.cancel(job.value));
        return err(taken.error);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}
