/**
 * kill -9 of the terminal mid-push, a few times at seeded moments: the kiosk's real store and
 * sync wiring in a child process (testing/sync-child.ts) push to a fleet server in this
 * process; restarted on the same files, it carries on. Afterwards the server holds every
 * event exactly once, in order, with its payload, and the outbox is empty. A failing run
 * prints its seed; SYNC_TEST_SEED=<seed> repeats it. (The server's side:
 * admin-sync/src/agent/kill.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileCredentials } from '@amtomat/admin-sync/agent';
import { seededRandom } from '@amtomat/basics';
import Database from 'better-sqlite3';
import { startTestFleet, type TestFleet } from '../../../admin-sync/src/agent/testing/fleet.ts';
import { killRounds } from '../../../admin-sync/src/agent/testing/kill-rounds.ts';
import { withSeed } from '../../../admin-sync/src/agent/testing/seeded.ts';
import {
  assertExactlyOnceInOrder,
  type SentEvent,
} from '../../../admin-sync/src/agent/testing/served-fleet.ts';
import { duplicatesAnswered, waitFor } from '../../../admin-sync/src/agent/testing/support.ts';
import {
  type Child,
  killAllChildren,
  spawnScript,
} from '../../../admin-sync/src/server/testing/cli-process.ts';

const SYNC_CHILD = join(import.meta.dirname, '..', 'testing', 'sync-child.ts');

describe('kill -9 of the terminal (kiosk store and sync) mid-push', () => {
  let fleet: TestFleet;
  let dir = '';

  before(async () => {
    fleet = await startTestFleet();
    dir = mkdtempSync(join(tmpdir(), 'kiosk-sync-kill-'));
  });
  after(async () => {
    await killAllChildren();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarted on the same files, it resumes: every event once, in order; outbox empty', async (t) => {
    await withSeed(t, 'kill -9 of the terminal', async (seed) => {
      const random = seededRandom(seed);
      const total = 5_000;
      const data = join(dir, 'terminal');
      const token = await fleet.token();
      const lines: Record<string, unknown>[] = [];
      const start = (enqueue: boolean): Child =>
        spawnScript(
          SYNC_CHILD,
          [
            ...['--data', data, '--url', fleet.url, '--token', token],
            ...(enqueue ? ['--enqueue', String(total)] : []),
          ],
          {
            onLine: (line) => {
              try {
                lines.push(JSON.parse(line) as Record<string, unknown>);
              } catch {
                lines.push({ event: 'child.not-json', line });
              }
            },
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

      await killRounds({
        total,
        random,
        jitterMs: 10, // before or after it marked the batch sent
        progress: async () => {
          alive('its events reached the server'); // killed by us, it has no exit code
          return (await fleet.storage.device(deviceId))?.lastSeq ?? 0;
        },
        kill: () => child.kill(),
        restart: async () => {
          child = start(false);
        },
      });
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
      t.diagnostic(`re-sent events answered duplicate ${duplicatesAnswered(entries)}`);
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
