/**
 * The published site schema is the kiosk's own: the committed file is what the zod schema
 * generates (run `node installers/src/site-schema.ts` after changing config.ts), every site
 * file points at it, and an editor's validator (ajv, as editors use) accepts what the kiosk
 * accepts and flags the same typos.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadSiteConfig } from '../../kiosk/src/service/config.ts';
import { SITE_SCHEMA_FILE, siteJsonSchema } from './site-schema.ts';

const SITES = join(import.meta.dirname, '..', 'sites');
const siteFiles = readdirSync(SITES).filter((name) => name.endsWith('.json'));
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
  readJson(SITE_SCHEMA_FILE) as object,
);

describe('the site schema', () => {
  test('the committed file is generated from the kiosk zod schema', () => {
    // Compared as data: the committed file is in biome's format.
    assert.deepEqual(
      readJson(SITE_SCHEMA_FILE),
      JSON.parse(siteJsonSchema()),
      'installers/site.schema.json is stale: run node installers/src/site-schema.ts',
    );
  });

  test('there are examples for a document terminal and a parcel station', () => {
    for (const name of ['demo.json', 'document-terminal.json', 'parcel-station.json']) {
      assert.ok(siteFiles.includes(name), name);
    }
  });

  for (const name of siteFiles) {
    test(`${name} points at the schema, and kiosk and schema both accept it`, () => {
      const raw = readJson(join(SITES, name)) as Record<string, unknown>;
      assert.equal(raw.$schema, '../site.schema.json');
      const loaded = loadSiteConfig(join(SITES, name));
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
      assert.ok(validate(raw), JSON.stringify(validate.errors));
    });
  }

  test('a misspelt field or a wrong size is flagged by the schema, as by the kiosk', () => {
    const demo = readJson(join(SITES, 'demo.json')) as {
      site: Record<string, unknown>;
      locker: { compartments: Record<string, unknown>[] };
    };
    const typo = structuredClone(demo);
    (typo as Record<string, unknown>).timer = {};
    assert.equal(validate(typo), false);
    assert.ok(validate.errors?.some((error) => error.keyword === 'additionalProperties'));

    const size = structuredClone(demo);
    size.locker.compartments[0]!.size = 'XXL';
    assert.equal(validate(size), false);
    assert.ok(
      validate.errors?.some((error) => error.instancePath === '/locker/compartments/0/size'),
    );
  });
});
