/**
 * The terminal's side of the fleet sync (admin-sync/agent), wired over the kiosk store:
 * the device identity in `<dataDir>/sync/`, enrolment with the site's one-time token, the
 * agent pushing the outbox and pulling the feed. Nothing here blocks the start or a flow:
 * enrolment runs in the background and is retried with backoff; every failure is a log line
 * and `state().lastError`.
 */
import { join } from 'node:path';
import {
  backoffDelayMs,
  type CredentialsPort,
  createSyncAgent,
  type DeviceIdentity,
  enrolDevice,
  type FeedPort,
  fileCredentials,
  type OutboxPort,
  type SmsCodeClient,
  type SyncAgent,
  smsCodeClient,
} from '@amtomat/admin-sync/agent';
import type { TerminalStatus } from '@amtomat/admin-sync/protocol';
import type { Clock, Logger } from '@amtomat/basics';
import type { SyncStatusView } from '../contract/index.ts';
import type { DoorAlert } from '../core/views.ts';
import type { Store } from '../store/store.ts';
import type { SiteConfig } from './config.ts';
import { applyFeedEntries, type RemoteOpen, storedCursor } from './feed.ts';

export { SYNC_CURSOR_SETTING } from './feed.ts';

const BATCH_SIZE = 100;
const BACKOFF = { initialMs: 2_000, maxMs: 5 * 60_000 };

/** The sync's state: the shape the staff menu shows (the contract's `SyncStatusView`). */
export type SyncStatus = SyncStatusView;

export interface KioskSync {
  state(): SyncStatus;
  /** Enrols first if still needed, then runs a cycle now. Never throws. */
  syncNow(): Promise<SyncStatus>;
  /** The fleet's SMS codes, signed as this terminal; null until it is enrolled. */
  smsCodes(): SmsCodeClient | null;
  close(): Promise<void>;
}

export function outboxPort(store: Store, clock: Clock): OutboxPort {
  return {
    pending: (limit) => store.pendingOutbox(clock.now(), limit),
    markSent: (seqs) => {
      store.markOutboxSent(seqs);
    },
    markFailed: (seq, error) => {
      store.markOutboxFailed(seq, error);
    },
    length: () => store.outboxLength(),
  };
}

/** What the console's terminal overview shows of this terminal: counts, no personal data. */
export function terminalStatus(
  store: Store,
  clock: Clock,
  doorAlerts: readonly DoorAlert[],
  version?: string,
  boardsOffline: readonly string[] = [],
): TerminalStatus {
  const compartments = store.compartments();
  return {
    at: clock.now(),
    queueLength: store.outboxLength(),
    compartments: {
      total: compartments.length,
      occupied: compartments.filter((c) => store.itemsInCompartment(c.label).length > 0).length,
      defective: compartments.filter((c) => c.defective).length,
    },
    doorAlarms: doorAlerts.map((alert) => ({ compartment: alert.compartment, alarm: alert.kind })),
    ...(version !== undefined && { version }),
    // For the evaluation's board availability; absent when every board answers.
    ...(boardsOffline.length > 0 && { boardsOffline: [...boardsOffline] }),
  };
}

/** The feed applied to the store (feed.ts); remote door openings after the commit. */
export function feedPort(
  store: Store,
  logger: Logger,
  clock: Pick<Clock, 'now'>,
  remoteOpen?: RemoteOpen,
): FeedPort {
  return {
    cursor: () => storedCursor(store),
    apply(entries) {
      const openings = applyFeedEntries(store, entries, logger, clock.now());
      for (const { compartment, actor } of openings) {
        if (!remoteOpen) {
          logger.log('warn', 'sync.remote_open_unsupported', { compartment });
          continue;
        }
        remoteOpen(compartment, actor).catch((error: unknown) => {
          logger.log('error', 'sync.remote_open_failed', { compartment, error: String(error) });
        });
      }
    },
  };
}

export function startKioskSync(options: {
  config: NonNullable<SiteConfig['sync']>;
  dataDir: string;
  store: Store;
  /** The terminal's code key (the store's hasher), handed to the server at enrolment. */
  codeKey: Buffer;
  clock: Clock;
  logger: Logger;
  label?: string;
  /** Opens a compartment for staff on site, on a command from the console. */
  remoteOpen?: RemoteOpen;
  /** Doors standing open that should not (the core's view), for the console's overview. */
  doorAlerts?: () => readonly DoorAlert[];
  /** Lock boards not answering (`bus:board`), for the evaluation's availability. */
  boardsOffline?: () => readonly string[];
  version?: string;
}): KioskSync {
  const { config, store, clock, logger } = options;
  const credentials: CredentialsPort = fileCredentials(join(options.dataDir, 'sync'));
  let agent: SyncAgent | undefined;
  let codes: SmsCodeClient | null = null;
  let enrolError: string | null = null;
  let enrolFailures = 0;
  let enrolTimer: NodeJS.Timeout | undefined;
  let enrolling: Promise<void> | undefined;
  let closed = false;

  const startAgent = (identity: DeviceIdentity) => {
    agent = createSyncAgent({
      baseUrl: config.url,
      identity,
      outbox: outboxPort(store, clock),
      feed: feedPort(store, logger, clock, options.remoteOpen),
      clock,
      logger,
      batchSize: BATCH_SIZE,
      backoff: BACKOFF,
      ...(config.intervalMs !== undefined && { intervalMs: config.intervalMs }),
      status: () =>
        terminalStatus(
          store,
          clock,
          options.doorAlerts?.() ?? [],
          options.version,
          options.boardsOffline?.(),
        ),
    });
    agent.start();
    codes = smsCodeClient({ baseUrl: config.url, identity, now: () => clock.now() });
    enrolError = null;
  };

  const enrol = async (): Promise<void> => {
    if (closed || agent) return;
    const stored = credentials.load();
    if (!stored.ok) {
      enrolError = `device identity: ${stored.error}`;
      logger.log('error', 'sync.identity_unreadable', { error: stored.error });
      return; // a person must look at the file; the next start tries again
    }
    if (stored.value) return startAgent(stored.value);
    if (config.enrolmentToken === undefined) {
      enrolError = 'not enrolled: the site configuration has no sync.enrolmentToken';
      logger.log('error', 'sync.not_enrolled', { reason: 'no enrolment token' });
      return;
    }
    const enrolled = await enrolDevice({
      baseUrl: config.url,
      token: config.enrolmentToken,
      codeKey: options.codeKey,
      credentials,
      clock,
      logger,
      timeoutMs: 15_000,
      ...(options.label !== undefined && { label: options.label }),
    });
    if (closed) return;
    if (enrolled.ok) return startAgent(enrolled.value);
    enrolFailures++;
    enrolError = `enrolment failed (${enrolled.error.kind}): ${enrolled.error.message}`;
    // A spent or wrong token stays wrong: wait for a new one in the configuration.
    const retry = enrolled.error.kind !== 'invalid-token' && enrolled.error.kind !== 'storage';
    const delay = retry ? backoffDelayMs(enrolFailures, BACKOFF) : undefined;
    logger.log(retry ? 'warn' : 'error', 'sync.enrol_failed', {
      kind: enrolled.error.kind,
      failures: enrolFailures,
      retryInMs: delay ?? null,
    });
    if (delay !== undefined) {
      clearTimeout(enrolTimer);
      enrolTimer = setTimeout(() => void attemptEnrol(), delay);
    }
  };

  const attemptEnrol = (): Promise<void> => {
    enrolling ??= enrol()
      .catch((error: unknown) => {
        enrolError = `enrolment failed: ${error instanceof Error ? error.message : String(error)}`;
        logger.log('error', 'sync.enrol_failed', { kind: 'bug', error: enrolError });
      })
      .finally(() => {
        enrolling = undefined;
      });
    return enrolling;
  };

  const state = (): SyncStatus => {
    if (agent) {
      const { online, lastSync, lastError, lastProblem, queueLength } = agent.state();
      return { online, lastSync, lastError, problem: lastProblem, queueLength };
    }
    let queueLength = 0;
    try {
      queueLength = store.outboxLength();
    } catch {
      // health must answer even then
    }
    return {
      online: false,
      lastSync: null,
      lastError: enrolError ?? 'not enrolled yet',
      problem: enrolError ? 'enrolment-failed' : 'not-enrolled',
      queueLength,
    };
  };

  void attemptEnrol();

  return {
    state,
    async syncNow() {
      if (!agent) {
        clearTimeout(enrolTimer);
        await attemptEnrol();
      }
      if (agent) await agent.syncNow();
      return state();
    },
    smsCodes: () => codes,
    async close() {
      closed = true;
      clearTimeout(enrolTimer);
      await enrolling;
      await agent?.stop();
    },
  };
}
