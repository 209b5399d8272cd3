/**
 * A printer that writes each receipt as a PDF file into a folder: the demo's printer (open
 * the folder to see what a citizen would take away) and a site's choice where receipts are
 * collected as files. The folder must exist (the kiosk does not create it: a folder that is
 * gone is a printer that is gone, `missing`); a file is written under a temporary name and
 * renamed, so a reader never sees half a receipt.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok } from '@amtomat/basics';
import type { Printer } from './printer.ts';

export function folderPrinter(dir: string, now: () => number = Date.now): Printer {
  return {
    name: 'folder',
    async print(pdf) {
      const there = await stat(dir).catch(() => null);
      if (!there?.isDirectory()) return err({ kind: 'missing', said: `no folder ${dir}` });
      const name = `receipt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.pdf`;
      const temporary = join(dir, `.${name}.tmp`);
      try {
        await writeFile(temporary, pdf, { mode: 0o644 });
        await rename(temporary, join(dir, name));
        return ok(undefined);
      } catch (error) {
        await rm(temporary, { force: true });
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        // A full disk is this printer's empty paper roll.
        return err(
          code === 'ENOSPC'
            ? { kind: 'out-of-paper', said: `${dir}: no space left` }
            : { kind: 'failed', said: `${dir}: ${code}` },
        );
      }
    },
  };
}
