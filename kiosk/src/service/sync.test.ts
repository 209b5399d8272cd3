/**
 * The kiosk service with the fleet sync: the real fleet server in-process (SQLite in a temp
 * dir), the service with the demo hardware enrolling against it, pushing its outbox and
 * reporting the sync in /healthz, applying the feed (announcements whose codes it can check,
 * settings, remote commands); the server going away changes nothing for the kiosk.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileCredentials } from '@amtomat/admin-sync/agent';
import { AnnounceInputSchema, announceItem } from '@amtomat/admin-sync/server';
import { memoryLogger } from '@amtomat/basics';
import { startTestFleet, type TestFleet } from '../../../admin-sync/src/agent/testing/fleet.ts';
import type { Health } from '../contract/index.ts';
import { call } from '../testing/http.ts';
import { until } from '../testing/wait.ts';
import { loadSiteConfig } from './config.ts';
import { DEMO, openDemoHardware } from './demo.ts';
import { siteHardware } from './hardware.ts';
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
      hardware: openDemoHardware,
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
    assert.deepEqual(health.sync, { online: true, lastError: null, problem: null, queueLength: 0 });
    const token = JSON.parse(readFileSync(join(dir, 'site.json'), 'utf8')).sync.enrolmentToken;
    assert.ok(!JSON.stringify(logger.entries).includes(token), 'no log line carries the token');
  });

  test('an announced document arrives with hashes the terminal can check; the code opens it', async () => {
    const announced = await announceItem(
      fleet.storage,
      AnnounceInputSchema.parse({
        deviceId: deviceId(),
        reference: 'BA-2026-0042',
        itemKind: 'id-document',
        email: 'citizen@example.org',
        dateOfBirth: '02.03.1980',
      }),
      'clerk',
      Date.now(),
    );
    assert.ok(announced.ok, JSON.stringify(announced));
    await service.sync!.syncNow();
    const { store } = service.terminal;
    const item = store.item(announced.value.itemId);
    assert.equal(item?.status, 'announced');
    assert.equal(item?.kind, 'id-document');
    assert.equal(item?.hasSecondFactor, true);
    const code = await fleet.storage.pendingCode(announced.value.itemId);
    assert.ok(code);
    const free = store.freeCompartments()[0];
    assert.ok(free);
    assert.ok(store.markLoaded(announced.value.itemId, free.label, 'demo-staff').ok);
    assert.deepEqual(
      store.itemsByCode(code).map((found) => found.id),
      [announced.value.itemId],
      'the terminal finds the item by the code the server generated',
    );
    assert.equal(store.checkSecondFactor(announced.value.itemId, '1980-03-02'), true);
    assert.equal(store.checkSecondFactor(announced.value.itemId, '1980-03-03'), false);
    assert.equal(store.setting(SYNC_CURSOR_SETTING), String(announced.value.cursor));
    const logged = JSON.stringify(logger.entries);
    assert.ok(!logged.includes(code) && !logged.includes('citizen@example.org'));
    await service.sync!.syncNow();
    assert.equal((await fleet.storage.item(announced.value.itemId))?.status, 'loaded');
  });

  test('a cancellation: an announced item is cancelled, a loaded one stops opening and is set aside', async () => {
    const { store } = service.terminal;
    const announce = async (reference: string) => {
      const announced = await announceItem(
        fleet.storage,
        AnnounceInputSchema.parse({
          deviceId: deviceId(),
          reference,
          itemKind: 'document',
          email: 'citizen@example.org',
        }),
        'clerk',
        Date.now(),
      );
      assert.ok(announced.ok);
      return announced.value.itemId;
    };
    const waiting = await announce('BA-2026-0100');
    const loaded = await announce('BA-2026-0101');
    await service.sync!.syncNow();
    const code = await fleet.storage.pendingCode(loaded);
    assert.ok(code);
    const free = store.freeCompartments()[0];
    assert.ok(free && store.markLoaded(loaded, free.label, 'demo-staff').ok);
    assert.equal(store.itemsByCode(code).length, 1);
    for (const itemId of [waiting, loaded]) {
      await fleet.storage.appendFeed(
        deviceId(),
        { kind: 'item-cancelled', itemId, reason: 'issued by mistake' },
        Date.now(),
      );
    }
    await service.sync!.syncNow();
    assert.equal(store.item(waiting)?.status, 'cancelled');
    assert.equal(store.item(loaded)?.status, 'expired', 'set aside for staff to take out');
    assert.deepEqual(store.itemsByCode(code), [], 'its code opens nothing any more');
    assert.ok(store.itemsWithStatus('expired').some((item) => item.id === loaded));
    await service.sync!.syncNow();
  });

  test('a change the terminal cannot apply is refused, logged by kind, and the feed goes on', async () => {
    const id = deviceId();
    await fleet.storage.appendFeed(
      id,
      { kind: 'item-cancelled', itemId: 'item-x', reason: 'secret reason text' },
      Date.now(),
    );
    await fleet.storage.appendFeed(
      id,
      { kind: 'config-update', settings: { 'holding-days.document': 10, 'kiosk.evil': 'x' } },
      Date.now(),
    );
    const cursor = await fleet.storage.appendFeed(
      id,
      { kind: 'config-update', settings: { 'holding-days.document': 10 } },
      Date.now(),
    );
    await service.sync!.syncNow();
    const { store } = service.terminal;
    assert.equal(store.setting(SYNC_CURSOR_SETTING), String(cursor));
    assert.equal(store.setting('holding-days.document'), '10');
    assert.equal(store.setting('kiosk.evil'), undefined, 'an unknown setting is not taken');
    const refusals = logger.entries.filter((entry) => entry.event === 'sync.feed_change_refused');
    assert.deepEqual(
      refusals.map((entry) => [entry.fields.kind, entry.fields.reason]),
      [
        ['item-cancelled', 'unknown-item'],
        ['config-update', 'unknown-setting'],
      ],
    );
    assert.ok(!JSON.stringify(logger.entries).includes('secret reason text'));
    await service.sync!.syncNow();
    assert.equal(
      logger.entries.filter((entry) => entry.event === 'sync.feed_change_refused').length,
      2,
      'an entry at or below the cursor is not taken again',
    );
  });

  test('a refused change is reported back in the same cycle: the fleet shows it as refused', async () => {
    const id = deviceId();
    const cursor = await fleet.storage.appendFeed(
      id,
      {
        kind: 'command',
        commandId: randomUUID(),
        command: 'open-compartment',
        compartment: 'Z9',
        reason: 'door check',
        requestedBy: 'clerk',
      },
      Date.now(),
    );
    await service.sync!.syncNow();
    assert.equal(service.terminal.store.outboxLength(), 0, 'pushed again after the pull');
    const refused = await fleet.storage.refusedChanges(id);
    assert.deepEqual(
      refused.filter((r) => r.cursor === cursor).map((r) => [r.change.kind, r.code]),
      [['command', 'unknown-compartment']],
    );
  });

  test('remote commands: a compartment marked defective and opened for staff; status reported', async () => {
    const id = deviceId();
    const { store } = service.terminal;
    const command = (command: 'mark-defective' | 'mark-repaired' | 'open-compartment') =>
      fleet.storage.appendFeed(
        id,
        {
          kind: 'command',
          commandId: randomUUID(),
          command,
          compartment: 'A3',
          reason: 'lock sticks',
          requestedBy: 'clerk',
        },
        Date.now(),
      );
    await command('mark-defective');
    await service.sync!.syncNow();
    assert.equal(store.compartment('A3')?.defective, true);
    await service.sync!.syncNow(); // pushes the compartment-state the command caused
    assert.equal((await fleet.storage.compartment(id, 'A3'))?.defective, true);
    await command('mark-repaired');
    await command('open-compartment');
    await service.sync!.syncNow();
    assert.equal(store.compartment('A3')?.defective, false);
    await until('the door opened for staff', () => store.compartment('A3')?.door === 'open');
    const device = await fleet.storage.device(id);
    assert.ok(device?.status, 'the terminal reported its status');
    assert.equal(device.status.compartments.total, store.compartments().length);
    assert.equal(device.status.queueLength, store.outboxLength());
    await service.sync!.syncNow();
  });

  test('staff see the sync on their menu: connected, nothing waiting', async () => {
    const { core } = service.terminal;
    await service.sync!.syncNow();
    assert.ok(core.deviceInput({ type: 'CARD', uid: DEMO.staff[0].card }).ok);
    await until('PIN screen', () => core.view().screen === 'staff.pin');
    for (const key of DEMO.staff[0].pin) assert.ok(core.send({ type: 'KEY', key }).ok);
    assert.ok(core.send({ type: 'SUBMIT' }).ok);
    await until('staff menu', () => core.view().screen === 'staff.menu');
    const sync = core.view().props.sync as {
      online: boolean;
      queueLength: number;
      lastSync: number;
    };
    assert.equal(sync.online, true);
    assert.equal(sync.queueLength, 0);
    assert.equal(typeof sync.lastSync, 'number');
    // A cycle ending while the menu shows updates it (every tick publishes the view).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await service.sync!.syncNow();
    await until('the menu shows the new cycle', () => {
      const shown = core.view().props.sync as { lastSync: number };
      return shown.lastSync === after.lastSync && after.lastSync !== sync.lastSync;
    });
    assert.ok(core.send({ type: 'LOGOUT' }).ok);
    await until('attract', () => core.view().screen === 'attract');
  });

  test('with the server down: healthz says offline with the error, the kiosk keeps working', async () => {
    await service.sync!.syncNow(); // the staff visit's usage event goes first
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
      // Staff are told the kind, in their language, not the English technical text.
      assert.equal(health.sync?.problem, 'unreachable');
      assert.equal(health.sync?.queueLength, 1);
      assert.equal(typeof health.lastSync, 'number', 'the last success is still reported');
      const reply = await call(`${service.url}/api/event`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: service.url, Cookie: cookie },
        body: JSON.stringify({ type: 'CHOOSE', service: 'document-pickup' }),
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
        hardware: openDemoHardware,
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
      assert.equal(health.sync?.problem, 'enrolment-failed');
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
          hardware: siteHardware,
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
