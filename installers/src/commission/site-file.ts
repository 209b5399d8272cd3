/**
 * How the commissioning writes the site file: validated by the kiosk's own loader (so the
 * installer reads the same one-line message the kiosk would print, naming doors by label),
 * and atomically — a temporary file beside the target, flushed to disk, then renamed over
 * it — so an interruption (Ctrl-C, a power cut) leaves the old file or the new one, never
 * half of one. The commissioning wizard (issue #14, not built yet) is to write through it.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import { loadSiteConfig, type SiteConfig } from '../../../kiosk/src/service/config.ts';
import { t } from './i18n.ts';

export function writeSiteFile(path: string, site: unknown): Result<SiteConfig, string> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeDurably(temporary, `${JSON.stringify(site, null, 2)}\n`);
    const checked = loadSiteConfig(temporary);
    if (!checked.ok) return err(checked.error.replace(temporary, path));
    renameSync(temporary, path);
    return ok(checked.value);
  } catch (error) {
    return err(t('siteFile.cannotWrite', { path, message: (error as Error).message }));
  } finally {
    rmSync(temporary, { force: true });
  }
}

function writeDurably(path: string, text: string) {
  const fd = openSync(path, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
