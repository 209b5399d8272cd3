/**
 * Usage events reach the fleet (issue #13): the real kiosk service with the demo hardware,
 * a person's visit through its RPC, the real fleet server over HTTP. The visit's usage
 * event arrives once — also when its delivery is repeated after a lost answer — and carries
 * nothing a person typed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileCredentials } from '@amtomat/admin-sync/agent';
import { memoryLogger } from '@amtomat/basics';
import Database from 'better-sqlite3';
import { startTestFleet, type TestFleet } from '../../../admin-sync/src/agent/testing/fleet.ts';
import { STORE_FILE } from '../store/db.ts';
import { call } from '../testing/http.ts';
import { until } from '../testing/wait.ts';
import { type DemoHardware, openDemoHardware } from './demo.ts';
import { DEMO_SITE, type RunningService, startService } from './service.ts';

describe('usage events to the fleet', () => {
  let fleet: TestFleet;
  let dir: string;
  let service: RunningService<DemoHardware>;
  let cookie: string;
  const post = (event: object) =>
    call(`${service.url}/api/event`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: service.url, Cookie: cookie },
      body: JSON.stringify(event),
    });
  const screen = () => service.terminal.core.view().screen;

  before(async () => {
    fleet = await startTestFleet();
    dir = mkdtempSync(join(tmpdir(), 'amtomat-usage-'));
    const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
    const config = join(dir, 'site.json');
    writeFileSync(
      config,
      JSON.stringify({
        ...site,
        sync: { url: fleet.url, enrolmentToken: await fleet.token(), intervalMs: 600_000 },
      }),
    );
    service = await startService({
      dataDir: join(dir, 'data'),
      port: 0,
      hardware: openDemoHardware,
      logger: memoryLogger(),
      config,
      uiDir: dir,
    });
    cookie = String((await call(service.authUrl)).headers['set-cookie']).split(';')[0]!;
  });
  after(async () => {
    await service?.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an abandoned visit arrives once, with its step, language, mode and wrong code', async () => {
    for (const event of [
      { type: 'SET_LANGUAGE', language: 'en' },
      { type: 'SET_ACCESSIBILITY', settings: { largeText: true } },
      { type: 'CHOOSE', service: 'document-pickup' },
    ]) {
      assert.equal((await post(event)).status, 200, JSON.stringify(event));
    }
    for (const key of '90817263') await post({ type: 'KEY', key });
    await post({ type: 'SUBMIT' });
    await until('the wrong code is counted', () => service.terminal.store.codeFailuresSince(0) > 0);
    await post({ type: 'CANCEL' });
    if (screen() === 'survey') await post({ type: 'FINISH' });
    await until('back at the start', () => screen() === 'attract');

    const sync = service.sync;
    assert.ok(sync);
    assert.equal((await sync.syncNow()).online, true);
    const deviceId = fileCredentials(join(dir, 'data', 'sync')).load();
    assert.ok(deviceId.ok && deviceId.value);
    const id = deviceId.value.deviceId;

    // The answer was lost: the terminal sends the same event again (its outbox row unsent).
    const db = new Database(join(dir, 'data', STORE_FILE));
    try {
      const marked = db
        .prepare("UPDATE outbox SET sent_at = NULL WHERE type = 'usage-session'")
        .run().changes;
      assert.equal(marked, 1, 'one usage-session event in the outbox');
    } finally {
      db.close();
    }
    assert.equal((await sync.syncNow()).online, true);
    assert.equal(service.terminal.store.outboxLength(), 0);

    const events = (await fleet.storage.events(id)).filter((e) => e.type === 'usage-session');
    assert.equal(events.length, 1, 'recorded once');
    const rows = await fleet.storage.sql.all<Record<string, unknown>>(
      'SELECT * FROM eval_sessions WHERE device_id = ?',
      [id],
    );
    assert.equal(rows.length, 1, 'counted once');
    const row = rows[0]!;
    assert.equal(row.service, 'document-pickup');
    assert.equal(row.language, 'en');
    assert.equal(Number(row.large_text), 1);
    assert.equal(Number(row.speech), 0);
    assert.equal(row.outcome, 'abandoned');
    assert.equal(row.abandon_step, 'code');
    assert.equal(Number(row.wrong_entries), 1);
    assert.ok(Number(row.duration_ms) >= 0);
    assert.ok(!JSON.stringify(events[0]!.payload).includes('90817263'), 'no typed code');
  });

  test('a lock board that stops answering is counted in the hour of the status report', async () => {
    service.hardware.sim.faults.silentBoards.add(0);
    try {
      await until('the board is offline', () =>
        service.terminal.locker.boards().some((board) => board.online === false),
      );
      assert.equal((await service.sync!.syncNow()).online, true);
      const rows = await fleet.storage.sql.all<{ board: string }>(
        'SELECT board FROM eval_board_offline',
      );
      assert.deepEqual(
        rows.map((row) => row.board),
        service.terminal.locker
          .boards()
          .filter((board) => board.online === false)
          .map((board) => `${board.bus}:${board.board}`),
      );
      assert.ok(rows.length > 0);
    } finally {
      service.hardware.sim.faults.silentBoards.delete(0);
    }
  });
});
