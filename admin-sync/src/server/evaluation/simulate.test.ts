/**
 * The simulator's fast fill (`fill: 'tables'`, for the 100 terminals × 3 years benchmark)
 * writes what the event path writes: the same seed gives the same KPIs, row for row, as
 * pushing every event and status report through the server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { EvaluationConfigSchema } from './config.ts';
import { computeKpis, type KpiRow, rowKey } from './kpis.ts';
import { simulateEvaluation } from './simulate.ts';

const adapter = storageAdapters().find((a) => a.name === 'sqlite')!;
const PERIOD = { from: '2026-01-01', to: '2026-02-28' };

before(() => adapter.setup());
after(() => adapter.teardown());

async function kpisAfter(fill: 'events' | 'tables'): Promise<{ rows: KpiRow[]; events: number }> {
  const storage = await adapter.open();
  try {
    const simulated = await simulateEvaluation(storage, { ...PERIOD, terminals: 2, seed: 5, fill });
    const config = EvaluationConfigSchema.parse(simulated.config);
    const { rows } = await computeKpis(storage.sql, { ...PERIOD, config });
    return {
      rows: rows.sort((a, b) => rowKey(a).localeCompare(rowKey(b))),
      events: simulated.events,
    };
  } finally {
    await storage.close();
  }
}

test('the fast fill gives the KPIs of the event path (status reports, items, pseudonyms included)', async () => {
  const byEvents = await kpisAfter('events');
  const byTables = await kpisAfter('tables');
  assert.ok(byEvents.events > 1000);
  assert.equal(byTables.events, byEvents.events);
  const value = (rows: KpiRow[], kpi: string) =>
    rows.find((r) => r.kpi === kpi && r.scope === 'total' && r.periodKind === 'total')?.value;
  // Not empty: visits, items, recipients, availability and alarms are all there.
  for (const kpi of ['visits', 'items-loaded', 'parcel-recipients', 'staff-items', 'availability'])
    assert.ok((value(byEvents.rows, kpi) ?? 0) > 0, kpi);
  assert.deepEqual(byTables.rows, byEvents.rows);
});
