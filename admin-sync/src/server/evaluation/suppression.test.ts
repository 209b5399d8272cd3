/**
 * Small-cell suppression (issue #13): crafted cells of 1..4 are suppressed, and no
 * combination of published totals and cells recovers one — the test tries every difference
 * (total minus its shown cells) and, beyond that, solves the whole system of sums for the
 * suppressed cells (Gaussian elimination): none may come out determined.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '@amtomat/basics';
import { additiveGroups, type KpiRow, rowKey, type Terminal } from './kpis.ts';
import { suppressSmallCells } from './suppression.ts';

const TERMINALS: Terminal[] = [
  { id: 't1', label: 'T1', site: 'S1', installedOn: '2026-01-01' },
  { id: 't2', label: 'T2', site: 'S1', installedOn: '2026-01-01' },
  { id: 't3', label: 'T3', site: 'S2', installedOn: '2026-01-01' },
  { id: 't4', label: 'T4', site: 'S2', installedOn: '2026-01-01' },
];
const MONTHS = ['2026-01', '2026-02', '2026-03'];
const TOTAL = '2026-01-01/2026-03-31';

/** `uses` by terminal and month, with every sum above it (sites, total, the period). */
function table(values: number[][]): KpiRow[] {
  const rows: KpiRow[] = [];
  const row = (
    scope: KpiRow['scope'],
    scopeId: string,
    periodKind: KpiRow['periodKind'],
    period: string,
    value: number,
  ) =>
    rows.push({
      kpi: 'uses',
      scope,
      scopeId,
      periodKind,
      period,
      breakdown: '',
      value,
      n: value,
      target: null,
      flag: '',
      suppressed: false,
    });
  const cell = (t: number, m: number) => values[t]![m]!;
  const sum = (ts: number[], ms: number[]) =>
    ts.reduce((s, t) => s + ms.reduce((x, m) => x + cell(t, m), 0), 0);
  const all = [0, 1, 2, 3];
  const months = [0, 1, 2];
  for (const [kind, period, ms] of [
    ...MONTHS.map((month, m) => ['month', month, [m]] as const),
    ['total', TOTAL, months] as const,
  ]) {
    for (const [i, t] of TERMINALS.entries())
      row('terminal', t.label, kind, period, sum([i], [...ms]));
    row('site', 'S1', kind, period, sum([0, 1], [...ms]));
    row('site', 'S2', kind, period, sum([2, 3], [...ms]));
    row('total', 'all', kind, period, sum(all, [...ms]));
  }
  return rows;
}

/** Suppressed cells that the published sums determine (rank test by elimination). */
function recoverable(
  rows: KpiRow[],
  groups: { parent: string; children: readonly string[] }[],
  truth: Map<string, number>,
) {
  const published = new Map(
    rows.filter((r) => !r.suppressed).map((r) => [rowKey(r), r.value ?? 0]),
  );
  const unknowns = rows.filter((r) => r.suppressed).map(rowKey);
  const index = new Map(unknowns.map((key, i) => [key, i]));
  const equations: number[][] = [];
  for (const { parent, children } of groups) {
    const coefficients = new Array<number>(unknowns.length + 1).fill(0);
    let touches = false;
    for (const [key, sign] of [[parent, 1], ...children.map((c) => [c, -1] as const)] as const) {
      const i = index.get(key);
      if (i === undefined) coefficients[unknowns.length]! -= sign * (published.get(key) ?? 0);
      else {
        coefficients[i]! += sign;
        touches = true;
      }
    }
    if (touches) equations.push(coefficients);
  }
  // Reduced row echelon form.
  let pivotRow = 0;
  for (let col = 0; col < unknowns.length && pivotRow < equations.length; col++) {
    const found = equations.findIndex((eq, r) => r >= pivotRow && Math.abs(eq[col]!) > 1e-9);
    if (found < 0) continue;
    [equations[pivotRow], equations[found]] = [equations[found]!, equations[pivotRow]!];
    const pivot = equations[pivotRow]!;
    const p = pivot[col]!;
    for (let c = 0; c < pivot.length; c++) pivot[c]! /= p;
    for (let r = 0; r < equations.length; r++) {
      if (r === pivotRow) continue;
      const f = equations[r]![col]!;
      if (Math.abs(f) < 1e-12) continue;
      for (let c = 0; c < pivot.length; c++) equations[r]![c]! -= f * pivot[c]!;
    }
    pivotRow++;
  }
  const determined: string[] = [];
  for (const eq of equations) {
    const nonzero = eq.slice(0, unknowns.length).flatMap((v, i) => (Math.abs(v) > 1e-9 ? [i] : []));
    if (nonzero.length === 1) determined.push(unknowns[nonzero[0]!]!);
  }
  // Sanity: the equations hold for the true values.
  for (const key of determined) assert.ok(truth.has(key));
  return determined;
}

function check(values: number[][], threshold = 5) {
  const rows = table(values);
  const truth = new Map(rows.map((r) => [rowKey(r), r.value ?? 0]));
  const groups = additiveGroups(rows, TERMINALS);
  const out = suppressSmallCells(rows, groups, threshold);
  const byKey = new Map(out.map((r) => [rowKey(r), r]));
  for (const [key, value] of truth) {
    if (value > 0 && value < threshold)
      assert.equal(byKey.get(key)?.suppressed, true, `${key}=${value} suppressed`);
    if (byKey.get(key)?.suppressed) assert.equal(byKey.get(key)?.value, null);
  }
  // Every difference a reader can take: a shown total minus its shown cells.
  for (const { parent, children } of groups) {
    const total = byKey.get(parent)!;
    if (total.suppressed) continue;
    const shown = children.reduce(
      (sum, c) => sum + (byKey.get(c)!.suppressed ? 0 : byKey.get(c)!.value!),
      0,
    );
    const difference = total.value! - shown;
    const hidden = children.filter((c) => byKey.get(c)!.suppressed);
    assert.ok(difference === 0 || difference >= threshold, `${parent} − shown = ${difference}`);
    assert.notEqual(hidden.length, 1, `${parent}: a lone hidden cell equals the difference`);
  }
  assert.deepEqual(
    recoverable(out, groups, truth),
    [],
    'no suppressed cell is determined by the sums',
  );
  return out;
}

describe('small-cell suppression', () => {
  test('crafted cells 1..4 are suppressed, with secondary cells so no difference reveals them', () => {
    const out = check([
      [1, 12, 20],
      [30, 2, 25],
      [3, 40, 4],
      [50, 60, 70],
    ]);
    const hidden = out.filter((r) => r.suppressed).length;
    assert.ok(hidden > 4, `secondary suppression added cells (${hidden} hidden)`);
    // Large cells far from the small ones stay published.
    assert.equal(out.find((r) => r.scope === 'total' && r.periodKind === 'total')?.value, 317);
  });

  test('the threshold is configurable: 3 hides 1 and 2, 5 also 3 and 4', () => {
    const values = [
      [1, 12, 20],
      [30, 3, 25],
      [4, 40, 9],
      [50, 60, 70],
    ];
    const hidden = (threshold: number) => check(values, threshold).filter((r) => r.suppressed);
    const key = (r: KpiRow) => `${r.scopeId} ${r.period}`;
    assert.ok(hidden(3).map(key).includes('T1 2026-01'));
    for (const cell of ['T1 2026-01', 'T2 2026-02', 'T3 2026-01']) {
      assert.ok(hidden(5).map(key).includes(cell), cell);
    }
  });

  test('random tables with many small cells: nothing recoverable (seeded)', () => {
    const random = seededRandom(13);
    for (let run = 0; run < 200; run++) {
      const values = TERMINALS.map(() =>
        MONTHS.map(() => (random() < 0.4 ? Math.floor(random() * 5) : Math.floor(random() * 40))),
      );
      check(values);
    }
  });
});
