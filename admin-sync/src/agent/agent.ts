/**
 * The sync agent: pushes the terminal's outbox, then pulls its feed, then reports its status,
 * on a timer and on demand; backs off with full jitter while that fails. It never throws and never blocks the
 * caller: every failure becomes `state().lastError` and a log line (no payload contents).
 */
import { createPrivateKey } from 'node:crypto';
import type { Clock, Logger } from '@amtomat/basics';
import {
  DEFAULT_PULL_LIMIT,
  MAX_PULL_LIMIT,
  MAX_PUSH_BATCH,
  type TerminalStatus,
} from '../protocol/index.ts';
import { type BackoffOptions, backoffDelayMs } from './backoff.ts';
import { type Fetch, type SignedClient, signedClient } from './http.ts';
import type { FeedPort, OutboxPort } from './ports.ts';
import {
  type PushTally,
  pullFeed,
  pushOutbox,
  reportStatus,
  type StepContext,
  type SyncProblem,
} from './steps.ts';

export interface SyncAgentOptions {
  /** The fleet server's origin, e.g. `https://fleet.example.org` (no path: paths are signed). */
  baseUrl: string;
  identity: { deviceId: string; privateKeyPem: string };
  outbox: OutboxPort;
  feed: FeedPort;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
  fetch?: Fetch;
  /** Events per push request, 1 to 500. */
  batchSize: number;
  backoff: BackoffOptions;
  /** Between successful cycles; default 30 s. */
  intervalMs?: number;
  /** Per request, body included; default 30 s. */
  requestTimeoutMs?: number;
  /** Feed entries per pull; default 100. */
  pullLimit?: number;
  /** For the jitter; default Math.random. */
  random?: () => number;
  /** The terminal's status for the console's overview, sent after each push and pull. */
  status?: () => TerminalStatus;
}

export interface SyncState {
  /** The last cycle reached the server and completed. */
  online: boolean;
  /** End of the last successful cycle. */
  lastSync: number | null;
  /** Unsent outbox events. */
  queueLength: number;
  lastError: string | null;
  /** The kind of the last failure, for staff (in their language); null after a success. */
  lastProblem: SyncProblem | null;
  /** When the timer runs the next cycle (null while stopped and nothing failed). */
  nextAttemptAt: number | null;
  /** Consecutive failed cycles. */
  failures: number;
  /** The device clock minus the server's, as the server last reported it. */
  clockSkewMs: number | null;
  /** Since start: events the server parked, and events closed undeliverable (conflicts). */
  parked: number;
  rejected: number;
}

export interface SyncAgent {
  start(): void;
  /** Stops the timer, aborts a request under way and waits for the cycle to end. */
  stop(): Promise<void>;
  /** Runs a cycle now (after the one under way, if any), whatever the backoff. */
  syncNow(): Promise<SyncState>;
  state(): SyncState;
}

export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const clampInt = (value: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.trunc(value)));

export function createSyncAgent(options: SyncAgentOptions): SyncAgent {
  const { clock, logger, outbox } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const privateKey = createPrivateKey(options.identity.privateKeyPem);
  const tally: PushTally = { parked: 0, rejected: 0 };
  const status = {
    online: false,
    lastSync: null as number | null,
    queueLength: 0,
    lastError: null as string | null,
    lastProblem: null as SyncProblem | null,
    nextAttemptAt: null as number | null,
    failures: 0,
    clockSkewMs: null as number | null,
  };
  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let abort: AbortController | undefined;

  const queueLength = () => {
    try {
      status.queueLength = outbox.length();
    } catch {
      // keep the last known length; the cycle reports the port's failure
    }
    return status.queueLength;
  };

  /** Remembers the skew the server reports on every authenticated reply. */
  const observing = (client: SignedClient): SignedClient => {
    const seen = <T extends Awaited<ReturnType<SignedClient['get']>>>(reply: T) => {
      if (reply.ok && reply.value.skewMs !== undefined) status.clockSkewMs = reply.value.skewMs;
      return reply;
    };
    return {
      get: async (path) => seen(await client.get(path)),
      post: async (path, body) => seen(await client.post(path, body)),
    };
  };

  const context = (signal: AbortSignal): StepContext => ({
    deviceId: options.identity.deviceId,
    client: observing(
      signedClient(
        {
          baseUrl: options.baseUrl,
          fetch: options.fetch ?? fetch,
          timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          signal,
        },
        { deviceId: options.identity.deviceId, privateKey },
        () => clock.now(),
      ),
    ),
    outbox,
    feed: options.feed,
    logger,
    batchSize: clampInt(options.batchSize, 1, MAX_PUSH_BATCH),
    pullLimit: clampInt(options.pullLimit ?? DEFAULT_PULL_LIMIT, 1, MAX_PULL_LIMIT),
    tally,
    ...(options.status && { status: options.status }),
  });

  const succeeded = () => {
    const now = clock.now();
    if (!status.online || status.failures > 0) logger.log('info', 'sync.online', {});
    Object.assign(status, {
      online: true,
      lastSync: now,
      lastError: null,
      lastProblem: null,
      failures: 0,
    });
    status.nextAttemptAt = started ? now + intervalMs : null;
  };

  const failed = (message: string, problem: SyncProblem, skewMs: number | undefined) => {
    status.failures++;
    const delay = backoffDelayMs(status.failures, options.backoff, options.random);
    Object.assign(status, { online: false, lastError: message, lastProblem: problem });
    status.nextAttemptAt = clock.now() + delay;
    if (skewMs !== undefined) status.clockSkewMs = skewMs;
    logger.log('warn', 'sync.failed', {
      error: message,
      failures: status.failures,
      retryInMs: delay,
    });
  };

  const runCycle = async () => {
    if (stopping) return;
    abort = new AbortController();
    const ctx = context(abort.signal);
    try {
      const pushed = await pushOutbox(ctx);
      const pulled = pushed.ok ? await pullFeed(ctx) : pushed;
      // What applying the feed caused (a withdrawal, a refusal) reaches the fleet in this
      // cycle, not one interval later.
      const answered = pulled.ok && pulled.value.applied > 0 ? await pushOutbox(ctx) : pulled;
      const result = answered.ok ? await reportStatus(ctx) : answered;
      if (result.ok) succeeded();
      else if (!result.error.aborted)
        failed(result.error.message, result.error.problem, result.error.skewMs);
    } catch (error) {
      // A bug here must not escape into the kiosk: it is a failed cycle like any other.
      const message = `agent error: ${error instanceof Error ? error.message : String(error)}`;
      failed(message, 'internal', undefined);
    } finally {
      abort = undefined;
      queueLength();
      schedule();
    }
  };

  const cycle = (): Promise<void> => {
    running ??= runCycle().finally(() => {
      running = undefined;
    });
    return running;
  };

  function schedule() {
    clearTimeout(timer);
    timer = undefined;
    if (!started || stopping) return; // a timer firing mid-cycle joins that cycle
    const at = status.nextAttemptAt ?? clock.now();
    timer = setTimeout(
      () => {
        timer = undefined;
        void cycle();
      },
      Math.max(0, at - clock.now()),
    );
  }

  const state = (): SyncState => ({
    ...status,
    queueLength: queueLength(),
    parked: tally.parked,
    rejected: tally.rejected,
  });

  return {
    start() {
      if (started) return;
      started = true;
      status.nextAttemptAt = clock.now();
      schedule();
    },
    async stop() {
      started = false;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      abort?.abort();
      await Promise.allSettled([running, queued]);
      status.nextAttemptAt = null;
      stopping = false;
    },
    async syncNow() {
      if (running) {
        queued ??= running.then(() => {
          queued = undefined;
          return cycle();
        });
        await queued;
      } else {
        await cycle();
      }
      return state();
    },
    state,
  };
}
