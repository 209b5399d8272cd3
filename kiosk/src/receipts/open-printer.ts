import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SiteConfig } from '../service/config.ts';
import { cupsPrinter } from './cups-printer.ts';
import { folderPrinter } from './folder-printer.ts';
import type { Printer } from './printer.ts';

/**
 * The site file's receipt printer (`devices.printer`): a CUPS queue, a folder (relative to
 * the data folder, created here once; one that disappears later is a missing printer), or
 * none (the receipt screens then offer no printing).
 */
export function openPrinter(
  config: SiteConfig['devices']['printer'],
  dataDir: string,
  now: () => number,
): Printer | undefined {
  switch (config.kind) {
    case 'cups':
      return cupsPrinter({ queue: config.queue });
    case 'folder': {
      const dir = resolve(dataDir, config.dir);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return folderPrinter(dir, now);
    }
    case 'none':
      return undefined;
  }
}
