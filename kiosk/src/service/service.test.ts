/**
 * The kiosk service over real HTTP on loopback, with the demo hardware (simulated boards on
 * a pty, fake HID devices through the real decoders): who may drive it, what the view
 * stream carries, what a bad configuration says.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/locker-controller';
import { call } from '../testing/http.ts';
import { until } from '../testing/wait.ts';
import { loadSiteConfig } from './config.ts';
import { DEMO } from './demo.ts';
import { DEMO_SITE, type RunningService, startService } from './service.ts';

describe('kiosk service over HTTP', () => {
  let dir: string;
  let service: RunningService;
  let cookie: string;
  const logger = memoryLogger();
  const post = (event: object, headers: Record<string, string> = {}) =>
    call(`${service.url}/api/event`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: service.url,
        Cookie: cookie,
        ...headers,
      },
      body: JSON.stringify(event),
    });
  const screen = () => service.terminal.core.view().screen;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amtomat-service-'));
    service = await startService({ dataDir: dir, port: 0, demo: true, logger, uiDir: dir });
    const auth = await call(service.authUrl);
    assert.equal(auth.status, 303);
    const setCookie = String(auth.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
  });
  after(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('healthz: version, store, boards online, outbox length, last sync, no sync', async () => {
    const health = JSON.parse((await call(`${service.url}/healthz`)).body);
    assert.equal(health.store.ok, true);
    assert.equal(health.store.auditOk, true);
    assert.deepEqual(health.boards, { online: 1, total: 1 });
    assert.equal(typeof health.outboxLength, 'number');
    assert.equal(health.lastSync, null);
    assert.equal(health.sync, null, 'the demo site configures no sync');
  });

  test('it listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    assert.match(service.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(service.url).port;
    // 127.0.0.2 reaches this machine too; a server bound to all addresses would answer it.
    await assert.rejects(call(`http://127.0.0.2:${port}/healthz`), /ECONNREFUSED/);
  });

  test('a wrong token buys no cookie', async () => {
    const reply = await call(`${service.url}/auth?token=guess`);
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['set-cookie'], undefined);
  });

  test('without the cookie: events and the view stream are refused, nothing changes', async () => {
    const before = screen();
    const reply = await post({ type: 'START' }, { Cookie: '' });
    assert.equal(reply.status, 401);
    assert.deepEqual(JSON.parse(reply.body), { ok: false, error: { kind: 'unauthorized' } });
    assert.equal((await call(`${service.url}/api/views`)).status, 401);
    assert.equal(screen(), before);
  });

  test('a foreign Origin is refused even with the cookie; a POST without Origin too', async () => {
    const before = screen();
    const foreign = await post({ type: 'START' }, { Origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    const noOrigin = await call(`${service.url}/api/event`, {
      method: 'POST',
      headers: { Cookie: cookie },
      body: '{"type":"START"}',
    });
    assert.equal(noOrigin.status, 403);
    assert.equal(screen(), before);
  });

  test('a foreign Host (DNS rebinding) is refused', async () => {
    const reply = await call(`${service.url}/healthz`, { headers: { Host: 'evil.example:80' } });
    assert.equal(reply.status, 421);
  });

  test('malformed and oversized bodies get a clear error and change nothing', async () => {
    const before = screen();
    const garbage = await call(`${service.url}/api/event`, {
      method: 'POST',
      headers: { Origin: service.url, Cookie: cookie },
      body: '{"type":',
    });
    assert.equal(garbage.status, 400);
    assert.equal(JSON.parse(garbage.body).error.kind, 'invalid');
    const huge = await post({ type: 'KEY', key: 'x'.repeat(20_000) });
    assert.equal(huge.status, 413);
    const unknown = await post({ type: 'OPEN_ALL_DOORS' });
    assert.equal(unknown.status, 400);
    assert.equal(screen(), before);
  });

  test('an event the screen does not allow is refused with 409 and logged', async () => {
    await until('attract', () => screen() === 'attract');
    const reply = await post({ type: 'SUBMIT' });
    assert.equal(reply.status, 409);
    assert.deepEqual(JSON.parse(reply.body).error, {
      kind: 'not-allowed',
      screen: 'attract',
      event: 'SUBMIT',
    });
    assert.ok(
      logger.entries.some(
        (entry) => entry.event === 'core.event_not_allowed' && entry.fields.event === 'SUBMIT',
      ),
    );
  });

  test('the view stream: current view first, then each change; no view carries the typed code', async () => {
    const messages: string[] = [];
    const stream = httpRequest(
      `${service.url}/api/views`,
      { headers: { Cookie: cookie } },
      (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => messages.push(chunk));
      },
    );
    stream.end();
    try {
      await until('the first view', () => messages.join('').includes('event: view'));
      const code = DEMO.items[0].code;
      assert.equal((await post({ type: 'START' })).status, 200);
      assert.equal((await post({ type: 'CHOOSE', service: 'document-pickup' })).status, 200);
      for (const key of code) assert.equal((await post({ type: 'KEY', key })).status, 200);
      await until('six digits shown as a count', () => messages.join('').includes('"entered":6'));
      const all = messages.join('');
      assert.ok(!all.includes(code), 'the code never appears in a view');
      assert.ok(all.includes('"screen":"pickup.code"'));
      assert.equal((await post({ type: 'CANCEL' })).status, 200);
    } finally {
      stream.destroy();
    }
  });

  test('the demo control taps a staff card through the fake reader and the real decoder', async () => {
    await until('back home', () => ['attract', 'survey'].includes(screen()));
    if (screen() === 'survey') await post({ type: 'FINISH' });
    const tap = await call(`${service.url}/demo/action`, {
      method: 'POST',
      headers: { Origin: service.url, Cookie: cookie },
      body: JSON.stringify({ action: 'card', uid: DEMO.staff[0].card }),
    });
    assert.equal(tap.status, 200);
    await until('the PIN screen', () => screen() === 'staff.pin');
    await post({ type: 'CANCEL' });
  });

  test('no log line carries a code, a PIN or the secret', () => {
    const text = JSON.stringify(logger.entries);
    // As a token of its own: a 4-digit PIN also occurs inside ids and ports by chance.
    const carries = (secret: string) =>
      new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text);
    for (const item of DEMO.items) assert.ok(!carries(item.code), 'a pickup code');
    for (const person of DEMO.staff) assert.ok(!carries(person.pin), 'a PIN');
    assert.ok(!text.includes(new URL(service.authUrl).searchParams.get('token')!));
  });
});

describe('site configuration', () => {
  test('the demo site is valid', () => {
    assert.ok(loadSiteConfig(DEMO_SITE).ok);
  });

  test('a broken file names the field that is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-config-'));
    try {
      const file = join(dir, 'site.json');
      writeFileSync(
        file,
        JSON.stringify({
          site: { id: 'x1', name: 'X' },
          locker: {
            buses: [{ id: 'main', transport: { kind: 'serial', path: '/dev/ttyUSB0' } }],
            compartments: [{ label: 'A1', size: 'XXL', bus: 'main', board: 0, lock: 1 }],
          },
        }),
      );
      const result = loadSiteConfig(file);
      assert.ok(!result.ok);
      assert.match(result.error, /compartment A1 \(locker\.compartments\): size/);
      writeFileSync(file, '{ not json');
      const broken = loadSiteConfig(file);
      assert.ok(!broken.ok);
      assert.match(broken.error, /site\.json/);
      const missing = loadSiteConfig(join(dir, 'nope.json'));
      assert.ok(!missing.ok && missing.error.includes('not found'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('startService refuses a bad file with that message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-config-'));
    try {
      const file = join(dir, 'site.json');
      writeFileSync(file, JSON.stringify({ site: { id: 'x1' } }));
      await assert.rejects(
        startService({ dataDir: dir, port: 0, demo: false, config: file, logger: memoryLogger() }),
        /site\.name/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
