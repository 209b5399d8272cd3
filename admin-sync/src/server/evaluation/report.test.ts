/**
 * The PDF report (issue #13) read back with poppler's pdftotext: its KPI tables carry the
 * same numbers as the package's kpis.csv (the whole period, all terminals; the weekly uses
 * drawn in the first chart), suppressed cells as ".", and the method section names the
 * period, the software version, every parameter's source and the suppression rule.
 * Simulated data on SQLite (the figures' equality across databases is export.test.ts's).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { EvaluationConfigSchema } from './config.ts';
import { exportEvaluation, REPORT_FILE, SOFTWARE } from './export.ts';
import { simulateEvaluation } from './simulate.ts';

const adapter = storageAdapters().find((a) => a.name === 'sqlite')!;
const PERIOD = { from: '2026-01-01', to: '2026-03-31' };

/** kpis.csv as records (no quoted commas in the columns compared here). */
function csvRecords(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\r\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}
/** What the report prints for a CSV value: the value, or "." when suppressed. */
const shown = (row: Record<string, string>, column: string) =>
  row.suppressed === 'true' ? '.' : (row[column] ?? '');
const tokens = (line: string) => line.trim().split(/\s+/);

let out = '';
before(async () => {
  await adapter.setup();
  out = mkdtempSync(join(tmpdir(), 'eval-report-'));
});
after(async () => {
  rmSync(out, { recursive: true, force: true });
  await adapter.teardown();
});

test('the report has the numbers of kpis.csv and the method section', async () => {
  const storage = await adapter.open();
  let sources: string[] = [];
  try {
    const simulated = await simulateEvaluation(storage, {
      ...PERIOD,
      terminals: 3,
      seed: 11,
      statusReports: false,
    });
    const config = EvaluationConfigSchema.parse({
      ...simulated.config,
      parameters: {
        detourFactor: { value: 1.3, source: 'Ballou, Rahardja, Sakai 2002' },
        co2GramsPerCarKm: { value: 166, source: 'Umweltbundesamt, TREMOD 2022' },
      },
    });
    sources = Object.values(config.parameters).map((p) => p.source);
    const exported = await exportEvaluation(storage.sql, {
      ...PERIOD,
      out,
      config,
      now: Date.UTC(2026, 3, 1),
    });
    assert.ok(exported.ok);
    assert.ok(exported.value.files.includes(REPORT_FILE));
  } finally {
    await storage.close();
  }
  const text = execFileSync('pdftotext', ['-layout', join(out, REPORT_FILE), '-'], {
    encoding: 'utf8',
  });
  const lines = text.split('\n');
  const csv = csvRecords(readFileSync(join(out, 'kpis.csv'), 'utf8'));

  // The whole period, all terminals: one line per KPI row, in the order of kpis.csv.
  const totals = csv.filter((r) => r.scope === 'total' && r.period_kind === 'total');
  assert.ok(totals.length > 30);
  const expected = totals.map((r) =>
    [r.kpi, r.breakdown, shown(r, 'value'), shown(r, 'n'), r.target].filter((cell) => cell !== ''),
  );
  const kpiIds = new Set(totals.map((r) => r.kpi));
  const printed = lines.map(tokens).filter((cells) => kpiIds.has(cells[0]!));
  assert.deepEqual(printed, expected);

  // The first chart's table: uses per week, each ISO week with its value and the target.
  const weeks = csv.filter(
    (r) => r.kpi === 'uses-per-week' && r.scope === 'total' && r.period_kind === 'week',
  );
  assert.ok(weeks.length >= 13);
  // (The chart's axis labels are a line of weeks only: not the table.)
  const weekLines = lines
    .map(tokens)
    .filter((cells) => /^\d{4}-W\d{2}$/.test(cells[0]!) && !/^\d{4}-W/.test(cells[1] ?? ''));
  assert.deepEqual(
    weekLines,
    weeks.map((r) =>
      [
        r.period,
        // A week cut by the period's edge says so (here the first and the last).
        (r.flag ?? '').split(' ').includes('partial-week') ? '(Teilwoche)' : '',
        shown(r, 'value'),
        r.target,
      ].filter((cell) => cell !== ''),
    ),
  );
  assert.deepEqual(
    weekLines.filter((cells) => cells[1] === '(Teilwoche)').map((cells) => cells[0]),
    [weeks[0]!.period, weeks.at(-1)!.period],
  );
  assert.ok(
    weekLines.some((cells) => cells[1] === '.'),
    'a suppressed week shows "."',
  );

  // Method: period, software version, every parameter's source, the rule.
  const flat = text.replace(/\s+/g, ' ');
  assert.match(flat, /Zeitraum: 2026-01-01 bis 2026-03-31/);
  assert.ok(flat.includes(`${SOFTWARE.name} ${SOFTWARE.version}`));
  for (const source of sources) assert.ok(flat.includes(source), source);
  assert.match(flat, /Geheimhaltung \(Schwelle 5\): Zählwerte von Personen zwischen 1 und 4/);
  assert.match(flat, /Ziel: 100/);
});
