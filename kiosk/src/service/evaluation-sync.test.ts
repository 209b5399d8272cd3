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
import { defaultEvaluationConfig } from '../../../admin-sync/src/server/evaluation/config.ts';
import { computeKpis } from '../../../admin-sync/src/server/evaluation/kpis.ts';
import { testKeys } from '../applications/keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from '../applications/keys.ts';
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

  test('an application reports started, each step and where it was abandoned, per form; nothing typed', async () => {
    const keys = await testKeys();
    const store = service.terminal.store;
    store.setSetting(ROOT_CERTIFICATE_SETTING, keys.rootPem);
    store.setSetting(destinationKeySetting('steueramt'), JSON.stringify(keys.publicJwk));
    await post({ type: 'START' });
    await post({ type: 'CHOOSE', service: 'application' });
    await until('the services', () => screen() === 'application.choose');
    await post({ type: 'CHOOSE_FORM', form: 'hund-anmelden' });
    await until('what it needs', () => screen() === 'application.needs');
    await post({ type: 'CONFIRM' });
    await until('the first question', () => screen() === 'application.question');
    for (const key of 'Zebulon') await post({ type: 'KEY', key });
    await post({ type: 'EDIT_SLOT', slot: 'firstNames' });
    for (const key of 'Quirin') await post({ type: 'KEY', key });
    await post({ type: 'SUBMIT' });
    await until(
      'the address',
      () => service.terminal.core.view().props.question?.stepId === 'address',
    );
    await post({ type: 'CANCEL' });
    await until('the application ended', () => !screen().startsWith('application'));
    if (screen() === 'survey') await post({ type: 'FINISH' });
    await until('back at the start', () => screen() === 'attract');

    assert.equal((await service.sync!.syncNow()).online, true);
    const id = fileCredentials(join(dir, 'data', 'sync')).load();
    assert.ok(id.ok && id.value);
    const events = (await fleet.storage.events(id.value.deviceId)).filter(
      (e) => e.type === 'usage-application',
    );
    const facts = events.map((e) => `${String(e.payload.event)}@${String(e.payload.step)}`);
    assert.deepEqual(facts, [
      'started@needs',
      'step@step-keeper',
      'step@step-address',
      'abandoned@step-address',
    ]);
    for (const event of events) {
      assert.equal(event.payload.form, 'hund-anmelden');
      const text = JSON.stringify(event.payload);
      assert.ok(!/zebulon|quirin/i.test(text), `nothing typed in ${text}`);
    }
    const rows = await fleet.storage.sql.all<{ event: string; step: string | null }>(
      'SELECT event, step FROM eval_applications WHERE device_id = ? ORDER BY seq',
      [id.value.deviceId],
    );
    assert.deepEqual(
      rows.map((row) => `${row.event}@${row.step}`),
      facts,
    );

    // The evaluation counts the form as a service of its own: one begun, given up at the address.
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const { rows: kpis } = await computeKpis(fleet.storage.sql, {
      from: day(-1),
      to: day(1),
      config: defaultEvaluationConfig(),
    });
    const cell = (kpi: string, breakdown = '') =>
      kpis.find(
        (row) =>
          row.kpi === kpi &&
          row.scope === 'service' &&
          row.scopeId === 'application-hund-anmelden' &&
          row.periodKind === 'total' &&
          row.breakdown === breakdown,
      );
    assert.equal(cell('visits')?.value, 1);
    assert.equal(cell('abandoned')?.value, 1);
    assert.equal(cell('uses')?.value ?? 0, 0);
    assert.equal(cell('gave-up-at-step', 'step=step-address')?.value, 1);
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
