import { randomUUID } from 'node:crypto';
import type { SmsCodeClient } from '@amtomat/admin-sync/agent';
import { type Clock, err, type Logger, ok, type Result } from '@amtomat/basics';
import { type Actor, createActor, type Snapshot } from 'xstate';
import { z } from 'zod';
import type { TerminalLayout } from '../contract/layout.ts';
import {
  createDoorService,
  type DoorNews,
  type DoorPort,
  type DoorStep,
} from '../doors/door-service.ts';
import {
  AWAITING_ANSWER,
  effectHandler,
  type FlowEffect,
  SECRET_CONTEXT_KEYS,
} from '../flows/flow.ts';
import { persistedPrint } from '../flows/print-receipt.ts';
import { FLOWS } from '../flows/registry.ts';
import {
  SESSION_MACHINE_VERSION,
  type SessionEvent,
  type SessionTimers,
  sessionMachine,
} from '../flows/session.machine.ts';
import type { Receipts } from '../receipts/receipts.ts';
import type { ReceiptContent } from '../receipts/types.ts';
import type { Store } from '../store/store.ts';
import { LOCKOUT, lockedUntil } from './lockout.ts';
import { eventRefusal, uiEventSchema } from './ui-events.ts';
import {
  allowedEvents,
  type DoorAlert,
  projectView,
  type SyncStatusView,
  type View,
} from './views.ts';

export interface KioskCoreDeps {
  store: Store;
  locker: DoorPort;
  clock: Clock;
  logger: Logger;
  timers?: Partial<SessionTimers>;
  /** The site's time zone for every time on screen (default Europe/Berlin). */
  timeZone?: string;
  /** The reach band and the locker wall, for the page (`contract/layout.ts`). */
  layout?: TerminalLayout;
  /** The fleet sync's state, shown to staff on their menu. */
  syncStatus?: () => SyncStatusView | null;
  /** The fleet's SMS codes while the sync is enrolled and online (applications). */
  smsCodes?: () => SmsCodeClient | null;
  /** The site's receipt printer; absent: the receipt screens offer no printing. */
  receipts?: Receipts;
  /** Test seam: called after each step of a door's intent protocol (crash tests). */
  afterDoorStep?: (step: DoorStep) => void;
}

export type SendError =
  | { kind: 'invalid'; issues: string }
  | { kind: 'not-allowed'; screen: View['screen']; event: string };

export const deviceEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('CARD'), uid: z.string().regex(/^[0-9A-F]{4,32}$/) }),
  z.object({
    type: z.literal('SCAN'),
    text: z.string().min(1).max(4096),
    symbology: z.string().max(3),
  }),
]);
export type DeviceEvent = z.infer<typeof deviceEventSchema>;

export interface KioskHealth {
  session: View['screen'];
  /** The store answers a query (else `outboxLength` is null). */
  storeOk: boolean;
  outboxLength: number | null;
  /** From the last walk of the audit chain (at most every `AUDIT_RECHECK_MS`). */
  auditOk: boolean;
}

/** Walking the whole audit chain is O(entries): not on every health poll. */
const AUDIT_RECHECK_MS = 10 * 60_000;

/**
 * The kiosk core: one session actor, its persistence, and the effects it asks for
 * (code checks, doors), wired to the store and the locker. The service of the next stage
 * puts an RPC in front of `send` / `subscribe`.
 */
export interface KioskCore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A UI event: validated, checked against the current screen, stamped with the time. */
  send(event: unknown): Result<void, SendError>;
  /**
   * What an input device read: a card tapped on the staff reader, a code scanned. Not a
   * UI event (the page cannot send it); validated, and passed to the session, where the
   * current flow or screen decides what it means.
   */
  deviceInput(event: DeviceEvent): Result<void, SendError>;
  view(): View;
  subscribe(listener: (view: View) => void): () => void;
  /**
   * Opens a compartment for staff on site, commanded from the Bürgerbüro console (intent →
   * act → confirm, purpose `maintenance`, audited by the door service). Refused while a
   * person uses the terminal: a door must not open beside someone else's session.
   */
  remoteOpen(compartment: string, actor: string): Promise<Result<void, string>>;
  /** Advances timers (inactivity, return home, expiry); called every second by `start`. */
  tick(): void;
  health(): KioskHealth;
}

const SNAPSHOT_ID = 'session';

/** A session event before the core stamps its time. */
type Unstamped<E> = E extends unknown ? Omit<E, 'at'> : never;
const TICK_MS = 1000;

export function createKioskCore(deps: KioskCoreDeps): KioskCore {
  const { store, locker, clock, logger } = deps;
  const doors = createDoorService({
    store,
    locker,
    now: () => clock.now(),
    logger,
    ...(deps.afterDoorStep && { afterStep: deps.afterDoorStep }),
  });
  const listeners = new Set<(view: View) => void>();
  let actor: Actor<typeof sessionMachine> | undefined;
  let current: View | undefined;
  const ticking = new AbortController();
  /** Doors standing open that should not, by compartment; cleared when they close. */
  const doorAlerts = new Map<string, DoorAlert['kind']>();
  let stopTrackingDoorAlerts: (() => void) | undefined;
  let auditCheck: { at: number; ok: boolean } | undefined;

  function post(event: Unstamped<SessionEvent>) {
    actor?.send({ ...event, at: clock.now() } as SessionEvent);
  }

  function restoredActor(): Actor<typeof sessionMachine> {
    const saved = store.loadSnapshot(SNAPSHOT_ID);
    if (saved && saved.version === SESSION_MACHINE_VERSION) {
      try {
        const snapshot = JSON.parse(saved.snapshot) as Snapshot<unknown>;
        return createActor(sessionMachine, { input: { timers: deps.timers }, snapshot });
      } catch (error) {
        logger.log('error', 'core.snapshot_unreadable', { error: String(error) });
      }
    } else if (saved) {
      logger.log('warn', 'core.snapshot_version_mismatch', { version: saved.version });
    }
    return createActor(sessionMachine, { input: { timers: deps.timers ?? {} } });
  }

  function persist() {
    if (!actor) return;
    // Entered codes and dates are secrets: a restored session asks for them again.
    const json = JSON.stringify(actor.getPersistedSnapshot(), (key, value) =>
      SECRET_CONTEXT_KEYS.has(key) ? '' : persistedPrint(key, value),
    );
    store.saveSnapshot(SNAPSHOT_ID, 'session', SESSION_MACHINE_VERSION, json);
  }

  function publish() {
    if (!actor) return;
    const snapshot = actor.getSnapshot();
    if (snapshot.matches('attract') && snapshot.context.sessionId === null) {
      post({ type: 'NEW_SESSION', sessionId: randomUUID() });
      return; // that transition publishes
    }
    current = project();
    for (const listener of listeners) listener(current);
  }

  function project(): View {
    const alerts = [...doorAlerts].map(([compartment, kind]) => ({ compartment, kind }));
    const { syncStatus, timeZone, layout } = deps;
    return projectView(actor!.getSnapshot(), {
      doorAlerts: alerts,
      printer: deps.receipts !== undefined,
      ...(syncStatus && { syncStatus }),
      ...(timeZone !== undefined && { timeZone }),
      ...(layout && { layout }),
    });
  }

  function trackDoorAlerts() {
    stopTrackingDoorAlerts = locker.onEvent((event) => {
      if (event.type === 'left-open' || event.type === 'forced-open') {
        doorAlerts.set(event.compartment, event.type);
      } else if (event.type === 'closed' && doorAlerts.has(event.compartment)) {
        doorAlerts.delete(event.compartment);
      } else return;
      publish();
    });
  }

  const codeLock = {
    lockedUntil(): number | null {
      const now = clock.now();
      return lockedUntil(store.codeFailureTimes(now - LOCKOUT.escalationWindowMs), now);
    },
    /** Records a wrong code; an alarm goes out when this failure engages a lock. */
    recordFailure(): number | null {
      const wasLocked = codeLock.lockedUntil() !== null;
      store.recordCodeFailure(clock.now());
      const until = codeLock.lockedUntil();
      if (until !== null && !wasLocked) {
        store.transaction(() => {
          store.audit({
            at: clock.now(),
            actor: 'system',
            action: 'code-entry-locked',
            details: { until },
          });
          store.enqueue('alarm', { kind: 'code-brute-force', lockedUntil: until });
        });
        logger.log('warn', 'core.code_entry_locked', { until });
      }
      return until;
    },
  };

  async function runEffect(effect: FlowEffect, sessionId: string | null, service: string | null) {
    const flow = FLOWS.find((candidate) => candidate.service === service);
    const handler = flow && effectHandler(flow, effect.kind);
    if (!handler) {
      logger.log('error', 'core.effect_unknown', { effect: effect.kind, service: service ?? null });
      return;
    }
    await handler(effect, {
      store,
      now: () => clock.now(),
      sessionId,
      logger,
      answer: (event) => {
        noteCitizenLanguage(event);
        post(event as Unstamped<SessionEvent>);
      },
      openDoor: async (request) => {
        // A failure is handled by the door service: audited, alarmed, told as DOOR_FAILED.
        void (await doors.open({ ...request, sessionId }));
      },
      codeLock,
      ...(deps.smsCodes && { smsCodes: deps.smsCodes }),
      ...(actor && { language: actor.getSnapshot().context.language }),
      ...(deps.receipts && { printReceipt: printReceipt(deps.receipts) }),
    });
  }

  /** Prints in the language the session has when the citizen asks (the receipt's words). */
  function printReceipt(receipts: Receipts) {
    return (receipt: ReceiptContent) =>
      receipts.print(receipt, actor?.getSnapshot().context.language ?? 'de');
  }

  /**
   * A code that matched items (any pickup flow's `CODE_OK`): the fleet learns the language
   * the citizen uses here, and sends the items' further notices in it.
   */
  function noteCitizenLanguage(event: { type: string; items?: unknown }) {
    const language = actor?.getSnapshot().context.language;
    if (event.type !== 'CODE_OK' || !Array.isArray(event.items) || !language) return;
    const ids = event.items.flatMap((item: unknown) =>
      typeof item === 'object' && item !== null && 'id' in item ? [String(item.id)] : [],
    );
    store.noteItemLanguage(ids, language);
  }

  function forwardDoorNews(news: DoorNews) {
    if (news.intent.sessionId !== actor?.getSnapshot().context.sessionId) return;
    const compartment = news.intent.compartment;
    if (news.type === 'opened') post({ type: 'DOOR_OPENED', compartment });
    else if (news.type === 'closed') post({ type: 'DOOR_CLOSED', compartment });
    else post({ type: 'DOOR_FAILED', compartment, reason: news.reason });
  }

  /**
   * After a restart, tell a restored session what became of each door it was waiting for,
   * from the recorded intents (the single source of truth once recovery has run). A flow
   * that waited for an answer of the core (a code check) lost it with the process: the
   * session ends as interrupted; the code was never kept, so nothing can be asked again.
   */
  function resyncSession() {
    const snapshot = actor?.getSnapshot();
    const sessionId = snapshot?.context.sessionId;
    if (!snapshot || !sessionId) return;
    // Read before the door news below, whose transitions may ask for new answers.
    const lostAnswer = snapshot.children.flow?.getSnapshot().hasTag(AWAITING_ANSWER) ?? false;
    const intents = store.intentsOfSession(sessionId);
    for (const compartment of snapshot.context.busyDoors) {
      const intent = intents.filter((candidate) => candidate.compartment === compartment).at(-1);
      // After recovery an intent is opened, closed or failed; none means it was never made.
      if (!intent || intent.state === 'failed') {
        const reason = intent?.failure ?? 'interrupted';
        post({ type: 'DOOR_FAILED', compartment, reason });
        continue;
      }
      post({ type: 'DOOR_OPENED', compartment });
      if (intent.state === 'closed') post({ type: 'DOOR_CLOSED', compartment });
    }
    if (lostAnswer) {
      logger.log('warn', 'core.session_interrupted', {});
      post({ type: 'INTERRUPTED' });
    }
  }

  async function tickLoop() {
    while (!ticking.signal.aborted) {
      await clock.sleep(TICK_MS, ticking.signal);
      if (!ticking.signal.aborted) tick();
    }
  }

  function tick() {
    post({ type: 'TICK' });
    store.expireDue(clock.now());
  }

  return {
    async start() {
      actor = restoredActor();
      actor.on('effect', ({ effect, sessionId, service }) => {
        // After the transition that asked for it has been persisted: a crash inside the
        // effect (an intent recorded, an unlock sent) finds the session waiting for it.
        const run = () =>
          runEffect(effect, sessionId, service).catch((error: unknown) =>
            logger.log('error', 'core.effect_failed', {
              effect: effect.kind,
              error: String(error),
            }),
          );
        queueMicrotask(run);
      });
      actor.on('usage', ({ sessionId, usage }) => {
        const { type, service, ...data } = usage;
        store.recordUsage({
          sessionId: sessionId ?? 'none',
          type: String(type),
          service: typeof service === 'string' ? service : null,
          data,
        });
      });
      actor.subscribe(() => {
        persist();
        publish();
      });
      actor.start();
      publish();
      trackDoorAlerts();
      await doors.recover();
      resyncSession();
      doors.onNews(forwardDoorNews);
      void tickLoop();
    },
    async stop() {
      ticking.abort();
      stopTrackingDoorAlerts?.();
      actor?.stop();
    },
    send(input) {
      const parsed = uiEventSchema.safeParse(input);
      if (!parsed.success) {
        logger.log('warn', 'core.event_invalid', { issues: parsed.error.issues.length });
        return err({ kind: 'invalid', issues: eventRefusal(input, parsed.error) });
      }
      const event = parsed.data;
      const screen = (current ?? project()).screen;
      if (!allowedEvents(screen).includes(event.type)) {
        logger.log('warn', 'core.event_not_allowed', { screen, event: event.type });
        return err({ kind: 'not-allowed', screen, event: event.type });
      }
      post(event as Unstamped<SessionEvent>);
      return ok(undefined);
    },
    deviceInput(input) {
      const parsed = deviceEventSchema.safeParse(input);
      if (!parsed.success) {
        logger.log('warn', 'core.device_input_invalid', { issues: parsed.error.issues.length });
        return err({ kind: 'invalid', issues: eventRefusal(input, parsed.error) });
      }
      post(parsed.data);
      return ok(undefined);
    },
    view() {
      return current ?? project();
    },
    async remoteOpen(compartment, actor) {
      if ((current ?? project()).screen !== 'attract') return err('terminal-in-use');
      const opened = await doors.open({
        compartment,
        purpose: 'maintenance',
        itemIds: [],
        staffId: actor,
      });
      return opened.ok ? ok(undefined) : err(opened.error);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (current) listener(current);
      return () => listeners.delete(listener);
    },
    tick,
    health() {
      const now = clock.now();
      if (!auditCheck || now - auditCheck.at >= AUDIT_RECHECK_MS) {
        auditCheck = { at: now, ok: store.verifyAudit().ok };
      }
      let outboxLength: number | null = null;
      try {
        outboxLength = store.outboxLength();
      } catch (error) {
        logger.log('error', 'core.store_unavailable', { error: String(error) });
      }
      return {
        session: (current ?? project()).screen,
        storeOk: outboxLength !== null,
        outboxLength,
        auditOk: auditCheck.ok,
      };
    },
  };
}
