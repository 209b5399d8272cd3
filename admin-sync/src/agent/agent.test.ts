import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { createSyncAgent, type SyncAgent, type SyncAgentOptions } from './agent.ts';
import { backoffDelayMs } from './backoff.ts';
import { type DeviceIdentity, enrolDevice, fileCredentials } from './credentials.ts';
import type { Fetch } from './index.ts';
import { startTestFleet, type TestFleet } from './testing/fleet.ts';
import { type MemoryOutbox, memoryFeed, memoryOutbox } from './testing/memory-ports.ts';
import {
  announce,
  assertDeliveredOnceInOrder,
  assertNoPayloadInLogs,
  readyPayload,
  waitFor,
} from './testing/support.ts';

describe('sync agent against a real fleet server', () => {
  let fleet: TestFleet;
  let dir: string;
  let identity: DeviceIdentity;
  let logger: ReturnType<typeof memoryLogger>;
  let outbox: MemoryOutbox;
  const agents: SyncAgent[] = [];

  const agent = (overrides: Partial<SyncAgentOptions> = {}) => {
    const created = createSyncAgent({
      baseUrl: fleet.url,
      identity,
      outbox,
      feed: memoryFeed(),
      clock: systemClock,
      logger,
      batchSize: 40,
      backoff: { initialMs: 20, maxMs: 200 },
      requestTimeoutMs: 3000,
      ...overrides,
    });
    agents.push(created);
    return created;
  };

  before(async () => {
    fleet = await startTestFleet();
  });
  after(() => fleet.close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-credentials-'));
    logger = memoryLogger();
    outbox = memoryOutbox(systemClock);
    const enrolled = await enrolDevice({
      baseUrl: fleet.url,
      token: await fleet.token(),
      credentials: fileCredentials(dir),
      codeKey: Buffer.alloc(32, 7),
      label: 'test terminal',
    });
    assert.ok(enrolled.ok, JSON.stringify(enrolled));
    identity = enrolled.value;
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    assertNoPayloadInLogs(logger);
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolment whose answer is lost: asked again with the same key, the same device', async () => {
    const lostDir = mkdtempSync(join(tmpdir(), 'agent-lost-enrolment-'));
    try {
      const token = await fleet.token();
      const loseAnswer: Fetch = async (input, init) => {
        await fetch(input, init); // the server enrols the device …
        throw new TypeError('fetch failed'); // … and the answer never arrives
      };
      const options = { baseUrl: fleet.url, token, codeKey: Buffer.alloc(32, 9) };
      const lost = await enrolDevice({
        ...options,
        credentials: fileCredentials(lostDir),
        fetch: loseAnswer,
      });
      assert.equal(lost.ok ? 'ok' : lost.error.kind, 'network');
      const again = await enrolDevice({ ...options, credentials: fileCredentials(lostDir) });
      assert.ok(again.ok, JSON.stringify(again));
      const devices = await fleet.storage.devices();
      assert.equal(devices.filter((d) => d.publicKey === again.value.publicKey).length, 1);
      assert.equal(
        (await fleet.storage.device(again.value.deviceId))?.codeKey,
        Buffer.alloc(32, 9).toString('base64url'),
      );
      // Another key with the spent token is still refused.
      const other = await enrolDevice({
        ...options,
        credentials: fileCredentials(join(lostDir, 'other')),
      });
      assert.equal(other.ok ? 'ok' : other.error.kind, 'invalid-token');
    } finally {
      rmSync(lostDir, { recursive: true, force: true });
    }
  });

  it('enrols once: the stored identity is reused without a request', async () => {
    const refuse: Fetch = async () => assert.fail('enrolment must not ask the server again');
    const again = await enrolDevice({
      baseUrl: fleet.url,
      token: await fleet.token(),
      credentials: fileCredentials(dir),
      codeKey: Buffer.alloc(32, 7),
      fetch: refuse,
    });
    assert.ok(again.ok);
    assert.deepEqual(again.value, identity);
    assert.equal((await fleet.storage.device(identity.deviceId))?.publicKey, identity.publicKey);
  });

  it('pushes 250 events in batches: each on the server exactly once, in order', async () => {
    for (let n = 1; n <= 250; n++) outbox.enqueue('item-ready', readyPayload(n));
    const sync = agent();
    const state = await sync.syncNow();
    assert.equal(state.online, true);
    assert.equal(state.queueLength, 0);
    assert.equal(state.lastError, null);
    assert.ok(state.lastSync !== null);
    await assertDeliveredOnceInOrder(fleet.storage, identity.deviceId, outbox);
    const batches = logger.entries.filter((entry) => entry.event === 'sync.pushed');
    assert.deepEqual(
      batches.map((entry) => entry.fields.events),
      [40, 40, 40, 40, 40, 40, 10],
    );
    // Nothing left: another cycle sends nothing.
    await sync.syncNow();
    assert.equal(logger.entries.filter((entry) => entry.event === 'sync.pushed').length, 7);
  });

  it('backs off while the server is down and drains when it is back', async () => {
    await fleet.down();
    for (let n = 1; n <= 30; n++) outbox.enqueue('item-ready', readyPayload(n));
    const sync = agent({ intervalMs: 60_000 });
    sync.start();
    await waitFor('failures', () => sync.state().failures >= 3);
    const down = sync.state();
    assert.equal(down.online, false);
    assert.match(down.lastError ?? '', /^network: fetch failed \(ECONNREFUSED\)/);
    assert.equal(down.lastProblem, 'unreachable');
    assert.ok(down.nextAttemptAt !== null && down.nextAttemptAt <= Date.now() + 200);
    assert.equal(down.queueLength, 30);
    const failed = logger.entries.filter((entry) => entry.event === 'sync.failed');
    assert.ok(failed.every((entry) => Number(entry.fields.retryInMs) < 200));
    // The enqueueing flow never waits: it is the kiosk's own store.
    for (let n = 31; n <= 40; n++) outbox.enqueue('item-ready', readyPayload(n));
    await fleet.up();
    await waitFor('drain', () => sync.state().queueLength === 0 && sync.state().online);
    const up = sync.state();
    assert.equal(up.lastError, null);
    assert.equal(up.lastProblem, null);
    assert.equal(up.failures, 0);
    assert.ok(up.nextAttemptAt !== null && up.nextAttemptAt > Date.now() + 50_000);
    await assertDeliveredOnceInOrder(fleet.storage, identity.deviceId, outbox);
  });

  it('pulls and applies the feed, acks by cursor; a lost ack never re-applies after restart', async () => {
    for (const id of ['x1', 'x2', 'x3']) {
      await fleet.storage.appendFeed(identity.deviceId, announce(id), Date.now());
    }
    const feed = memoryFeed();
    const noAck: Fetch = async (input, init) => {
      if (String(input).endsWith('/feed/ack')) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const first = agent({ feed, fetch: noAck, pullLimit: 2 });
    const failed = await first.syncNow();
    // Applied page one (x1, x2), then the ack failed: the cycle stops there.
    assert.match(failed.lastError ?? '', /^network: fetch failed/);
    assert.deepEqual(
      feed.applied.map((entry) => entry.cursor),
      [1, 2],
    );
    assert.equal((await fleet.storage.device(identity.deviceId))?.feedAcked, 0);
    await first.stop();

    // "Restart": a new agent over the same terminal state.
    const second = agent({ feed, pullLimit: 2 });
    const ok = await second.syncNow();
    assert.equal(ok.lastError, null);
    assert.deepEqual(
      feed.applied.map((entry) => [entry.cursor, entry.change.kind]),
      [
        [1, 'item-announced'],
        [2, 'item-announced'],
        [3, 'item-announced'],
      ],
    );
    assert.equal((await fleet.storage.device(identity.deviceId))?.feedAcked, 3);

    await fleet.storage.appendFeed(
      identity.deviceId,
      { kind: 'config-update', settings: { 'holding-days': 10 } },
      Date.now(),
    );
    const third = agent({ feed });
    await third.syncNow();
    await third.syncNow();
    assert.deepEqual(
      feed.applied.map((entry) => entry.cursor),
      [1, 2, 3, 4],
    );
    assert.equal((await fleet.storage.device(identity.deviceId))?.feedAcked, 4);
  });

  it('records parked events as delivered and closes conflicts and invalid events, reporting each', async () => {
    outbox.enqueue('item-ready', readyPayload(1));
    outbox.enqueue('no-such-type', { anything: 1 });
    outbox.enqueue('item-ready', { itemId: 'half' });
    outbox.enqueue('item-ready', readyPayload(4));
    const sync = agent();
    const first = await sync.syncNow();
    assert.equal(first.parked, 2);
    assert.equal(first.queueLength, 0);
    // The same key with another payload: the server will answer `conflict` every time.
    outbox.enqueue('item-ready', readyPayload(99), 'event-1');
    outbox.enqueue('Not A Type', {});
    outbox.enqueue('item-ready', readyPayload(7));
    const second = await sync.syncNow();
    assert.equal(second.online, true, 'a rejected event does not fail the cycle');
    assert.equal(second.rejected, 2);
    assert.equal(second.queueLength, 0);
    const rows = outbox.rows();
    assert.equal(rows[4]?.lastError, 'conflict: payload-differs');
    assert.equal(rows[5]?.lastError, 'invalid: not a protocol event');
    assert.deepEqual(
      (await fleet.storage.events(identity.deviceId)).map((event) => [
        event.seq,
        event.outcome.status,
      ]),
      [
        [1, 'applied'],
        [2, 'parked'],
        [3, 'parked'],
        [4, 'applied'],
        [7, 'applied'],
      ],
    );
    const reported = logger.entries.filter((entry) => entry.event.startsWith('sync.event-'));
    assert.deepEqual(
      reported.map((entry) => [entry.event, entry.fields.seq]),
      [
        ['sync.event-parked', 2],
        ['sync.event-parked', 3],
        ['sync.event-rejected', 6],
        ['sync.event-rejected', 5],
      ],
    );
  });

  it('logs a clock-skew refusal with the skew and keeps the events', async () => {
    outbox.enqueue('item-ready', readyPayload(1));
    const ahead = { now: () => Date.now() + 10 * 60_000 };
    const state = await agent({ clock: ahead }).syncNow();
    assert.match(state.lastError ?? '', /^HTTP 401 clock-skew \(device clock \d+ ms off\)$/);
    assert.equal(state.lastProblem, 'clock');
    assert.ok(state.clockSkewMs !== null && state.clockSkewMs > 9 * 60_000);
    const logged = logger.entries.find((entry) => entry.event === 'sync.clock-skew');
    assert.ok(logged && Number(logged.fields.skewMs) > 9 * 60_000);
    assert.equal(state.queueLength, 1);
    assert.equal(outbox.rows()[0]?.attempts, 0, 'not the event’s fault: no per-event backoff');
  });

  it('never throws into the caller: a failing port is a failed cycle', async () => {
    const broken = {
      ...outbox,
      pending: () => {
        throw new Error('database is locked');
      },
    };
    const state = await agent({ outbox: broken }).syncNow();
    assert.equal(state.lastError, 'outbox.pending failed: database is locked');
    assert.equal(state.lastProblem, 'internal');
    assert.equal(state.online, false);
  });
});

describe('stopping', () => {
  let silent: Server;
  let port: number;
  const connections = new Set<Socket>();
  before(async () => {
    // Accepts connections and never answers.
    silent = createServer((socket) => {
      connections.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  after(() => {
    for (const socket of connections) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('stop() aborts a request under way and leaves no timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const outbox = memoryOutbox(systemClock);
    outbox.enqueue('item-ready', readyPayload(1));
    const dir = mkdtempSync(join(tmpdir(), 'agent-stop-'));
    const { generateDeviceKeyPair } = await import('../protocol/index.ts');
    const sync = createSyncAgent({
      baseUrl: `http://127.0.0.1:${port}`,
      identity: {
        deviceId: crypto.randomUUID(),
        privateKeyPem: generateDeviceKeyPair().privateKeyPem,
      },
      outbox,
      feed: memoryFeed(),
      clock: systemClock,
      logger: memoryLogger(),
      batchSize: 10,
      backoff: { initialMs: 10, maxMs: 50 },
      requestTimeoutMs: 60_000,
    });
    sync.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await sync.stop();
    assert.ok(Date.now() - started < 1000, 'the hanging request was aborted');
    const state = sync.state();
    assert.equal(state.lastError, null, 'stopping is not a failure');
    assert.equal(state.nextAttemptAt, null);
    assert.equal(timers(), before);
    rmSync(dir, { recursive: true, force: true });
  });

  it('backoff: full jitter below an exponential ceiling', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    assert.equal(
      backoffDelayMs(1, options, () => 0.999),
      99,
    );
    assert.equal(
      backoffDelayMs(3, options, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelayMs(30, options, () => 0.999),
      999,
    );
    assert.equal(
      backoffDelayMs(5, options, () => 0),
      0,
    );
  });
});
