/**
 * The relay: each cycle takes the submissions due (queued, half-delivered, waiting for an
 * answer) and moves each one step further towards its destination.
 *
 * - console inbox: the submission waits in the console (`inbox`); the terminal hears `relayed`.
 * - FIT-Connect: create (announcing the attachments) → `created` with FIT-Connect's ids →
 *   upload each attachment → submit → `submitted`; then its case's event log is read every
 *   `pollSeconds` until the authority accepts or rejects it.
 *
 * Exactly once: every step is recorded before the next begins, and a step is repeated only
 * when its record is missing. Uploads are PUTs (repeating one is harmless); a submit repeated
 * after a crash is answered 409 by FIT-Connect and counts as done. What a destination
 * refuses (4xx) is `parked` with its reason code: kept, shown in the console, never dropped.
 * Temporary failures are retried with backoff. Logs carry ids, states and reason codes only.
 */
import { type Clock, type Logger, silentLogger, systemClock } from '@amtomat/basics';
import { backoffDelay } from '../notifications/worker.ts';
import type { FleetStorage } from '../storage/storage.ts';
import type { ApplicationsConfig, Destination, FitConnectDestination } from './config.ts';
import { type FitConnectClient, type FitConnectFailure, fitConnectClient } from './fit-connect.ts';
import { createKeyDistributor } from './keys.ts';
import {
  type ApplicationRecord,
  dueApplications,
  envelopeOf,
  moveApplication,
  type StateChange,
} from './store.ts';

export interface RelayOptions {
  storage: FleetStorage;
  config: ApplicationsConfig;
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** Delay before retry n+1: min(maxMs, initialMs · 2^(n−1)). */
  backoff?: { initialMs: number; maxMs: number };
  batchSize?: number;
}

export interface RelaySummary {
  moved: number;
  retried: number;
  parked: number;
}

export interface ApplicationRelay {
  /** One cycle now (after any cycle under way). */
  runOnce(): Promise<RelaySummary>;
  /** The destination keys to the terminals now (each cycle does it too); changes appended. */
  distributeKeys(): Promise<number>;
  /** Cycles every `config.intervalMs` until stopped. */
  start(): void;
  /** No further cycles; resolves when the one under way has finished. */
  stop(): Promise<void>;
}

type Step = 'moved' | 'retried' | 'parked' | 'waiting';

export function createApplicationRelay(options: RelayOptions): ApplicationRelay {
  const { storage, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const backoff = options.backoff ?? { initialMs: 30_000, maxMs: 3_600_000 };
  const batchSize = options.batchSize ?? 20;
  const clients = new Map<string, FitConnectClient>();
  const clientOf = (id: string, destination: FitConnectDestination) => {
    let client = clients.get(id);
    if (!client) {
      client = fitConnectClient(destination, () => clock.now());
      clients.set(id, client);
    }
    return client;
  };

  const fields = (app: ApplicationRecord) => ({
    submissionId: app.submissionId,
    destinationId: app.destinationId,
    state: app.state,
  });

  async function move(app: ApplicationRecord, change: StateChange): Promise<Step> {
    const moved = await moveApplication(storage.sql, app, change, clock.now());
    if (moved) logger.log('info', 'applications.moved', { ...fields(app), to: change.state });
    return moved ? 'moved' : 'waiting';
  }

  async function failed(app: ApplicationRecord, failure: FitConnectFailure): Promise<Step> {
    if (failure.kind === 'refused') {
      logger.log('error', 'applications.parked', { ...fields(app), reason: failure.reason });
      await move(app, { state: 'parked', reason: failure.reason });
      return 'parked';
    }
    const attempts = app.attempts + 1;
    const nextAttemptAt = clock.now() + backoffDelay(attempts, backoff);
    logger.log('warn', 'applications.retry', { ...fields(app), reason: failure.reason, attempts });
    await moveApplication(
      storage.sql,
      app,
      { state: app.state, reason: failure.reason, attempts, nextAttemptAt },
      clock.now(),
    );
    return 'retried';
  }

  async function toFitConnect(
    app: ApplicationRecord,
    destination: FitConnectDestination,
  ): Promise<Step> {
    const client = clientOf(app.destinationId, destination);
    const remoteDestination = destination.fitConnectDestinationId ?? app.destinationId;
    const envelope = await envelopeOf(storage.sql, app.submissionId);
    if (!envelope) return 'waiting';
    if (app.state === 'queued') {
      const created = await client.createSubmission({
        destinationId: remoteDestination,
        attachmentIds: envelope.attachments.map((a) => a.attachmentId),
        serviceName: destination.serviceNames[app.serviceId] ?? app.serviceId,
        leikaKey: app.leikaKey,
      });
      if (!created.ok) return failed(app, created.error);
      return move(app, {
        state: 'created',
        remoteSubmissionId: created.value.submissionId,
        remoteCaseId: created.value.caseId,
        reason: null,
        attempts: 0,
        nextAttemptAt: clock.now(),
      });
    }
    const remoteId = app.remoteSubmissionId;
    const caseId = app.remoteCaseId;
    if (remoteId === null || caseId === null) return 'waiting';
    if (app.state === 'created') {
      for (const attachment of envelope.attachments) {
        const uploaded = await client.uploadAttachment(
          remoteId,
          attachment.attachmentId,
          attachment.jwe,
        );
        if (!uploaded.ok) return failed(app, uploaded.error);
      }
      const submitted = await client.submit({
        submissionId: remoteId,
        destinationId: remoteDestination,
        metadata: envelope.metadata,
        data: envelope.data,
      });
      if (!submitted.ok) return failed(app, submitted.error);
      return move(app, {
        state: 'submitted',
        reason: null,
        attempts: 0,
        nextAttemptAt: clock.now() + destination.pollSeconds * 1000,
      });
    }
    const outcome = await client.caseOutcome({
      caseId,
      submissionId: remoteId,
      destinationId: remoteDestination,
    });
    // Submitted is delivered: a refused read of the event log is retried, never parked (a
    // parked submission may be sent again from the console, which would deliver it twice).
    if (!outcome.ok) return failed(app, { kind: 'retry', reason: outcome.error.reason });
    if (outcome.value.outcome === 'accepted') return move(app, { state: 'accepted', reason: null });
    if (outcome.value.outcome === 'rejected') {
      return move(app, { state: 'rejected', reason: outcome.value.reason });
    }
    await moveApplication(
      storage.sql,
      app,
      { state: 'submitted', nextAttemptAt: clock.now() + destination.pollSeconds * 1000 },
      clock.now(),
    );
    return 'waiting';
  }

  async function step(app: ApplicationRecord): Promise<Step> {
    const destination: Destination | undefined = config.destinations.get(app.destinationId);
    if (!destination) return failed(app, { kind: 'refused', reason: 'unknown-destination' });
    if (destination.kind === 'console-inbox') return move(app, { state: 'inbox', reason: null });
    return toFitConnect(app, destination);
  }

  const keys = createKeyDistributor({
    storage,
    config,
    clientOf,
    now: () => clock.now(),
    logger,
  });

  async function cycle(): Promise<RelaySummary> {
    const summary: RelaySummary = { moved: 0, retried: 0, parked: 0 };
    // Keys first: a terminal enrolled meanwhile can offer its services from its next pull.
    await keys.runOnce().catch((error: unknown) => {
      logger.log('error', 'applications.keys-failed', { error: String(error) });
    });
    // A submission may take several steps in one cycle (created → submitted), each recorded.
    for (let round = 0; round < 3; round++) {
      const due = await dueApplications(storage.sql, clock.now(), batchSize);
      let progressed = false;
      for (const app of due) {
        const result = await step(app);
        if (result === 'moved') {
          summary.moved += 1;
          progressed = true;
        } else if (result !== 'waiting') summary[result] += 1;
      }
      if (!progressed) break;
    }
    return summary;
  }

  let running: Promise<RelaySummary> = Promise.resolve({ moved: 0, retried: 0, parked: 0 });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const runOnce = () => {
    running = running.then(cycle, cycle);
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((error: unknown) =>
          logger.log('error', 'applications.cycle-failed', { error: String(error) }),
        )
        .finally(schedule);
    }, config.intervalMs);
  };
  return {
    runOnce,
    distributeKeys: () => keys.runOnce(),
    start() {
      stopped = false;
      void runOnce()
        .catch((error: unknown) =>
          logger.log('error', 'applications.cycle-failed', { error: String(error) }),
        )
        .finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
