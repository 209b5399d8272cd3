/**
 * The evaluation page's cache: a second request for a period is served from it; a push of
 * new events through the server (a new use) drops it, and the next request has the new use.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFleetServer } from '../app.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { enrolTestDevice, type TestDevice } from '../testing/device.ts';
import { createKpiCache } from './cache.ts';
import { EvaluationConfigSchema } from './config.ts';
import { usageSession } from './testing.ts';

const adapter = storageAdapters().find((a) => a.name === 'sqlite')!;
const PERIOD = { from: '2026-03-02', to: '2026-03-08' };
const config = EvaluationConfigSchema.parse({
  terminals: { 'Rathaus A': { site: 'Mayen', installedOn: '2026-01-01' } },
});
const use = (endedAt: number) =>
  usageSession(endedAt, { service: 'parcel-pickup', outcome: 'completed' });

let storage: FleetStorage;
let app: FastifyInstance;
let device: TestDevice;
before(async () => {
  await adapter.setup();
  storage = await adapter.open();
  app = createFleetServer({ storage });
  device = await enrolTestDevice(app, storage, () => Date.now());
  await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', [
    'Rathaus A',
    device.deviceId,
  ]);
});
after(async () => {
  await app?.close();
  await storage?.close();
  await adapter.teardown();
});

test('kept per period, dropped when a terminal pushes new events', async () => {
  const now = Date.UTC(2026, 2, 9);
  const cache = createKpiCache({ sql: storage.sql, config, now: () => now });
  const uses = async () =>
    (await cache.figures(PERIOD)).shown.find(
      (r) => r.kpi === 'uses' && r.scope === 'total' && r.periodKind === 'total',
    )?.n ?? 0;
  const push = async (seq: number, day: number) => {
    const reply = await device.push([
      device.event(seq, 'usage-session', use(Date.UTC(2026, 2, day, 12))),
    ]);
    assert.equal(reply.statusCode, 200, reply.body);
  };
  for (let day = 2; day <= 7; day++) await push(day - 1, day);
  assert.equal(await uses(), 6);
  assert.equal(await uses(), 6);
  assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
  await push(7, 8);
  assert.equal(await uses(), 7, 'the new use is there');
  assert.deepEqual(cache.stats, { hits: 1, misses: 2 });
  // Another period is its own entry.
  await cache.figures({ from: '2026-03-01', to: '2026-03-31' });
  assert.equal(await uses(), 7);
  assert.deepEqual(cache.stats, { hits: 2, misses: 3 });
});
