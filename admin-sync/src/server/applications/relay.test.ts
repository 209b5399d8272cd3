/**
 * The relay against the Zustelldienst double (a real HTTP server), on SQLite and PostgreSQL:
 * a pushed submission reaches FIT-Connect once (token, create with announced attachments,
 * upload, submit), the authority's answer comes back to the terminal's feed; re-sent,
 * failing and refused submissions; the console inbox; an unknown destination.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ApplicationStatus, ApplicationSubmitted } from '../../protocol/index.ts';
import { type Harness, openHarness } from '../console/testing.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { startZustelldienst, type Zustelldienst } from '../testing/zustelldienst.ts';
import { type ApplicationRelay, createApplicationRelay } from './relay.ts';
import { application, applications } from './store.ts';
import { INBOX_ID, relayConfig, sealedSubmission, TYPED } from './testing.ts';

const MINUTE = 60_000;

for (const adapter of storageAdapters()) {
  describe(`application relay on ${adapter.name}`, () => {
    let h: Harness;
    let double: Zustelldienst;
    let relay: ApplicationRelay;
    let seq = 0;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      double = await startZustelldienst();
      relay = createApplicationRelay({
        storage: h.storage,
        config: relayConfig(double),
        clock: h.clock,
        logger: h.logger,
        backoff: { initialMs: MINUTE, maxMs: 10 * MINUTE },
      });
      seq = 0;
    });
    afterEach(async () => {
      await relay.stop();
      await double.close();
      await h.close();
    });

    const push = async (submission: ApplicationSubmitted, key?: string) => {
      seq += 1;
      const reply = await h.device.push([
        h.device.event(seq, 'application-submitted', submission, key),
      ]);
      assert.equal(reply.statusCode, 200, reply.body);
      return (reply.json() as { results: { status: string; result?: unknown }[] }).results[0];
    };
    const statuses = async (): Promise<ApplicationStatus[]> =>
      (await h.storage.feed(h.device.deviceId, 0, 100)).entries
        .map((entry) => entry.change)
        .filter((change): change is ApplicationStatus => change.kind === 'application-status');
    const stateOf = async (id: string) => (await application(h.storage.sql, id))?.state;

    it('relays once to FIT-Connect and reports relayed, then accepted, to the terminal', async () => {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
        attachments: 2,
      });
      assert.equal((await push(submission))?.status, 'applied');
      assert.equal(await stateOf(submission.submissionId), 'queued');

      assert.deepEqual(await relay.runOnce(), { moved: 2, retried: 0, parked: 0 });
      const [received, ...more] = double.submitted();
      assert.equal(more.length, 0);
      assert.ok(received);
      assert.equal(received.submitCount, 1);
      assert.equal(received.serviceIdentifier, 'urn:de:fim:leika:leistung:99036004001000');
      assert.deepEqual(
        received.announcedAttachments,
        submission.attachments.map((a) => a.attachmentId),
      );
      // What arrived is the terminal's ciphertext, and it opens to what was typed.
      assert.equal(received.encryptedData, submission.data);
      assert.deepEqual(await double.open(received.encryptedData!), TYPED);
      assert.deepEqual(await double.open(received.encryptedMetadata!), submission.metadata);
      for (const a of submission.attachments) {
        assert.equal(received.attachments.get(a.attachmentId), a.jwe);
      }
      const stored = await application(h.storage.sql, submission.submissionId);
      assert.equal(stored?.state, 'submitted');
      assert.equal(stored?.remoteSubmissionId, received.submissionId);
      assert.deepEqual(await statuses(), [
        {
          kind: 'application-status',
          submissionId: submission.submissionId,
          caseNumber: submission.caseNumber,
          state: 'relayed',
          reason: null,
        },
      ]);

      // No answer yet: the event log is read again after the poll interval, nothing changes;
      // a refused read is retried, never parked (parked could be sent again: twice).
      double.refuseNext('events', 404);
      h.clock.advance(2 * MINUTE);
      assert.deepEqual(await relay.runOnce(), { moved: 0, retried: 1, parked: 0 });
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'submitted');
      // An accept not signed by the authority's key counts for nothing.
      await double.forgeAccept(received.submissionId);
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'submitted');
      await double.accept(received.submissionId);
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'accepted');
      assert.deepEqual(
        (await statuses()).map((s) => s.state),
        ['relayed', 'accepted'],
      );
      assert.equal(double.submitted().length, 1);
      // Nothing typed in the server's logs.
      const logs = JSON.stringify(h.logger.entries);
      for (const value of Object.values(TYPED)) assert.ok(!logs.includes(value));
    });

    it('speaks Submission API v1 where a destination is configured so (serviceType)', async () => {
      const v1 = createApplicationRelay({
        storage: h.storage,
        config: relayConfig(double, 60, 'v1'),
        clock: h.clock,
      });
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(submission);
      await v1.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'submitted');
      assert.equal(
        double.submitted()[0]?.serviceIdentifier,
        'urn:de:fim:leika:leistung:99036004001000',
      );
      const api = double.requests.filter((r) => r.path !== '/token');
      assert.ok(api.length > 0 && api.every((r) => r.path.startsWith('/v1/')));
    });

    it('stores a submission re-sent under a new event key once, and relays it once', async () => {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(submission, 'first-key');
      await push(submission, 'second-key');
      await relay.runOnce();
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      assert.equal((await applications(h.storage.sql)).length, 1);
      assert.equal(double.submitted().length, 1);
      assert.equal([...double.submissions.values()].length, 1);
    });

    it('retries a temporarily failing Zustelldienst with backoff, delivering once', async () => {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(submission);
      double.failNext('submit', 2);
      assert.deepEqual(await relay.runOnce(), { moved: 1, retried: 1, parked: 0 });
      const waiting = await application(h.storage.sql, submission.submissionId);
      assert.equal(waiting?.state, 'created');
      assert.equal(waiting?.reason, 'submit-http-503');
      assert.equal(waiting?.nextAttemptAt, h.clock.now() + MINUTE);
      const requests = double.requests.length;
      await relay.runOnce(); // not due yet: nothing asked
      assert.equal(double.requests.length, requests);
      h.clock.advance(MINUTE);
      await relay.runOnce(); // second 503
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'submitted');
      assert.equal(double.submitted().length, 1);
      assert.equal(double.submissions.size, 1, 'created once, not again on each retry');
    });

    it('retries, and does not park, while FIT-Connect refuses the configured client', async () => {
      const good = relayConfig(double);
      const destination = good.destinations.get(double.destinationId);
      assert.equal(destination?.kind, 'fit-connect');
      const config = {
        ...good,
        destinations: new Map([[double.destinationId, { ...destination, clientSecret: 'wrong' }]]),
      };
      const misconfigured = createApplicationRelay({
        storage: h.storage,
        config,
        clock: h.clock,
        logger: h.logger,
      });
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(submission);
      assert.deepEqual(await misconfigured.runOnce(), { moved: 0, retried: 1, parked: 0 });
      const waiting = await application(h.storage.sql, submission.submissionId);
      assert.deepEqual([waiting?.state, waiting?.reason], ['queued', 'token-http-401']);
      assert.deepEqual(await statuses(), []);
      const retry = h.logger.entries.find((e) => e.event === 'applications.retry');
      assert.equal(retry?.fields.reason, 'token-http-401');
      assert.ok(!JSON.stringify(h.logger.entries).includes('wrong'), 'no secret in the logs');
      // Fixed (the right secret): delivered on the next attempt.
      h.clock.advance(MINUTE);
      await relay.runOnce();
      assert.equal(await stateOf(submission.submissionId), 'submitted');
    });

    it('parks what the destination refuses and tells the terminal; never dropped', async () => {
      const refused = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(refused);
      double.refuseNext('create', 422);
      assert.deepEqual(await relay.runOnce(), { moved: 0, retried: 0, parked: 1 });
      const parked = await application(h.storage.sql, refused.submissionId);
      assert.equal(parked?.state, 'parked');
      assert.equal(parked?.reason, 'create-refused-422');
      assert.deepEqual(await statuses(), [
        {
          kind: 'application-status',
          submissionId: refused.submissionId,
          caseNumber: refused.caseNumber,
          state: 'parked',
          reason: 'create-refused-422',
        },
      ]);
      h.clock.advance(60 * MINUTE);
      await relay.runOnce();
      assert.equal(double.submitted().length, 0, 'a parked submission is not retried by itself');
    });

    it('reports the authority rejecting a submission with the problem as a code', async () => {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      await push(submission);
      await relay.runOnce();
      const [received] = double.submitted();
      await double.reject(
        received!.submissionId,
        'https://schema.fitko.de/fit-connect/events/problems/invalid-data-schema',
      );
      h.clock.advance(2 * MINUTE);
      await relay.runOnce();
      const stored = await application(h.storage.sql, submission.submissionId);
      assert.deepEqual([stored?.state, stored?.reason], ['rejected', 'invalid-data-schema']);
      assert.deepEqual(
        (await statuses()).map((s) => [s.state, s.reason]),
        [
          ['relayed', null],
          ['rejected', 'invalid-data-schema'],
        ],
      );
    });

    it('keeps a console-inbox submission for the clerks; an unknown destination is parked', async () => {
      const inbox = await sealedSubmission(double.publicJwk, { destinationId: INBOX_ID });
      const lost = await sealedSubmission(double.publicJwk, { destinationId: 'nowhere' });
      await push(inbox);
      await push(lost);
      await relay.runOnce();
      assert.equal(await stateOf(inbox.submissionId), 'inbox');
      const parked = await application(h.storage.sql, lost.submissionId);
      assert.deepEqual([parked?.state, parked?.reason], ['parked', 'unknown-destination']);
      assert.deepEqual(
        (await statuses()).map((s) => [s.caseNumber, s.state]),
        [
          [inbox.caseNumber, 'relayed'],
          [lost.caseNumber, 'parked'],
        ],
      );
      assert.equal(double.requests.length, 0);
    });

    it('parks a payload that is not a sealed submission, naming fields only', async () => {
      const submission = await sealedSubmission(double.publicJwk, {
        destinationId: double.destinationId,
      });
      const result = await push({ ...submission, data: TYPED.halter } as ApplicationSubmitted);
      assert.equal(result?.status, 'parked');
      const [event] = await h.storage.parkedEvents();
      const reason = event?.outcome.status === 'parked' ? event.outcome.reason : '';
      assert.match(reason, /payload of application-submitted invalid \(data: invalid_format\)/);
      assert.ok(!reason.includes(TYPED.halter));
      assert.equal((await applications(h.storage.sql)).length, 0);
    });
  });
}
