/**
 * The agent pushing a few hundred events through a proxy whose plan mixes every fault
 * (clean, cut, duplicate, drop, delay, reorder) at random, against the real fleet server on
 * each storage adapter (SQLite, PostgreSQL). Afterwards the server holds every event exactly
 * once, in order, with its payload; the outbox is empty; nothing was parked or rejected; the
 * feed was applied once per cursor and acknowledged. The plan is seeded: a failing run prints
 * its seed, and SYNC_TEST_SEED=<seed> repeats it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryLogger, seededRandom, systemClock } from '@amtomat/basics';
import type { TerminalStatus } from '../protocol/index.ts';
import { storageAdapters } from '../server/testing/adapters.ts';
import { createSyncAgent, type SyncAgent } from './agent.ts';
import type { FeedPort } from './ports.ts';
import { type Fault, type FaultProxy, startFaultProxy } from './testing/fault-proxy.ts';
import { memoryFeed, memoryOutbox } from './testing/memory-ports.ts';
import { shuffled, withSeed } from './testing/seeded.ts';
import { assertExactlyOnceInOrder, type ServedFleet, serveFleet } from './testing/served-fleet.ts';
import { announce, assertNoPayloadInLogs, readyPayload, waitFor } from './testing/support.ts';

const QUEUED = 250;
/** Enqueued while the agent syncs, as a busy terminal would. */
const LATER = 50;
const FEED_BEFORE = 4;
const FEED_DURING = 4;
/**
 * Every 12 requests get these faults in a seeded order: each fault shows up, and half the
 * requests fail, so a batch takes two tries on average.
 */
const BLOCK: readonly Fault[] = [
  'clean',
  'clean',
  'clean',
  'clean',
  'delay',
  'delay',
  'cut',
  'duplicate',
  'drop',
  'drop',
  'reorder',
  'reorder',
];

const terminalStatus = (queueLength: number, version?: string): TerminalStatus => ({
  at: Date.now(),
  queueLength,
  compartments: { total: 20, occupied: 0, defective: 0 },
  doorAlarms: [],
  ...(version === undefined ? {} : { version }),
});

/** The fault of request n (from 1), a shuffled block at a time; asked in request order. */
function blockPlan(random: () => number): (request: number) => Fault {
  const faults: Fault[] = [];
  return (request) => {
    while (faults.length < request) faults.push(...shuffled(BLOCK, random));
    return faults[request - 1]!;
  };
}

for (const adapter of storageAdapters()) {
  describe(`agent through mixed network faults, fleet on ${adapter.name}`, () => {
    let fleet: ServedFleet | undefined;
    let proxy: FaultProxy | undefined;
    let agent: SyncAgent | undefined;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    afterEach(async () => {
      await agent?.stop();
      await proxy?.close();
      await fleet?.close();
      agent = undefined;
      proxy = undefined;
      fleet = undefined;
    });

    it('every event once, in order, with its payload; the feed applied once per cursor', async (t) => {
      await withSeed(t, `network faults on ${adapter.name}`, async (seed) => {
        fleet = await serveFleet(await adapter.open());
        const { storage } = fleet;
        proxy = await startFaultProxy(fleet.port, blockPlan(seededRandom(seed)), {
          random: seededRandom(seed + 1),
        });
        // Enrolment is not what this test is about: straight to the server.
        const identity = await fleet.enrol();
        const { deviceId } = identity;
        const appended: string[] = [];
        const appendFeed = async () => {
          const itemId = `feed-${appended.length + 1}`;
          appended.push(itemId);
          await storage.appendFeed(deviceId, announce(itemId), Date.now());
        };
        for (let n = 0; n < FEED_BEFORE; n++) await appendFeed();

        const outbox = memoryOutbox(systemClock);
        const feed = memoryFeed();
        // What the agent hands the port: memoryFeed itself would skip an entry handed twice.
        const handed: number[] = [];
        const feedPort: FeedPort = {
          cursor: feed.cursor,
          apply(entries) {
            handed.push(...entries.map((entry) => entry.cursor));
            return feed.apply(entries);
          },
        };
        const logger = memoryLogger();
        for (let n = 1; n <= QUEUED; n++) outbox.enqueue('item-ready', readyPayload(n));
        agent = createSyncAgent({
          baseUrl: `http://127.0.0.1:${proxy.port}`,
          identity,
          outbox,
          feed: feedPort,
          clock: systemClock,
          logger,
          batchSize: 12,
          pullLimit: 3,
          backoff: { initialMs: 5, maxMs: 50 },
          intervalMs: 20,
          // Above a delayed request and its delayed reply (2 × 400 ms): a hanging drop costs this.
          requestTimeoutMs: 1_500,
          random: seededRandom(seed + 2),
          status: () => terminalStatus(outbox.length()),
        });
        agent.start();
        for (let n = QUEUED + 1; n <= QUEUED + LATER; n++) {
          outbox.enqueue('item-ready', readyPayload(n));
          if (n % 12 === 0) {
            await sleep(25);
            if (appended.length < FEED_BEFORE + FEED_DURING) await appendFeed();
          }
        }
        while (appended.length < FEED_BEFORE + FEED_DURING) await appendFeed();
        const feedLength = appended.length;

        await waitFor(
          'the outbox drained and the feed applied and acknowledged',
          async () =>
            outbox.length() === 0 &&
            feed.cursor() === feedLength &&
            (await storage.device(deviceId))?.feedAcked === feedLength,
          90_000,
        );
        await agent.stop();
        await proxy.settle(); // the held requests reach the server before we look

        assertExactlyOnceInOrder(await storage.events(deviceId), outbox.rows());
        assert.equal(outbox.length(), 0);
        assert.ok(
          outbox.rows().every((row) => row.lastError === null),
          'no event was marked failed',
        );
        assert.deepEqual(await storage.parkedEvents(), []);
        const { parked, rejected } = agent.state();
        assert.deepEqual({ parked, rejected }, { parked: 0, rejected: 0 });

        const cursors = appended.map((_, i) => i + 1);
        assert.deepEqual(handed, cursors, 'each feed entry handed to the terminal once, in order');
        assert.deepEqual(
          feed.applied.map((entry) => entry.cursor),
          cursors,
          'each feed cursor applied exactly once, in order',
        );
        assert.deepEqual(
          feed.applied.map(
            (entry) => entry.change.kind === 'item-announced' && entry.change.itemId,
          ),
          appended,
        );
        assert.equal((await storage.device(deviceId))?.feedAcked, feedLength);

        const { stats, lateReplies } = proxy;
        for (const fault of new Set(BLOCK)) assert.ok(stats[fault] > 0, `no ${fault} happened`);
        // Each held request reached the server late and was taken (authenticated, answered).
        assert.equal(lateReplies.length, stats.reorder, 'every held request went out late');
        assert.ok(
          lateReplies.every((status) => status === 200 || status === 204),
          `late replies: ${lateReplies.join(', ')}`,
        );
        const failures = logger.entries.filter((entry) => entry.event === 'sync.failed');
        assert.ok(failures.length > 0, 'the faults failed some cycles');
        assertNoPayloadInLogs(logger);
        t.diagnostic(
          `requests by fault ${JSON.stringify(stats)}; failed cycles ${failures.length}`,
        );
      });
    });

    it('a status report arriving late does not overwrite a newer one', async () => {
      fleet = await serveFleet(await adapter.open());
      // Cycle 1: GET feed, POST status (held); cycle 2: GET feed, POST status, then the held one.
      proxy = await startFaultProxy(fleet.port, (n) => (n === 2 ? 'reorder' : 'clean'), {
        holdFor: { min: 2, max: 2 },
      });
      const identity = await fleet.enrol();
      let cycle = 0;
      agent = createSyncAgent({
        baseUrl: `http://127.0.0.1:${proxy.port}`,
        identity,
        outbox: memoryOutbox(systemClock),
        feed: memoryFeed(),
        clock: systemClock,
        logger: memoryLogger(),
        batchSize: 10,
        backoff: { initialMs: 5, maxMs: 50 },
        status: () => terminalStatus(0, `cycle-${++cycle}`),
      });
      assert.equal((await agent.syncNow()).online, false, 'cycle 1 lost its status report');
      assert.equal((await agent.syncNow()).online, true);
      await proxy.settle();
      assert.deepEqual(proxy.lateReplies, [204], 'the server took the late report');
      const device = await fleet.storage.device(identity.deviceId);
      assert.equal(device?.status?.version, 'cycle-2');
    });
  });
}
