/**
 * kill -9 of the fleet server during relay: its CLI as a child process (SQLite in a temp
 * dir, `--applications-config` pointing at the Zustelldienst double), a terminal's sync
 * agent pushing sealed submissions. The server is killed twice at the worst moments: while
 * FIT-Connect is creating a submission (its answer never recorded), and after FIT-Connect
 * took a submit whose answer the server never saw. Restarted on the same file and port,
 * the relay carries on: each submission is submitted to FIT-Connect exactly once, and the
 * terminal hears `relayed` and then `accepted` for each, once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memoryLogger, seededRandom, systemClock } from '@amtomat/basics';
import { createSyncAgent, type SyncAgent } from '../../agent/agent.ts';
import { enrolDevice } from '../../agent/credentials.ts';
import { memoryFeed, memoryOutbox } from '../../agent/testing/memory-ports.ts';
import { memoryCredentials } from '../../agent/testing/served-fleet.ts';
import { waitFor } from '../../agent/testing/support.ts';
import { type ApplicationStatus, CODE_KEY_BYTES } from '../../protocol/index.ts';
import {
  type FleetServerProcess,
  fleetEnrolmentToken,
  killAllChildren,
  startFleetServerProcess,
} from '../testing/cli-process.ts';
import { startZustelldienst, type Zustelldienst } from '../testing/zustelldienst.ts';
import { sealedSubmission, TYPED, writeRelayConfigFile } from './testing.ts';

const COUNT = 3;

/** A held request that never comes fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref();
    }),
  ]);
}

describe('kill -9 of the fleet server during relay', () => {
  let dir = '';
  let double: Zustelldienst;
  let agent: SyncAgent | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-relay-kill-'));
    double = await startZustelldienst();
  });
  after(async () => {
    await agent?.stop();
    await killAllChildren();
    await double?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarted on the same file, every submission reaches FIT-Connect once', async () => {
    const config = writeRelayConfigFile(join(dir, 'applications.json'), double);
    const start = (port = 0) =>
      startFleetServerProcess({ data: dir }, { port, args: ['--applications-config', config] });
    let server: FleetServerProcess = await start();
    const { port } = server;
    const enrolled = await enrolDevice({
      baseUrl: server.url,
      token: fleetEnrolmentToken(dir),
      codeKey: randomBytes(CODE_KEY_BYTES),
      credentials: memoryCredentials(),
    });
    assert.ok(enrolled.ok, JSON.stringify(enrolled));
    const outbox = memoryOutbox(systemClock);
    const feed = memoryFeed();
    const submissions = [];
    for (let n = 0; n < COUNT; n++) {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
        data: { ...TYPED, n },
      });
      submissions.push(submission);
      outbox.enqueue('application-submitted', submission);
    }
    // Killed while FIT-Connect creates the first submission: its ids are never recorded.
    const createHeld = double.holdNext('create');
    agent = createSyncAgent({
      baseUrl: server.url,
      identity: enrolled.value,
      outbox,
      feed,
      clock: systemClock,
      logger: memoryLogger(),
      backoff: { initialMs: 10, maxMs: 200 },
      batchSize: 10,
      intervalMs: 50,
      requestTimeoutMs: 5_000,
      random: seededRandom(12),
    });
    agent.start();
    const releaseCreate = await within(createHeld, 'the relay creating a submission');
    await server.kill();
    releaseCreate();
    // Killed after FIT-Connect took a submit: the server never hears its answer.
    const submitHeld = double.holdNext('submit');
    server = await start(port);
    const releaseSubmit = await within(submitHeld, 'the relay submitting');
    await server.kill();
    releaseSubmit();
    server = await start(port);

    await waitFor('every submission submitted', () => double.submitted().length === COUNT, 30_000);
    for (const received of double.submitted()) await double.accept(received.submissionId);
    const statuses = () =>
      feed.applied
        .map((entry) => entry.change)
        .filter((change): change is ApplicationStatus => change.kind === 'application-status');
    await waitFor(
      'the terminal heard accepted for each',
      () => statuses().filter((s) => s.state === 'accepted').length === COUNT,
      30_000,
    );
    await agent.stop();
    await server.stop();

    // Exactly once at FIT-Connect: each terminal ciphertext submitted once, nothing else.
    const submitted = double.submitted();
    assert.equal(submitted.length, COUNT);
    assert.deepEqual(
      submitted.map((s) => s.encryptedData).sort(),
      submissions.map((s) => s.data).sort(),
    );
    assert.ok(submitted.every((s) => s.submitCount === 1));
    assert.ok(
      double.requests.some((r) => r.path.startsWith('/v2/submissions/') && r.status === 409),
      'the re-sent submit was answered 409 and counted as done',
    );
    // The killed create left one announced submission FIT-Connect never got submitted.
    assert.equal(double.submissions.size, COUNT + 1);
    // The terminal heard each state once per submission.
    for (const submission of submissions) {
      assert.deepEqual(
        statuses()
          .filter((s) => s.submissionId === submission.submissionId)
          .map((s) => s.state),
        ['relayed', 'accepted'],
      );
    }
    assert.equal(outbox.length(), 0);
  });
});
