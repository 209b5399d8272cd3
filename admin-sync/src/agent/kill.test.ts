/**
 * kill -9 of the fleet server mid-push, a few times at seeded moments: its CLI as a child
 * process, SQLite in a temp dir, while the agent drains a large outbox; restarted on the same
 * file and port, the agent carries on. (The terminal's side: kiosk/src/service/sync-kill.test.ts.)
 * Afterwards the server holds every event exactly once, in order, with its payload, and the
 * outbox is empty. A failing run prints its seed; SYNC_TEST_SEED=<seed> repeats it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryLogger, seededRandom, systemClock } from '@amtomat/basics';
import { CODE_KEY_BYTES } from '../protocol/index.ts';
import { openSqliteStorage } from '../server/index.ts';
import {
  type FleetServerProcess,
  fleetEnrolmentToken,
  killAllChildren,
  startFleetServerProcess,
} from '../server/testing/cli-process.ts';
import { createSyncAgent, type SyncAgent } from './agent.ts';
import { enrolDevice } from './credentials.ts';
import { KILLS, killRounds } from './testing/kill-rounds.ts';
import { memoryFeed, memoryOutbox } from './testing/memory-ports.ts';
import { withSeed } from './testing/seeded.ts';
import { assertExactlyOnceInOrder, memoryCredentials } from './testing/served-fleet.ts';
import {
  assertNoPayloadInLogs,
  duplicatesAnswered,
  readyPayload,
  waitFor,
} from './testing/support.ts';

describe('kill -9 of the fleet server mid-push', () => {
  let dir = '';
  let agent: SyncAgent | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-kill-server-'));
  });
  after(async () => {
    await agent?.stop();
    await killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarted on the same file, the agent resumes: every event once, in order', async (t) => {
    await withSeed(t, 'kill -9 of the fleet server', async (seed) => {
      const random = seededRandom(seed);
      const total = 4_000;
      let server: FleetServerProcess = await startFleetServerProcess({ data: dir });
      const { port } = server;
      const enrolled = await enrolDevice({
        baseUrl: server.url,
        token: fleetEnrolmentToken(dir),
        codeKey: randomBytes(CODE_KEY_BYTES),
        credentials: memoryCredentials(),
      });
      assert.ok(enrolled.ok, JSON.stringify(enrolled));
      const outbox = memoryOutbox(systemClock);
      const logger = memoryLogger();
      for (let n = 1; n <= total; n++) outbox.enqueue('item-ready', readyPayload(n));
      agent = createSyncAgent({
        baseUrl: server.url,
        identity: enrolled.value,
        outbox,
        feed: memoryFeed(),
        clock: systemClock,
        logger,
        batchSize: 40,
        backoff: { initialMs: 10, maxMs: 200 },
        intervalMs: 50,
        requestTimeoutMs: 5_000,
        random: seededRandom(seed + 1),
      });
      agent.start();

      await killRounds({
        total,
        random,
        jitterMs: 15,
        progress: () => total - outbox.length(),
        kill: () => server.kill(),
        restart: async () => {
          await sleep(Math.floor(random() * 300)); // the agent meets a dead port meanwhile
          server = await startFleetServerProcess({ data: dir }, { port });
        },
      });
      await waitFor('the outbox drained', () => outbox.length() === 0, 60_000);
      await agent.stop();
      // Killed once more, not stopped: the file must hold everything exactly as it is.
      await server.kill();

      const storage = await openSqliteStorage(join(dir, 'fleet.sqlite'));
      try {
        assertExactlyOnceInOrder(await storage.events(enrolled.value.deviceId), outbox.rows());
        assert.deepEqual(await storage.parkedEvents(), []);
      } finally {
        await storage.close();
      }
      const { parked, rejected } = agent.state();
      assert.deepEqual({ parked, rejected }, { parked: 0, rejected: 0 });
      const failed = logger.entries.filter((entry) => entry.event === 'sync.failed').length;
      assert.ok(failed >= KILLS, `each kill failed a cycle (${failed} failed)`);
      assertNoPayloadInLogs(logger);
      t.diagnostic(
        `failed cycles ${failed}; re-sent events answered duplicate ${duplicatesAnswered(logger.entries)}`,
      );
    });
  });
});
