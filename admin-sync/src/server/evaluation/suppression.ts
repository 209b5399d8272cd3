/**
 * Small-cell suppression (issue #13). Primary: a count of people (or a figure resting on one)
 * from 1 to threshold−1 is not published: value and count become empty, `suppressed` true.
 * Secondary: wherever published cells add up to a published total (terminals to their
 * site, sites and services to the whole, months and weeks to the period, outcomes to the
 * visits), the suppressed cells of that sum must be at least two and together at least the
 * threshold — else the next smallest cell is suppressed too (or, if none is left, the
 * total), until nothing changes. So a total minus the shown cells never reveals a small one.
 * A derived figure (a rate, a median, km) is suppressed with any count it rests on.
 */
import { DERIVED_BASIS, KPI_KIND, type KpiRow, rowKey } from './kpis.ts';

export const DEFAULT_SUPPRESSION_THRESHOLD = 5;

export const suppressionRule = (threshold: number) => ({
  de:
    `Zählwerte von Personen zwischen 1 und ${threshold - 1} sind unterdrückt (leer, suppressed = true). ` +
    'Sekundäre Unterdrückung: In jeder Summe veröffentlichter Zellen (Terminals eines Standorts, ' +
    'Standorte und Dienste insgesamt, Monate und Wochen des Zeitraums, Ausgänge der Besuche) sind ' +
    `mindestens zwei Zellen mit zusammen mindestens ${threshold} unterdrückt, sonst auch die Summe. ` +
    'Quoten, Mediane und daraus berechnete Werte sind unterdrückt, wenn eine ihrer Grundzahlen es ist.',
  en:
    `Counts of people from 1 to ${threshold - 1} are suppressed (empty, suppressed = true). ` +
    'Secondary suppression: in every sum of published cells (terminals of a site, sites and ' +
    'services in total, months and weeks of the period, outcomes of the visits) at least two ' +
    `cells with together at least ${threshold} are suppressed, else the total too. Rates, ` +
    'medians and figures computed from counts are suppressed when one of their counts is.',
});

const small = (n: number | null, threshold: number) => n !== null && n > 0 && n < threshold;

/** Returns the rows with suppressed cells emptied; `groups` name additive row keys. */
export function suppressSmallCells(
  rows: readonly KpiRow[],
  groups: readonly { parent: string; children: readonly string[] }[],
  threshold: number,
): KpiRow[] {
  const byKey = new Map(rows.map((row) => [rowKey(row), { ...row }]));
  const suppressed = new Set<string>();
  for (const [key, row] of byKey) {
    if (KPI_KIND.get(row.kpi) !== 'technical' && small(row.n, threshold)) suppressed.add(key);
  }
  const cellValue = (key: string) => byKey.get(key)?.value ?? 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (const { parent, children } of groups) {
      const hidden = children.filter((child) => suppressed.has(child));
      const parentHidden = suppressed.has(parent);
      const unknowns = hidden.length + (parentHidden ? 1 : 0);
      if (unknowns === 0) continue;
      // One unknown in a sum is known. Hidden cells under a shown total must add up to at
      // least the threshold, or the difference says how small they are.
      const hiddenSum = hidden.reduce((sum, child) => sum + cellValue(child), 0);
      if (unknowns >= 2 && (parentHidden || hiddenSum >= threshold)) continue;
      const next = children
        .filter((child) => !suppressed.has(child))
        .sort(
          (a, b) =>
            Number(cellValue(a) === 0) - Number(cellValue(b) === 0) ||
            cellValue(a) - cellValue(b) ||
            a.localeCompare(b),
        )[0];
      suppressed.add(next ?? parent);
      changed = true;
    }
  }
  // Derived figures go with the counts they rest on (same cell).
  for (const [key, row] of byKey) {
    const basis = DERIVED_BASIS[row.kpi];
    if (!basis) continue;
    const cell = `${row.scope}|${row.scopeId}|${row.periodKind}|${row.period}`;
    if (basis.some((kpi) => suppressed.has(`${kpi}||${cell}`))) suppressed.add(key);
  }
  for (const key of suppressed) {
    const row = byKey.get(key);
    if (row) Object.assign(row, { value: null, n: null, suppressed: true });
  }
  return [...byKey.values()];
}
