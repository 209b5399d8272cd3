/**
 * The site file's JSON Schema, generated from the zod schema the kiosk validates with
 * (kiosk/src/service/config.ts), so an editor completes and checks site files by the same
 * rules the kiosk applies. `site-schema.test.ts` fails when the committed file drifts.
 *
 *   node installers/src/site-schema.ts     # rewrites installers/site.schema.json
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { siteConfigSchema } from '../../kiosk/src/service/config.ts';

export const SITE_SCHEMA_FILE = join(import.meta.dirname, '..', 'site.schema.json');

/** What an installer writes (`io: 'input'`): fields with a default are optional. */
export function siteJsonSchema(): string {
  const schema = z.toJSONSchema(siteConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    // Refinements (a known time zone, labels that exist) cannot be expressed; the kiosk
    // still checks them at start.
    unrepresentable: 'any',
  });
  const document = {
    title: 'Amt-O-Mat site file',
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(SITE_SCHEMA_FILE, siteJsonSchema());
  // In the repository's format, so `biome ci` stays clean after a regeneration.
  const biome = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'biome');
  execFileSync(biome, ['format', '--write', SITE_SCHEMA_FILE], { stdio: 'ignore' });
  console.log(`wrote ${SITE_SCHEMA_FILE}`);
}
