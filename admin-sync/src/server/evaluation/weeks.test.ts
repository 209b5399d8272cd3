/**
 * The last ISO week of a year and a site's target per week, computed by hand.
 *
 * The simulated year showed its last week (2026-W53) about 1.5× the others. Not a double
 * count: the period ends on Thursday 2026-12-31, so W53 has 4 days in it, all weekdays, and
 * the rate per week extrapolates them by 7/4 (weekdays are busier than weekends). The week is
 * now flagged `partial-week` and drawn hollow; here the counts add up exactly.
 *
 * Period Mon 2026-12-21 … Thu 2026-12-31: W52 whole (7 days), W53 partial (4 days).
 * Site "Mayen": terminals A (installed 2026-06-01) and B (2026-08-01), both past month 4.
 * A has one completed use a day at noon UTC (13:00 local): 7 in W52, 4 in W53; B none.
 *   uses-per-week  W52 = 7 / (7/7) = 7            W53 = 4 / (4/7) = 7   (flag partial-week)
 *   site target    = 15 uses × 7 days × 2 devices = 210 per week, both weeks
 *   terminal A     = 15 × 7 × 1 = 105;  all terminals: 100 (the district's target)
 *   W52 + W53 uses = 11 = uses in the period (nothing counted twice at the edge)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFleetServer } from '../app.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { enrolTestDevice } from '../testing/device.ts';
import { chartGeometry, evaluationCharts } from './charts.ts';
import { EvaluationConfigSchema } from './config.ts';
import { computeKpis, type KpiRow, PARTIAL_WEEK } from './kpis.ts';
import { usageSession } from './testing.ts';

const PERIOD = { from: '2026-12-21', to: '2026-12-31' };
const config = EvaluationConfigSchema.parse({
  terminals: {
    'Rathaus A': { site: 'Mayen', installedOn: '2026-06-01' },
    'Bahnhof B': { site: 'Mayen', installedOn: '2026-08-01' },
  },
});
const noon = (day: number) => Date.UTC(2026, 11, day, 12);

const use = (endedAt: number) =>
  usageSession(endedAt, { service: 'parcel-pickup', outcome: 'completed' });

async function load(storage: FleetStorage, app: FastifyInstance) {
  const a = await enrolTestDevice(app, storage, () => Date.now());
  const b = await enrolTestDevice(app, storage, () => Date.now());
  for (const [device, label] of [
    [a, 'Rathaus A'],
    [b, 'Bahnhof B'],
  ] as const) {
    await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', [label, device.deviceId]);
  }
  const days = [21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
  const reply = await a.push(days.map((day, i) => a.event(i + 1, 'usage-session', use(noon(day)))));
  assert.equal(reply.statusCode, 200, reply.body);
}

const find = (rows: KpiRow[], kpi: string, scope: string, scopeId: string, period: string) =>
  rows.find(
    (r) => r.kpi === kpi && r.scope === scope && r.scopeId === scopeId && r.period === period,
  );

for (const adapter of storageAdapters()) {
  describe(`partial weeks and the site's weekly target (${adapter.name})`, () => {
    let storage: FleetStorage;
    let app: FastifyInstance;
    before(async () => {
      await adapter.setup();
      storage = await adapter.open();
      app = createFleetServer({ storage });
      await load(storage, app);
    });
    after(async () => {
      await app?.close();
      await storage?.close();
      await adapter.teardown();
    });

    test('the last week is partial, not double-counted: the figures computed by hand', async () => {
      const { rows } = await computeKpis(storage.sql, { ...PERIOD, config });
      const w52 = find(rows, 'uses-per-week', 'total', 'all', '2026-W52');
      const w53 = find(rows, 'uses-per-week', 'total', 'all', '2026-W53');
      assert.deepEqual(
        [w52?.value, w52?.n, w52?.flag, w52?.target],
        [7, 7, '', 100],
        'W52 is a whole week',
      );
      assert.deepEqual([w53?.value, w53?.n, w53?.flag, w53?.target], [7, 4, PARTIAL_WEEK, 100]);
      // Every row of the partial week carries the flag, also the service's count.
      assert.equal(find(rows, 'uses', 'service', 'parcel-pickup', '2026-W53')?.flag, PARTIAL_WEEK);
      assert.equal(find(rows, 'uses', 'service', 'parcel-pickup', '2026-W52')?.flag, '');
      // A month is no week: December keeps its flags.
      assert.equal(find(rows, 'uses', 'total', 'all', '2026-12')?.flag, '');
      const weekly = rows
        .filter((r) => r.kpi === 'uses' && r.scope === 'total' && r.periodKind === 'week')
        .reduce((sum, r) => sum + (r.value ?? 0), 0);
      const total = rows.find(
        (r) => r.kpi === 'uses' && r.scope === 'total' && r.periodKind === 'total',
      );
      assert.equal(weekly, 11);
      assert.equal(total?.value, 11);
    });

    test("filtered by site, the weekly chart has the site's target line, hollow partial bars", async () => {
      const { rows } = await computeKpis(storage.sql, { ...PERIOD, config });
      assert.equal(find(rows, 'uses-per-week', 'site', 'Mayen', '2026-W52')?.target, 210);
      assert.equal(find(rows, 'uses-per-week', 'site', 'Mayen', '2026-W53')?.target, 210);
      assert.equal(find(rows, 'uses-per-week', 'terminal', 'Rathaus A', '2026-W52')?.target, 105);
      const [weekly] = evaluationCharts(rows, { scope: 'site', scopeId: 'Mayen' });
      assert.equal(weekly?.id, 'uses-per-week');
      assert.deepEqual(
        weekly?.points.map((p) => [p.label, p.value, p.target, p.partial]),
        [
          ['2026-W52', 7, 210, false],
          ['2026-W53', 7, 210, true],
        ],
      );
      const g = chartGeometry(weekly!, 720, 260);
      assert.equal(g.targets.length, 1, 'one target line across both weeks');
      assert.deepEqual(
        g.bars.map((b) => b.partial),
        [false, true],
      );
    });
  });
}
