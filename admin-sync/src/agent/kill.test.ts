/**
 * kill -9 mid-push, on either side, a few times at seeded moments:
 * - the fleet server (its CLI as a child process, SQLite in a temp dir) while the agent
 *   drains a large outbox; restarted on the same file and port, the agent carries on;
 * - the terminal (the kiosk's store and sync wiring in a child process) while it pushes to
 *   a fleet server in this process; restarted on the same files, it carries on.
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
import Database from 'better-sqlite3';
import { CODE_KEY_BYTES } from '../protocol/index.ts';
import { openSqliteStorage } from '../server/index.ts';
import { createSyncAgent, type SyncAgent } from './agent.ts';
import { enrolDevice, fileCredentials } from './credentials.ts';
import { systemClock } from './ports.ts';
import {
  type Child,
  type FleetServerProcess,
  fleetEnrolmentToken,
  KIOSK_SYNC_CHILD,
  killAllChildren,
  killHard,
  spawnScript,
  startFleetServerProcess,
} from './testing/children.ts';
import { startTestFleet, type TestFleet } from './testing/fleet.ts';
import { memoryFeed, memoryOutbox } from './testing/memory-ports.ts';
import { seededRandom, testSeed, withSeed } from './testing/seeded.ts';
import {
  assertExactlyOnceInOrder,
  memoryCredentials,
  type SentEvent,
} from './testing/served-fleet.ts';
import { assertNoPayloadInLogs, memoryLogger, readyPayload, waitFor } from './testing/support.ts';

const KILLS = 3;

/**
 * Where the k-th kill goes (k from 1): around k/(KILLS+1) of the way, ± a tenth, so that the
 * last one still leaves a quarter of the events unsent.
 */
const killPoint = (k: number, total: number, random: () => number) =>
  Math.round(total * (k / (KILLS + 1) + (random() - 0.5) / 5));

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
    const seed = testSeed();
    t.diagnostic(`seed ${seed}`);
    await withSeed('kill -9 of the fleet server', seed, async () => {
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

      for (let k = 1; k <= KILLS; k++) {
        const point = killPoint(k, total, random);
        await waitFor(`${point} events sent`, () => total - outbox.length() >= point, 60_000);
        await sleep(Math.floor(random() * 15)); // somewhere in the next batch's round trip
        await killHard(server);
        assert.ok(outbox.length() > 0, 'killed while the agent still had events to push');
        await sleep(Math.floor(random() * 300)); // the agent meets a dead port meanwhile
        server = await startFleetServerProcess({ data: dir }, port);
      }
      await waitFor('the outbox drained', () => outbox.length() === 0, 60_000);
      await agent.stop();
      // Killed once more, not stopped: the file must hold everything as it is, and a SIGTERM
      // can wait over a minute for the connection of the request the agent's stop aborted
      // (fastify's close spares connections it does not see as idle).
      await killHard(server);

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
        `failed cycles ${failed}; re-sent events answered duplicate ${duplicates(logger.entries)}`,
      );
    });
  });
});

describe('kill -9 of the terminal (kiosk store and sync) mid-push', () => {
  let fleet: TestFleet;
  let dir = '';

  before(async () => {
    fleet = await startTestFleet();
    dir = mkdtempSync(join(tmpdir(), 'agent-kill-terminal-'));
  });
  after(async () => {
    await killAllChildren();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarted on the same files, it resumes: every event once, in order; outbox empty', async (t) => {
    const seed = testSeed();
    t.diagnostic(`seed ${seed}`);
    await withSeed('kill -9 of the terminal', seed, async () => {
      const random = seededRandom(seed);
      const total = 5_000;
      const data = join(dir, 'terminal');
      const token = await fleet.token();
      const lines: Record<string, unknown>[] = [];
      const start = (enqueue: boolean): Child =>
        spawnScript(
          KIOSK_SYNC_CHILD,
          [
            ...['--data', data, '--url', fleet.url, '--token', token],
            ...(enqueue ? ['--enqueue', String(total)] : []),
          ],
          (line) => {
            try {
              lines.push(JSON.parse(line) as Record<string, unknown>);
            } catch {
              lines.push({ event: 'child.not-json', line });
            }
          },
        );
      let child = start(true);
      const alive = (what: string) => {
        if (child.process.exitCode !== null) {
          assert.fail(
            `terminal exited (${child.process.exitCode}) before ${what}: ${child.stderr()}`,
          );
        }
      };
      let deviceId = '';
      await waitFor('enrolment', () => {
        alive('enrolling');
        const identity = fileCredentials(join(data, 'sync')).load();
        if (identity.ok && identity.value) deviceId = identity.value.deviceId;
        return deviceId !== '';
      });
      const recorded = async () => (await fleet.storage.device(deviceId))?.lastSeq ?? 0;

      for (let k = 1; k <= KILLS; k++) {
        const point = killPoint(k, total, random);
        await waitFor(
          `the server past seq ${point}`,
          async () => {
            alive(`seq ${point} reached the server`);
            return (await recorded()) >= point;
          },
          60_000,
        );
        await sleep(Math.floor(random() * 10)); // before or after it marked the batch sent
        await killHard(child);
        assert.ok((await recorded()) < total, 'killed while the terminal still had events to push');
        child = start(false);
      }
      const code = await Promise.race([
        child.exited,
        sleep(60_000, 'timeout' as const, { ref: false }),
      ]);
      assert.equal(code, 0, `the last run drains and exits: ${child.stderr()}`);

      assertExactlyOnceInOrder(await fleet.storage.events(deviceId), kioskOutbox(data));
      assert.ok(
        kioskOutbox(data).every((row) => row.sentAt !== null && row.lastError === null),
        'every outbox event marked sent, none failed',
      );
      assert.deepEqual(await fleet.storage.parkedEvents(), []);
      const entries = lines.map((line) => ({ event: String(line.event), fields: line }));
      assert.doesNotMatch(JSON.stringify(lines), /SECRET-REF/, 'no payload in the logs');
      t.diagnostic(`re-sent events answered duplicate ${duplicates(entries)}`);
    });
  });
});

/** The kiosk's outbox as the store holds it (read-only: the terminal is not running). */
function kioskOutbox(
  data: string,
): (SentEvent & { sentAt: number | null; lastError: string | null })[] {
  const db = new Database(join(data, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT seq, idempotency_key, type, payload, sent_at, last_error FROM outbox ORDER BY seq',
      )
      .all() as {
      seq: number;
      idempotency_key: string;
      type: string;
      payload: string;
      sent_at: number | null;
      last_error: string | null;
    }[];
    return rows.map((row) => ({
      seq: row.seq,
      idempotencyKey: row.idempotency_key,
      type: row.type,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
      sentAt: row.sent_at,
      lastError: row.last_error,
    }));
  } finally {
    db.close();
  }
}

/** Re-sent events the server answered `duplicate` (a batch it had recorded before a kill). */
const duplicates = (entries: readonly { event: string; fields: Record<string, unknown> }[]) =>
  entries
    .filter((entry) => entry.event === 'sync.pushed')
    .reduce((sum, entry) => sum + Number(entry.fields.duplicates), 0);
