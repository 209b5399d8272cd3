/**
 * The kiosk service with the fleet sync: the real fleet server in-process (SQLite in a temp
 * dir), the service with the demo hardware enrolling against it, pushing its outbox and
 * reporting the sync in /healthz; the server going away changes nothing for the kiosk.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileCredentials } from '@amtomat/admin-sync/agent';
import { memoryLogger } from '@amtomat/locker-controller';
import { startTestFleet, type TestFleet } from '../../../admin-sync/src/agent/testing/fleet.ts';
import { call } from '../testing/http.ts';
import { loadSiteConfig } from './config.ts';
import type { Health } from './rpc-contract.ts';
import { DEMO_SITE, type RunningService, startService } from './service.ts';
import { SYNC_CURSOR_SETTING } from './sync.ts';

/** The demo site with a `sync` section, written to `dir`. */
function siteWithSync(dir: string, sync: Record<string, unknown>): string {
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'site.json');
  writeFileSync(file, JSON.stringify({ ...site, sync }));
  return file;
}

const healthOf = async (service: RunningService): Promise<Health> =>
  JSON.parse((await call(`${service.url}/healthz`)).body) as Health;

describe('kiosk service with the fleet sync', () => {
  let fleet: TestFleet;
  let dir: string;
  let service: RunningService;
  let cookie: string;
  const logger = memoryLogger();
  const deviceId = () => {
    const identity = fileCredentials(join(dir, 'data', 'sync')).load();
    assert.ok(identity.ok && identity.value, 'enrolled: the identity is stored');
    return identity.value.deviceId;
  };

  before(async () => {
    fleet = await startTestFleet();
    dir = mkdtempSync(join(tmpdir(), 'amtomat-sync-'));
    const config = siteWithSync(dir, {
      url: fleet.url,
      enrolmentToken: await fleet.token(),
      intervalMs: 600_000,
    });
    service = await startService({
      dataDir: join(dir, 'data'),
      port: 0,
      demo: true,
      logger,
      config,
      uiDir: dir,
    });
    const auth = await call(service.authUrl);
    cookie = String(auth.headers['set-cookie']).split(';')[0]!;
  });
  after(async () => {
    await service?.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an outbox event reaches the server exactly once; the outbox drains; healthz has lastSync', async () => {
    assert.ok(service.sync, 'sync is configured');
    const { store } = service.terminal;
    store.enqueue(
      'compartment-state',
      { compartment: 'A1', defective: false, reason: null },
      'sync-test-1',
    );
    const first = await service.sync.syncNow();
    assert.equal(first.online, true, String(first.lastError));
    await service.sync.syncNow(); // a second cycle sends nothing again
    const events = (await fleet.storage.events(deviceId())).filter(
      (event) => event.idempotencyKey === 'sync-test-1',
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'compartment-state');
    assert.equal(store.outboxLength(), 0);
    const health = await healthOf(service);
    assert.equal(typeof health.lastSync, 'number');
    assert.deepEqual(health.sync, { online: true, lastError: null, queueLength: 0 });
    const token = JSON.parse(readFileSync(join(dir, 'site.json'), 'utf8')).sync.enrolmentToken;
    assert.ok(!JSON.stringify(logger.entries).includes(token), 'no log line carries the token');
  });

  test('feed changes are not applied: logged by kind only, the cursor moves on', async () => {
    const cursor = await fleet.storage.appendFeed(
      deviceId(),
      { kind: 'item-cancelled', itemId: 'item-x', reason: 'secret reason text' },
      Date.now(),
    );
    await service.sync!.syncNow();
    assert.equal(service.terminal.store.setting(SYNC_CURSOR_SETTING), String(cursor));
    const lines = logger.entries.filter((entry) => entry.event === 'sync.feed_change_not_applied');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'warn');
    assert.equal(lines[0]!.fields.kind, 'item-cancelled');
    assert.ok(!JSON.stringify(logger.entries).includes('secret reason text'));
    await service.sync!.syncNow();
    assert.equal(
      logger.entries.filter((entry) => entry.event === 'sync.feed_change_not_applied').length,
      1,
      'an entry at or below the cursor is not taken again',
    );
  });

  test('with the server down: healthz says offline with the error, the kiosk keeps working', async () => {
    await fleet.down();
    try {
      service.terminal.store.enqueue(
        'compartment-state',
        { compartment: 'A2', defective: false, reason: null },
        'sync-test-2',
      );
      const state = await service.sync!.syncNow();
      assert.equal(state.online, false);
      const health = await healthOf(service);
      assert.equal(health.sync?.online, false);
      assert.equal(typeof health.sync?.lastError, 'string');
      assert.equal(health.sync?.queueLength, 1);
      assert.equal(typeof health.lastSync, 'number', 'the last success is still reported');
      const reply = await call(`${service.url}/api/event`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: service.url, Cookie: cookie },
        body: JSON.stringify({ type: 'START' }),
      });
      assert.equal(reply.status, 200);
    } finally {
      await fleet.up();
    }
    const back = await service.sync!.syncNow();
    assert.equal(back.online, true);
    assert.equal(back.queueLength, 0);
  });
});

describe('sync configuration', () => {
  test('a failing enrolment does not block the start; healthz names it', async () => {
    const fleet = await startTestFleet();
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-sync-'));
    let service: RunningService | undefined;
    try {
      const config = siteWithSync(dir, { url: fleet.url, enrolmentToken: 'not-a-real-token' });
      service = await startService({
        dataDir: join(dir, 'data'),
        port: 0,
        demo: true,
        logger: memoryLogger(),
        config,
        uiDir: dir,
      });
      const state = await service.sync!.syncNow();
      assert.equal(state.online, false);
      const health = await healthOf(service);
      assert.equal(health.lastSync, null);
      assert.equal(health.sync?.online, false);
      assert.match(String(health.sync?.lastError), /enrolment failed/);
    } finally {
      await service?.close();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the demo site has no sync', () => {
    const demo = loadSiteConfig(DEMO_SITE);
    assert.ok(demo.ok && demo.value.sync === undefined);
  });

  test('a broken sync.url is a clear configuration error naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-sync-'));
    try {
      for (const url of ['not a url', 'ftp://fleet.example.org', 'https://fleet.example.org/v1']) {
        const file = siteWithSync(dir, { url });
        const result = loadSiteConfig(file);
        assert.ok(!result.ok, url);
        assert.match(result.error, /sync\.url/);
      }
      const unknownField = loadSiteConfig(siteWithSync(dir, { url: 'https://x.example', x: 1 }));
      assert.ok(!unknownField.ok);
      assert.match(unknownField.error, /sync/);
      assert.ok(loadSiteConfig(siteWithSync(dir, { url: 'https://fleet.example.org' })).ok);
      await assert.rejects(
        startService({
          dataDir: join(dir, 'data'),
          port: 0,
          demo: false,
          config: siteWithSync(dir, { url: 'ftp://fleet.example.org' }),
          logger: memoryLogger(),
        }),
        /sync\.url/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
