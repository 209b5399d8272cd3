/**
 * Two KPIs from a small hand-built set, through the server's event and status paths, on
 * SQLite and PostgreSQL: lock board availability (status reports naming boards offline) and
 * the staff minutes per retrieval round (usage-staff `retrieve`).
 *
 * Terminal "Rathaus A", installed 2026-03-02; period 2026-03-02 … 2026-03-03 (48 hours).
 * Status reports in 4 distinct hours; in 2 of them a board is offline (one hour names two
 * boards, and a second report in that hour one of them: still one hour down):
 *   availability        = 4 / 48            = 0.0833
 *   board-availability  = (4 − 2) / 4       = 0.5     (n = 4 hours with a report)
 * Staff work: retrieval rounds of 2, 4 and 3 minutes (2, 1 and 3 items), a loading of 1 minute:
 *   retrieval-rounds                  = 3
 *   staff-minutes-per-retrieval-round = 9 / 3  = 3
 *   staff-minutes-per-item            = 10 / 7 = 1.43
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFleetServer } from '../app.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { enrolTestDevice } from '../testing/device.ts';
import { EvaluationConfigSchema } from './config.ts';
import { computeKpis, type KpiRow } from './kpis.ts';

const H = 3_600_000;
const MIN = 60_000;
const noon = (day: number) => Date.UTC(2026, 2, day, 12);
const PERIOD = { from: '2026-03-02', to: '2026-03-03' };
const config = EvaluationConfigSchema.parse({
  terminals: { 'Rathaus A': { site: 'Mayen', installedOn: '2026-03-02' } },
});

const retrieve = (minutes: number, items: number, at: number) => ({
  task: 'retrieve',
  itemKind: 'document',
  items,
  durationMs: minutes * MIN,
  at,
});

async function load(storage: FleetStorage, app: FastifyInstance) {
  const device = await enrolTestDevice(app, storage, () => Date.now());
  await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', [
    'Rathaus A',
    device.deviceId,
  ]);
  const work = [
    retrieve(2, 2, noon(2)),
    retrieve(4, 1, noon(2) + H),
    retrieve(3, 3, noon(3)),
    { task: 'load', itemKind: 'document', items: 1, durationMs: MIN, at: noon(3) },
  ];
  const reply = await device.push(
    work.map((payload, index) => device.event(index + 1, 'usage-staff', payload)),
  );
  assert.equal(reply.statusCode, 200, reply.body);
  const reports: [number, string[]][] = [
    [noon(2), []],
    [noon(2) + H, ['B1']],
    [noon(2) + 2 * H, ['B1', 'B2']],
    [noon(2) + 2 * H + 10 * MIN, ['B2']],
    [noon(3), []],
  ];
  for (const [at, boardsOffline] of reports) {
    await storage.setDeviceStatus(
      device.deviceId,
      {
        at,
        queueLength: 0,
        compartments: { total: 12, occupied: 0, defective: 0 },
        doorAlarms: [],
        boardsOffline,
      },
      at,
    );
  }
}

const total = (rows: KpiRow[], kpi: string) =>
  rows.find(
    (r) =>
      r.kpi === kpi &&
      r.scope === 'terminal' &&
      r.scopeId === 'Rathaus A' &&
      r.periodKind === 'total',
  );

for (const adapter of storageAdapters()) {
  describe(`board availability and retrieval rounds (${adapter.name})`, () => {
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

    test('equal the figures computed by hand', async () => {
      const { rows } = await computeKpis(storage.sql, { ...PERIOD, config });
      assert.equal(total(rows, 'availability')?.value, 0.0833);
      assert.deepEqual(
        {
          value: total(rows, 'board-availability')?.value,
          n: total(rows, 'board-availability')?.n,
        },
        { value: 0.5, n: 4 },
      );
      assert.equal(total(rows, 'retrieval-rounds')?.value, 3);
      assert.equal(total(rows, 'staff-minutes-per-retrieval-round')?.value, 3);
      assert.equal(total(rows, 'staff-minutes-per-item')?.value, 1.43);
      // The week 2026-W10 holds the same hours of reports.
      const week = rows.find(
        (r) => r.kpi === 'board-availability' && r.scope === 'total' && r.periodKind === 'week',
      );
      assert.equal(week?.value, 0.5);
    });
  });
}
