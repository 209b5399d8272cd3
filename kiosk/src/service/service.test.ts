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
import { memoryLogger } from '@amtomat/basics';
import { call } from '../testing/http.ts';
import { until } from '../testing/wait.ts';
import { loadSiteConfig } from './config.ts';
import { DEMO, openDemoHardware } from './demo.ts';
import { siteHardware } from './hardware.ts';
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
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>kiosk</title>');
    service = await startService({
      dataDir: dir,
      port: 0,
      hardware: openDemoHardware,
      logger,
      uiDir: dir,
    });
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
    const reply = await post({ type: 'CHOOSE', service: 'document-pickup' }, { Cookie: '' });
    assert.equal(reply.status, 401);
    assert.deepEqual(JSON.parse(reply.body), { ok: false, error: { kind: 'unauthorized' } });
    assert.equal((await call(`${service.url}/api/views`)).status, 401);
    assert.equal(screen(), before);
  });

  test('a foreign Origin is refused even with the cookie; a POST without Origin too', async () => {
    const before = screen();
    const foreign = await post(
      { type: 'CHOOSE', service: 'document-pickup' },
      { Origin: 'http://evil.example' },
    );
    assert.equal(foreign.status, 403);
    const noOrigin = await call(`${service.url}/api/event`, {
      method: 'POST',
      headers: { Cookie: cookie },
      body: '{"type":"CHOOSE","service":"document-pickup"}',
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
      headers: { 'Content-Type': 'application/json', Origin: service.url, Cookie: cookie },
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

  test('a refused event gets one short reason, not the whole schema', async () => {
    const unknown = await post({ type: 'NOPE' });
    assert.equal(unknown.status, 400);
    assert.deepEqual(JSON.parse(unknown.body), {
      ok: false,
      error: { kind: 'invalid', issues: 'unknown event type "NOPE"' },
    });
    const badField = await post({ type: 'SET_LANGUAGE', language: 'xx' });
    assert.equal(badField.status, 400);
    const issues = JSON.parse(badField.body).error.issues as string;
    assert.match(issues, /^language: /);
    assert.ok(badField.body.length < 300, `a short reply, not ${badField.body.length} bytes`);
    assert.equal(JSON.parse((await post({})).body).error.issues, 'an event needs a "type"');
  });

  test('an event must say it is JSON: any other Content-Type is refused with 415', async () => {
    const before = screen();
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const reply = await call(`${service.url}/api/event`, {
        method: 'POST',
        headers: { Origin: service.url, Cookie: cookie, ...(type && { 'Content-Type': type }) },
        body: '{"type":"CHOOSE","service":"document-pickup"}',
      });
      assert.equal(reply.status, 415, `Content-Type "${type}"`);
      assert.match(JSON.parse(reply.body).error.issues, /application\/json/);
    }
    assert.equal(screen(), before);
    const withCharset = await post(
      { type: 'NOPE' },
      {
        'Content-Type': 'application/json; charset=utf-8',
      },
    );
    assert.equal(withCharset.status, 400, 'a charset parameter is fine');
  });

  test('a malformed percent-encoding in the path is a 400, not a server error', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%ZZ.js']) {
      const reply = await call(`${service.url}${path}`);
      assert.equal(reply.status, 400, path);
      assert.equal(JSON.parse(reply.body).error.kind, 'invalid');
    }
    assert.ok(!logger.entries.some((entry) => entry.event === 'rpc.handler_failed'));
  });

  test('the sign-in link buys the cookie once; the demo control has a link of its own', async () => {
    const again = await call(service.authUrl);
    assert.equal(again.status, 401);
    assert.equal(again.headers['set-cookie'], undefined);
    assert.match(again.body, /^This sign-in link is not valid or was already used: restart/);
    const reload = await call(service.authUrl, { headers: { Cookie: cookie } });
    assert.equal(reload.status, 303, 'the browser that signed in just goes on');
    assert.equal(reload.headers['set-cookie'], undefined);
    const control = await call(service.demoControlUrl!);
    assert.equal(control.status, 303);
    assert.equal(control.headers.location, '/demo');
    assert.match(String(control.headers['set-cookie']), /^kiosk_auth=/);
    assert.equal((await call(service.demoControlUrl!)).status, 401);
  });

  test('the demo control takes no larger body than an event (413)', async () => {
    const reply = await call(`${service.url}/demo/action`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: service.url, Cookie: cookie },
      body: JSON.stringify({ action: 'scan', text: 'x'.repeat(100_000) }),
    });
    assert.equal(reply.status, 413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${service.url}/demo/action`,
        { method: 'POST', headers: { Origin: service.url, Cookie: cookie } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // No Content-Length: the limit holds while reading, too.
      for (let i = 0; i < 40; i++) req.write('x'.repeat(1024));
      req.end();
    });
    assert.equal(chunked, 413);
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
        startService({
          dataDir: dir,
          port: 0,
          hardware: siteHardware,
          config: file,
          logger: memoryLogger(),
        }),
        /site\.name/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the RPC under load: the window and /healthz stay served', () => {
  let dir: string;
  let service: RunningService;
  let cookie: string;
  const logger = memoryLogger();
  const headers = () => ({
    'Content-Type': 'application/json',
    Origin: service.url,
    Cookie: cookie,
  });
  const post = (event: object) =>
    call(`${service.url}/api/event`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(event),
    });
  /** A view stream; `messages` grows with every chunk received. */
  const openStream = () =>
    new Promise<{ status: number; messages: string[]; close(): void }>((resolve, reject) => {
      const messages: string[] = [];
      const req = httpRequest(
        `${service.url}/api/views`,
        { headers: { Cookie: cookie } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => messages.push(chunk));
          resolve({ status: res.statusCode ?? 0, messages, close: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const viewsIn = (messages: string[]) => messages.join('').split('event: view').length - 1;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amtomat-service-load-'));
    service = await startService({
      dataDir: dir,
      port: 0,
      hardware: openDemoHardware,
      logger,
      uiDir: dir,
    });
    cookie = String((await call(service.authUrl)).headers['set-cookie']).split(';')[0]!;
  });
  after(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a view is serialised once per change, however many streams follow it', async () => {
    const streams = await Promise.all([1, 2, 3, 4].map(() => openStream()));
    const stringify = JSON.stringify;
    let serialised = 0;
    JSON.stringify = ((value: unknown, ...rest: []) => {
      if (typeof value === 'object' && value !== null && 'allowed' in value) serialised++;
      return stringify(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      await until('each stream has its first view', () =>
        streams.every((stream) => viewsIn(stream.messages) >= 1),
      );
      const seen = streams.map((stream) => viewsIn(stream.messages));
      serialised = 0;
      assert.equal((await post({ type: 'SET_LANGUAGE', language: 'en' })).status, 200);
      await until('each stream has the new view', () =>
        streams.every((stream, i) => viewsIn(stream.messages) > seen[i]!),
      );
      const changes = viewsIn(streams[0]!.messages) - seen[0]!;
      assert.equal(serialised, changes, `${changes} change(s) serialised ${serialised} times`);
    } finally {
      JSON.stringify = stringify;
      for (const stream of streams) stream.close();
    }
    assert.equal((await post({ type: 'SET_LANGUAGE', language: 'de' })).status, 200);
  });

  test('refused requests are logged, but a flood of them is one line, not a flood', async () => {
    const refusals = Array.from({ length: 100 }, () =>
      call(`${service.url}/api/views`, { headers: { Cookie: 'kiosk_auth=guess' } }),
    );
    for (const reply of await Promise.all(refusals)) assert.equal(reply.status, 401);
    const lines = logger.entries.filter((entry) => entry.event === 'rpc.unauthorised');
    assert.equal(lines.length, 1);
  });

  test('a fifth view stream of one client is refused with 429', async () => {
    const streams = await Promise.all([1, 2, 3, 4].map(() => openStream()));
    try {
      assert.deepEqual(
        streams.map((stream) => stream.status),
        [200, 200, 200, 200],
      );
      const fifth = await call(`${service.url}/api/views`, { headers: { Cookie: cookie } });
      assert.equal(fifth.status, 429);
      assert.match(JSON.parse(fifth.body).error.reason, /at most 4/);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  test('a flood of events gets 429 with a short reason, /healthz still answers fast', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2100)); // a full bucket
    const streams = await Promise.all([1, 2, 3, 4].map(() => openStream()));
    const statuses = new Map<number, number>();
    let reason = '';
    let flooding = true;
    const flood = async () => {
      // Events that change the view (the language back and forth), as fast as a client can send them.
      for (let i = 0; flooding; i++) {
        const reply = await post({ type: 'SET_LANGUAGE', language: i % 2 === 0 ? 'en' : 'de' });
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status === 429) reason = JSON.parse(reply.body).error.reason;
      }
    };
    const flooders = Array.from({ length: 8 }, flood);
    const latencies: number[] = [];
    try {
      const end = performance.now() + 1500;
      while (performance.now() < end) {
        const start = performance.now();
        assert.equal((await call(`${service.url}/healthz`)).status, 200);
        latencies.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      flooding = false;
      await Promise.all(flooders);
      for (const stream of streams) stream.close();
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    // The median: a single slow fsync of an accepted event (a loaded CI disk) is no flood.
    const slowest = latencies.at(-1)!.toFixed(1);
    assert.ok(median < 100, `median /healthz ${median.toFixed(1)} ms (slowest ${slowest})`);
    const accepted = (statuses.get(200) ?? 0) + (statuses.get(409) ?? 0);
    assert.ok(accepted <= 50 + 25 * 3, `${accepted} events let through in about 1.5 s`);
    assert.ok((statuses.get(429) ?? 0) > 0, 'the flood is refused');
    assert.equal(reason, 'too many events: at most 25 per second');
    const logged = logger.entries.filter((entry) => entry.event === 'rpc.rate_limited');
    assert.ok(
      logged.length >= 1 && logged.length <= 2,
      `${logged.length} log lines, not one per refusal`,
    );
  });
});
