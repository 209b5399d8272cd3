/**
 * The research export (issue #13): a simulated stretch of terminals goes through the
 * server's event path, the export writes a Data Package v2 that validates against the
 * profiles (profiles/*.json, checked with ajv), every CSV row validates against its Table
 * Schema, published differences reveal no small cell, and SQLite and PostgreSQL export the
 * same figures.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { EvaluationConfigSchema } from './config.ts';
import { exportEvaluation } from './export.ts';
import { computeKpis } from './kpis.ts';
import { simulateEvaluation } from './simulate.ts';

const PROFILES = join(import.meta.dirname, 'profiles');
const profile = (name: string) => JSON.parse(readFileSync(join(PROFILES, name), 'utf8')) as object;
const PERIOD = { from: '2026-01-01', to: '2026-03-31' };

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

interface SchemaField {
  name: string;
  type: string;
  constraints?: { required?: boolean; enum?: string[] };
}
const CASTS: Record<string, (text: string) => unknown> = {
  string: (t) => t,
  integer: (t) => (/^-?\d+$/.test(t) ? Number(t) : `not an integer: ${t}`),
  number: (t) => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : `not a number: ${t}`),
  boolean: (t) => (t === 'true' ? true : t === 'false' ? false : `not a boolean: ${t}`),
  date: (t) => t,
};
/** A JSON Schema for one row of a Table Schema, after casting each cell by its type. */
function rowSchema(fields: SchemaField[]) {
  const json: Record<string, string> = {
    string: 'string',
    integer: 'integer',
    number: 'number',
    boolean: 'boolean',
    date: 'string',
  };
  return {
    type: 'object',
    additionalProperties: false,
    required: fields.filter((f) => f.constraints?.required).map((f) => f.name),
    properties: Object.fromEntries(
      fields.map((f) => [
        f.name,
        {
          type: json[f.type],
          ...(f.constraints?.enum && { enum: f.constraints.enum }),
          ...(f.type === 'date' && { pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
        },
      ]),
    ),
  };
}

interface Descriptor {
  amtomat: {
    suppression: { threshold: number; rule: { de: string } };
    software: { version: string };
  };
  resources: {
    name: string;
    path: string;
    schema: { fields: SchemaField[]; primaryKey: string[] };
  }[];
}

async function fill(storage: FleetStorage) {
  const simulated = await simulateEvaluation(storage, {
    ...PERIOD,
    terminals: 3,
    seed: 7,
    statusReports: false,
  });
  return EvaluationConfigSchema.parse(simulated.config);
}

describe('evaluation export (Data Package v2)', () => {
  const results: Record<string, string> = {};
  const adapters = storageAdapters();
  before(async () => {
    for (const adapter of adapters) await adapter.setup();
  });
  after(async () => {
    for (const adapter of adapters) await adapter.teardown();
  });

  for (const adapter of adapters) {
    test(`${adapter.name}: the package and every CSV validate; nothing small is revealed`, async () => {
      const storage = await adapter.open();
      const out = mkdtempSync(join(tmpdir(), 'eval-export-'));
      try {
        const config = await fill(storage);
        const exported = await exportEvaluation(storage.sql, {
          ...PERIOD,
          out,
          config,
          now: Date.UTC(2026, 3, 1),
        });
        assert.ok(exported.ok, exported.ok ? '' : exported.error);
        const ajv = new Ajv({ allErrors: true, validateFormats: false });
        ajv.addSchema(profile('tableschema.json'), 'tableschema.json');
        ajv.addSchema(profile('dataresource.json'), 'dataresource.json');
        const validate = ajv.compile(profile('datapackage.json'));
        const descriptor = JSON.parse(
          readFileSync(join(out, 'datapackage.json'), 'utf8'),
        ) as Descriptor;
        assert.ok(validate({ ...descriptor }), JSON.stringify(validate.errors));
        assert.equal(validate({ ...descriptor, resources: [] }), false, 'the profile can fail');
        assert.equal(descriptor.amtomat.suppression.threshold, 5);
        assert.match(descriptor.amtomat.suppression.rule.de, /unterdrückt/);
        assert.match(descriptor.amtomat.software.version, /^\d+\.\d+\.\d+/);
        const names = descriptor.resources.map((r) => r.name);
        assert.deepEqual(names, ['kpis', 'parameters', 'codebook', 'terminals']);
        for (const resource of descriptor.resources as {
          path: string;
          schema: { fields: SchemaField[]; primaryKey: string[] };
        }[]) {
          const text = readFileSync(join(out, resource.path), 'utf8');
          const [header, ...rows] = parseCsv(text);
          const fields = resource.schema.fields;
          assert.deepEqual(
            header,
            fields.map((f) => f.name),
            resource.path,
          );
          const check = ajv.compile(rowSchema(fields));
          const keys = new Set<string>();
          for (const [i, row] of rows.entries()) {
            const object = Object.fromEntries(
              row.flatMap((cell, j) =>
                cell === '' ? [] : [[fields[j]!.name, CASTS[fields[j]!.type]!(cell)]],
              ),
            );
            assert.ok(
              check(object),
              `${resource.path} row ${i + 2}: ${JSON.stringify(check.errors)}`,
            );
            const key = resource.schema.primaryKey.map((k) => row[header!.indexOf(k)]).join('|');
            assert.ok(!keys.has(key), `${resource.path}: primary key ${key} twice`);
            keys.add(key);
          }
        }
        // Codebook: every KPI defined in both languages; parameters with a source.
        const kpis = parseCsv(readFileSync(join(out, 'kpis.csv'), 'utf8')).slice(1);
        const codebook = parseCsv(readFileSync(join(out, 'codebook.csv'), 'utf8')).slice(1);
        for (const kpi of new Set(kpis.map((r) => r[0])))
          assert.ok(
            codebook.some((c) => c[1] === kpi),
            kpi,
          );
        // Suppressed cells are empty; published counts of people are 0 or ≥ 5.
        for (const r of kpis) {
          if (r[10] === 'true') assert.deepEqual([r[6], r[7]], ['', ''], r.join(','));
          if (r[10] === 'false' && r[7] !== '' && r[0] !== 'availability') {
            assert.ok(Number(r[7]) === 0 || Number(r[7]) >= 5, r.join(','));
          }
        }
        assert.ok(
          kpis.some((r) => r[10] === 'true'),
          'some cells are suppressed',
        );
        const total = kpis.find((r) => r[0] === 'uses' && r[1] === 'total' && r[3] === 'total');
        assert.ok(Number(total?.[6]) > 500, 'three months of three terminals: hundreds of uses');
        results[adapter.name] = JSON.stringify(
          (await computeKpis(storage.sql, { ...PERIOD, config })).rows.sort((a, b) =>
            JSON.stringify(a).localeCompare(JSON.stringify(b)),
          ),
        );
      } finally {
        await storage.close();
        rmSync(out, { recursive: true, force: true });
      }
    });
  }

  test('SQLite and PostgreSQL give the same KPIs for the same simulated data', () => {
    assert.ok(results.sqlite && results.postgres, 'both ran');
    assert.equal(results.sqlite, results.postgres);
  });
});
