/**
 * The KPIs from a small, hand-built event set, pushed through the server's event path (signed
 * push, apply, evaluation tables), equal the values computed by hand below — on SQLite and
 * on a real PostgreSQL, which must also agree row for row.
 *
 * The set: period Mon 2026-03-02 … Sun 2026-03-15 (ISO weeks 10 and 11), Europe/Berlin
 * (UTC+1 then). Terminal A ("Rathaus A", installed 2025-11-01, so the period is its 5th
 * month) and B ("Bahnhof B", installed 2026-03-09), both at site "Mayen" (1000 residents
 * within 1 km; office 0.09° of latitude north of the station = 10.0076 km straight line).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SyncEvent } from '../../protocol/index.ts';
import { createFleetServer } from '../app.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { type StorageAdapter, storageAdapters } from '../testing/adapters.ts';
import { enrolTestDevice, type TestDevice } from '../testing/device.ts';
import { EvaluationConfigSchema } from './config.ts';
import { computeKpis, type KpiRow, rowKey } from './kpis.ts';
import { usageSession } from './testing.ts';

const H = 3_600_000;
/** Noon UTC of a March 2026 day (13:00 in Mayen). */
const noon = (day: number) => Date.UTC(2026, 2, day, 12);

export const HAND_CONFIG = EvaluationConfigSchema.parse({
  terminals: {
    'Rathaus A': { site: 'Mayen', installedOn: '2025-11-01' },
    'Bahnhof B': { site: 'Mayen', installedOn: '2026-03-09' },
  },
  sites: {
    Mayen: {
      location: { lat: 50.0, lon: 7.0 },
      office: { lat: 50.09, lon: 7.0 },
      residentsWithin1km: 1000,
      residentsSource: 'test',
    },
  },
});

const ready = (itemId: string, kind: string, recipientRef: string | null) => ({
  itemId,
  reference: `REF-${itemId}`,
  recipientRef,
  compartment: 'A1',
  expiresAt: noon(30),
  kind,
});

type Ev = { type: string; payload: Record<string, unknown>; createdAt?: number };

function terminalA(): Ev[] {
  return [
    {
      type: 'usage-session',
      payload: usageSession(noon(2), {
        service: 'document-pickup',
        outcome: 'completed',
        durationMs: 60_000,
        alternative: 'counter-car',
        distanceBand: '5-10',
        satisfaction: 5,
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(3), {
        service: 'document-pickup',
        outcome: 'completed',
        durationMs: 120_000,
        alternative: 'counter-bus',
        satisfaction: 4,
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(4), {
        service: 'parcel-pickup',
        outcome: 'completed',
        durationMs: 30_000,
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(5), {
        service: 'parcel-pickup',
        outcome: 'abandoned',
        durationMs: 20_000,
        abandonStep: 'code',
        wrongEntries: 2,
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(9), {
        service: 'document-pickup',
        outcome: 'timed-out',
        abandonStep: 'second-factor',
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(10), {
        service: 'drop-off',
        outcome: 'completed',
        durationMs: 90_000,
        alternative: 'counter-car',
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(10) + H, { service: 'staff', outcome: 'completed' }),
    },
    {
      type: 'item-ready',
      payload: ready('i1', 'parcel', 'R1'),
      createdAt: Date.UTC(2026, 2, 2, 10),
    },
    {
      type: 'item-picked-up',
      payload: {
        itemId: 'i1',
        reference: 'REF-i1',
        compartment: 'A1',
        pickedUpAt: Date.UTC(2026, 2, 3, 10),
      },
    },
    { type: 'item-ready', payload: ready('i2', 'parcel', 'R1'), createdAt: noon(2) },
    {
      type: 'item-expired',
      payload: {
        itemId: 'i2',
        reference: 'REF-i2',
        recipientRef: 'R1',
        compartment: 'A1',
        expiredAt: noon(9),
      },
    },
    {
      type: 'item-retrieved',
      payload: {
        itemId: 'i2',
        reference: 'REF-i2',
        compartment: 'A1',
        previousStatus: 'expired',
        retrievedAt: noon(9) + H,
      },
    },
    { type: 'item-ready', payload: ready('i3', 'document', null), createdAt: noon(3) },
    {
      type: 'item-picked-up',
      payload: { itemId: 'i3', reference: 'REF-i3', compartment: 'A1', pickedUpAt: noon(5) },
    },
    {
      type: 'usage-staff',
      payload: { task: 'load', itemKind: 'parcel', items: 1, durationMs: 60_000, at: noon(2) },
    },
    {
      type: 'usage-staff',
      payload: { task: 'load', itemKind: 'parcel', items: 1, durationMs: 120_000, at: noon(2) },
    },
    {
      type: 'usage-staff',
      payload: { task: 'load', itemKind: 'document', items: 1, durationMs: 90_000, at: noon(3) },
    },
  ];
}

function terminalB(): Ev[] {
  return [
    {
      type: 'usage-session',
      payload: usageSession(noon(10), {
        service: 'parcel-pickup',
        outcome: 'completed',
        durationMs: 45_000,
        reopened: 1,
      }),
    },
    {
      type: 'usage-session',
      payload: usageSession(noon(11), { service: null, outcome: 'abandoned' }),
    },
    { type: 'item-ready', payload: ready('i4', 'parcel', 'R2'), createdAt: noon(10) },
    {
      type: 'item-picked-up',
      payload: {
        itemId: 'i4',
        reference: 'REF-i4',
        compartment: 'A1',
        pickedUpAt: noon(10) + 6 * H,
      },
    },
  ];
}

async function push(device: TestDevice, events: Ev[]) {
  const batch: SyncEvent[] = events.map((event, index) => ({
    ...device.event(index + 1, event.type, event.payload),
    ...(event.createdAt === undefined ? {} : { createdAt: event.createdAt }),
  }));
  const reply = await device.push(batch);
  assert.equal(reply.statusCode, 200, reply.body);
  const results = (reply.json() as { results: { status: string; reason?: string }[] }).results;
  for (const result of results) assert.equal(result.status, 'applied', JSON.stringify(result));
}

/** Loads the hand-built set into a fresh store: events, status reports and labels. */
export async function loadHandSet(storage: FleetStorage, app: FastifyInstance) {
  const now = () => Date.now();
  const a = await enrolTestDevice(app, storage, now);
  const b = await enrolTestDevice(app, storage, now);
  await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', ['Rathaus A', a.deviceId]);
  await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', ['Bahnhof B', b.deviceId]);
  await push(a, terminalA());
  await push(b, terminalB());
  // Terminal A reports in 10 distinct hours; an alarm appears, stays, clears, appears again.
  const alarm = [{ compartment: 'A1', alarm: 'left-open' as const }];
  const reports: [number, typeof alarm][] = [
    [noon(2), []],
    [noon(2) + 20 * 60_000, alarm], // same hour
    [noon(2) + H, alarm],
    [noon(3), []],
    [noon(4), alarm],
    [noon(5), []],
    [noon(6), []],
    [noon(7), []],
    [noon(8), []],
    [noon(9), []],
    [noon(12), []],
  ];
  for (const [at, doorAlarms] of reports) {
    const status = {
      at,
      queueLength: 0,
      compartments: { total: 4, occupied: 0, defective: 0 },
      doorAlarms,
    };
    await storage.setDeviceStatus(a.deviceId, status, at);
  }
}

const find = (
  rows: KpiRow[],
  kpi: string,
  scope = 'total',
  scopeId = 'all',
  periodKind = 'total',
  period = '2026-03-02/2026-03-15',
  breakdown = '',
) =>
  rows.find(
    (r) =>
      rowKey(r) ===
      rowKey({
        kpi,
        scope: scope as KpiRow['scope'],
        scopeId,
        periodKind: periodKind as KpiRow['periodKind'],
        period,
        breakdown,
      }),
  )?.value;

for (const adapter of storageAdapters()) {
  describe(`KPIs from a hand-built event set (${adapter.name})`, () => {
    let storage: FleetStorage;
    let app: FastifyInstance;
    const done: StorageAdapter = adapter;
    before(async () => {
      await done.setup();
      storage = await done.open();
      app = createFleetServer({ storage });
      await loadHandSet(storage, app);
    });
    after(async () => {
      await app?.close();
      await storage?.close();
      await done.teardown();
    });

    test('each KPI equals the hand-computed value', async () => {
      const { rows } = await computeKpis(storage.sql, {
        from: '2026-03-02',
        to: '2026-03-15',
        config: HAND_CONFIG,
      });
      const expected: Record<string, number> = {
        visits: 8, // A: 6 citizens' visits (the staff visit does not count), B: 2
        uses: 5, // completed: A 4, B 1
        abandoned: 2,
        'timed-out': 1,
        'gave-up': 3,
        'completion-rate': 0.625, // 5 / 8
        'abandonment-rate': 0.375, // 3 / 8
        'uses-per-week': 2.5, // 5 uses over 14 days = 2 weeks
        'uses-per-device-day': 0.24, // 5 / (14 days A + 7 days B)
        'uses-per-device-day-m4': 0.29, // A only (B's month 4 starts in June): 4 / 14
        'time-on-task-median': 60, // 30, 45, 60, 90, 120 s
        'survey-answers': 2,
        'satisfaction-mean': 4.5,
        'items-loaded': 4,
        'items-picked-up': 3,
        'items-expired': 1, // i2 expired, then retrieved: still expired
        'expiry-rate': 0.25,
        'dwell-median': 24, // 24 h, 48 h, 6 h
        'staff-items': 3,
        'staff-minutes-per-item': 1.5, // (60 + 120 + 90) s / 3
        'counter-visits-avoided': 3, // car, bus, car
        'counter-visits-avoided-car': 2,
        // 2 × 7.5 km (band 5-10) + 2 × 10.0076 km × 1.3 (no band: straight line × detour)
        'car-km-saved': 41.0,
        'co2-saved': 6.8, // 41.0198 km × 166 g
        reopens: 1,
        'wrong-entries': 2,
        'door-alarms': 2,
        availability: 0.0198, // 10 hours heard / (21 device-days × 24 h)
        'parcel-recipients': 2, // R1 twice, R2
        'parcel-reach': 0.002, // 2 / 1000
      };
      for (const [kpi, value] of Object.entries(expected))
        assert.equal(find(rows, kpi), value, kpi);
      assert.equal(rows.find((r) => r.kpi === 'parcel-reach' && r.scope === 'total')?.target, 0.2);
      assert.equal(
        rows.find((r) => r.kpi === 'uses-per-device-day-m4' && r.scope === 'total')?.target,
        15,
      );
      for (const [step, n] of [
        ['code', 1],
        ['second-factor', 1],
        ['start', 1], // given up before choosing a service
      ] as const) {
        assert.equal(
          find(
            rows,
            'gave-up-at-step',
            'total',
            'all',
            'total',
            '2026-03-02/2026-03-15',
            `step=${step}`,
          ),
          n,
          step,
        );
      }
      // By terminal, week, month, service.
      assert.equal(find(rows, 'visits', 'terminal', 'Rathaus A'), 6);
      assert.equal(find(rows, 'uses-per-device-day', 'terminal', 'Bahnhof B'), 0.14); // 1 / 7
      assert.equal(find(rows, 'uses', 'site', 'Mayen'), 5);
      assert.equal(find(rows, 'visits', 'total', 'all', 'week', '2026-W10'), 4);
      assert.equal(find(rows, 'uses-per-week', 'total', 'all', 'week', '2026-W10'), 3);
      assert.equal(find(rows, 'uses', 'total', 'all', 'month', '2026-03'), 5);
      assert.equal(find(rows, 'visits', 'service', 'parcel-pickup'), 3);
      assert.equal(find(rows, 'items-loaded', 'service', 'parcel-pickup'), 3);
      assert.equal(find(rows, 'availability', 'terminal', 'Rathaus A'), 0.0298); // 10 / 336
    });

    test('a re-sent event changes nothing', async () => {
      const before = await computeKpis(storage.sql, {
        from: '2026-03-02',
        to: '2026-03-15',
        config: HAND_CONFIG,
      });
      const [device] = await storage.devices();
      assert.ok(device);
      const events = await storage.events(device.id);
      const { deviceId, seq, idempotencyKey, type, payload } = events[0]!;
      const again = await storage.recordEvents(
        device.id,
        [{ deviceId, seq, idempotencyKey, type, payload }],
        async () => ({}),
        Date.UTC(2026, 2, 16),
      );
      assert.equal(again[0]?.status, 'duplicate');
      const afterwards = await computeKpis(storage.sql, {
        from: '2026-03-02',
        to: '2026-03-15',
        config: HAND_CONFIG,
      });
      assert.deepEqual(afterwards.rows, before.rows);
    });
  });
}
