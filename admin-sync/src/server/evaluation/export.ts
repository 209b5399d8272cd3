/**
 * The research export (issue #13): a Frictionless Data Package v2 in a folder —
 * `datapackage.json` and one CSV per table, each with its Table Schema: the KPIs (long
 * format, small cells suppressed), the parameters with their sources, the codebook in
 * German and English, and the terminals. The package names the software version and the
 * suppression rule applied. Only aggregates leave: no event, no pseudonym, no reference.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import packageJson from '../../../package.json' with { type: 'json' };
import type { SqlQueryable } from '../storage/driver.ts';
import type { EvaluationConfig } from './config.ts';
import {
  BAND_KM,
  computeKpis,
  KPI_DEFINITIONS,
  type KpiRow,
  REACH_TARGETS,
  USES_PER_DEVICE_DAY_TARGET,
  USES_PER_WEEK_TARGET,
} from './kpis.ts';
import { writeEvaluationReport } from './report.ts';
import { suppressionRule, suppressSmallCells } from './suppression.ts';

export const REPORT_FILE = 'report.pdf';

export const SOFTWARE = { name: 'amtomat-fleet-server', version: packageJson.version };
export const DATA_PACKAGE_PROFILE = 'https://datapackage.org/profiles/2.0/datapackage.json';

type Cell = string | number | boolean | null;
interface Field {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date';
  description: string;
  constraints?: { required?: boolean; enum?: string[] };
}
interface Table {
  name: string;
  title: string;
  fields: Field[];
  primaryKey: string[];
  rows: Cell[][];
}

const csvCell = (value: Cell) => {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};
/** RFC 4180: comma, CRLF, double quotes where needed; empty = missing. */
export const toCsv = (fields: readonly Field[], rows: readonly Cell[][]) =>
  `${[fields.map((f) => f.name), ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;

const KPI_FIELDS: Field[] = [
  {
    name: 'kpi',
    type: 'string',
    description: 'KPI id (codebook)',
    constraints: { required: true, enum: KPI_DEFINITIONS.map((d) => d.id) },
  },
  {
    name: 'scope',
    type: 'string',
    description: 'total, terminal, site or service',
    constraints: { required: true, enum: ['total', 'terminal', 'site', 'service'] },
  },
  {
    name: 'scope_id',
    type: 'string',
    description: "'all', the terminal's name, the site's name or the service id",
    constraints: { required: true },
  },
  {
    name: 'period_kind',
    type: 'string',
    description: 'week (ISO 8601), month or total (the whole export period)',
    constraints: { required: true, enum: ['week', 'month', 'total'] },
  },
  {
    name: 'period',
    type: 'string',
    description: 'e.g. 2026-W05, 2026-05, 2026-01-01/2026-12-31',
    constraints: { required: true },
  },
  { name: 'breakdown', type: 'string', description: "a sub-division, e.g. step=code; '' if none" },
  {
    name: 'value',
    type: 'number',
    description: 'the figure in the unit of the codebook; empty when suppressed or not defined',
  },
  {
    name: 'n',
    type: 'integer',
    description: 'the count the figure rests on; empty when suppressed',
  },
  { name: 'target', type: 'number', description: "the district's target for this figure, if any" },
  {
    name: 'flag',
    type: 'string',
    description:
      'space-separated marks: from-month-4 (counted from the 4th month after installation); ' +
      'partial-week (fewer than 7 days of the week in the period or with a terminal installed)',
  },
  {
    name: 'suppressed',
    type: 'boolean',
    description: 'true: a small cell (or one that would reveal it), value and n withheld',
    constraints: { required: true },
  },
];

function kpiTable(rows: readonly KpiRow[]): Table {
  const order = new Map(KPI_DEFINITIONS.map((d, i) => [d.id, i]));
  const sorted = [...rows].sort(
    (a, b) =>
      (order.get(a.kpi) ?? 0) - (order.get(b.kpi) ?? 0) ||
      a.scope.localeCompare(b.scope) ||
      a.scopeId.localeCompare(b.scopeId) ||
      a.periodKind.localeCompare(b.periodKind) ||
      a.period.localeCompare(b.period) ||
      a.breakdown.localeCompare(b.breakdown),
  );
  return {
    name: 'kpis',
    title: 'KPIs / Kennzahlen',
    fields: KPI_FIELDS,
    primaryKey: ['kpi', 'breakdown', 'scope', 'scope_id', 'period_kind', 'period'],
    rows: sorted.map((r) => [
      r.kpi,
      r.scope,
      r.scopeId,
      r.periodKind,
      r.period,
      r.breakdown,
      r.value,
      r.n,
      r.target,
      r.flag,
      r.suppressed,
    ]),
  };
}

function parameterRows(config: EvaluationConfig, threshold: number): Cell[][] {
  const { detourFactor, co2GramsPerCarKm } = config.parameters;
  return [
    ['detour-factor', detourFactor.value, 'factor', detourFactor.source],
    ['co2-grams-per-car-km', co2GramsPerCarKm.value, 'g CO2e/km', co2GramsPerCarKm.source],
    ...Object.entries(BAND_KM).map(([band, km]): Cell[] => [
      `distance-band-km:${band}`,
      km,
      'km one way',
      'Middle of the survey band (50+: 60 km); own assumption of the project',
    ]),
    [
      'target:uses-per-week',
      USES_PER_WEEK_TARGET,
      'uses/week',
      "The district's KPI table (seed documents)",
    ],
    [
      'target:uses-per-device-day',
      USES_PER_DEVICE_DAY_TARGET,
      'uses/day',
      "The district's KPI table, from the 4th month after installation",
    ],
    ...REACH_TARGETS.map((target, i): Cell[] => [
      `target:parcel-reach-year-${i + 1}`,
      target,
      'share',
      "The district's KPI table: parcel stations",
    ]),
    [
      'suppression-threshold',
      threshold,
      'count',
      'Configured (default 5; 3 is the minimum of German official statistics)',
    ],
  ];
}

function codebookRows(config: EvaluationConfig): Cell[][] {
  return [
    ...KPI_DEFINITIONS.map((d): Cell[] => ['kpi', d.id, d.unit, d.de, d.en]),
    [
      'parameter',
      'detour-factor',
      'factor',
      'Umwegfaktor Straße gegenüber Luftlinie',
      'Road vs straight-line distance',
    ],
    [
      'parameter',
      'co2-grams-per-car-km',
      'g CO2e/km',
      'Treibhausgase je Pkw-Kilometer',
      'Greenhouse gases per car kilometre',
    ],
    [
      'parameter',
      'distance-band-km',
      'km',
      'Angenommene einfache Wegstrecke je Entfernungsband der Befragung',
      'Assumed one-way distance per survey distance band',
    ],
    [
      'parameter',
      'suppression-threshold',
      'count',
      'Schwelle der Geheimhaltung kleiner Fallzahlen',
      'Threshold of small-cell suppression',
    ],
    ...Object.entries(config.sites)
      .filter(([, site]) => site.residentsSource)
      .map(([name, site]): Cell[] => [
        'source',
        `residents:${name}`,
        'people',
        `Einwohner im Umkreis von 1 km: ${site.residentsSource}`,
        `Residents within 1 km: ${site.residentsSource}`,
      ]),
  ];
}

export interface ExportInput {
  from: string;
  to: string;
  out: string;
  config: EvaluationConfig;
  /** When the package is made (ISO time in `created`). */
  now: number;
}

/** Writes the package into `out` (created if missing); returns the files written. */
export async function exportEvaluation(
  sql: SqlQueryable,
  input: ExportInput,
): Promise<Result<{ files: string[]; rows: number; suppressed: number }, string>> {
  if (!(input.from <= input.to)) return err(`--from ${input.from} is after --to ${input.to}`);
  const threshold = input.config.suppressionThreshold;
  const computed = await computeKpis(sql, input);
  const rows = suppressSmallCells(computed.rows, computed.groups, threshold);
  const tables: Table[] = [
    kpiTable(rows),
    {
      name: 'parameters',
      title: 'Parameters and their sources / Parameter und Quellen',
      fields: [
        {
          name: 'parameter',
          type: 'string',
          description: 'parameter id',
          constraints: { required: true },
        },
        { name: 'value', type: 'number', description: 'value', constraints: { required: true } },
        { name: 'unit', type: 'string', description: 'unit' },
        {
          name: 'source',
          type: 'string',
          description: 'where the value comes from',
          constraints: { required: true },
        },
      ],
      primaryKey: ['parameter'],
      rows: parameterRows(input.config, threshold),
    },
    {
      name: 'codebook',
      title: 'Codebook / Codebuch (de, en)',
      fields: [
        {
          name: 'entry',
          type: 'string',
          description: 'kpi, parameter or source',
          constraints: { required: true, enum: ['kpi', 'parameter', 'source'] },
        },
        {
          name: 'id',
          type: 'string',
          description: 'KPI or parameter id',
          constraints: { required: true },
        },
        { name: 'unit', type: 'string', description: 'unit' },
        {
          name: 'definition_de',
          type: 'string',
          description: 'Definition (Deutsch)',
          constraints: { required: true },
        },
        {
          name: 'definition_en',
          type: 'string',
          description: 'Definition (English)',
          constraints: { required: true },
        },
      ],
      primaryKey: ['entry', 'id'],
      rows: codebookRows(input.config),
    },
    {
      name: 'terminals',
      title: 'Terminals / Terminals',
      fields: [
        {
          name: 'terminal',
          type: 'string',
          description: "the terminal's name",
          constraints: { required: true },
        },
        { name: 'site', type: 'string', description: 'the site', constraints: { required: true } },
        {
          name: 'installed_on',
          type: 'date',
          description: 'installation date (counting from here)',
          constraints: { required: true },
        },
      ],
      primaryKey: ['terminal'],
      rows: computed.terminals.map((t) => [t.label, t.site, t.installedOn]),
    },
  ];

  try {
    mkdirSync(input.out, { recursive: true });
  } catch (error) {
    return err(
      `cannot create ${input.out} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check --out`,
    );
  }
  const files: string[] = [];
  const resources = tables.map((table) => {
    const text = toCsv(table.fields, table.rows);
    const path = `${table.name}.csv`;
    writeFileSync(join(input.out, path), text);
    files.push(path);
    return {
      name: table.name,
      title: table.title,
      type: 'table',
      path,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      bytes: Buffer.byteLength(text),
      hash: `sha256:${createHash('sha256').update(text).digest('hex')}`,
      dialect: { delimiter: ',', lineTerminator: '\r\n', quoteChar: '"', header: true },
      schema: {
        fields: table.fields,
        missingValues: [''],
        primaryKey: table.primaryKey,
      },
    };
  });
  const rule = suppressionRule(threshold);
  const descriptor = {
    $schema: DATA_PACKAGE_PROFILE,
    name: `amtomat-evaluation-${input.from}-${input.to}`,
    title: `Amt-O-Mat evaluation ${input.from} – ${input.to}`,
    description:
      'Usage KPIs of the self-service terminals and parcel stations, aggregated per terminal, ' +
      'site, service, ISO week, month and in total; small cells suppressed. ' +
      'Nutzungskennzahlen der Amt-O-Maten und Paketstationen, aggregiert; kleine Fallzahlen unterdrückt.',
    version: SOFTWARE.version,
    created: new Date(input.now).toISOString(),
    keywords: ['e-government', 'self-service terminal', 'parcel station', 'evaluation'],
    amtomat: {
      software: SOFTWARE,
      period: { from: input.from, to: input.to, timeZone: input.config.timeZone },
      suppression: { threshold, rule },
    },
    resources,
  };
  writeFileSync(join(input.out, 'datapackage.json'), `${JSON.stringify(descriptor, null, 2)}\n`);
  files.push('datapackage.json');
  // The report for people, beside the package (not a resource of it: no table).
  await writeEvaluationReport(join(input.out, REPORT_FILE), {
    from: input.from,
    to: input.to,
    software: SOFTWARE,
    created: descriptor.created,
    threshold,
    rule: rule.de,
    rows,
    parameters: parameterRows(input.config, threshold),
  });
  files.push(REPORT_FILE);
  return ok({ files, rows: rows.length, suppressed: rows.filter((r) => r.suppressed).length });
}
