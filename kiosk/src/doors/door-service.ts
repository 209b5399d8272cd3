import { err, type Logger, ok, type Result } from '@amtomat/basics';
import type {
  DoorEvent,
  DoorState,
  UnlockFailure,
  UnlockSuccess,
} from '@amtomat/locker-controller';
import type { Store } from '../store/store.ts';
import type { DoorIntent, DoorPurpose } from '../store/types.ts';

/** The part of the locker controller the door service needs (a port, for tests). */
export interface DoorPort {
  unlock(
    label: string,
    options?: { onSent?: () => void },
  ): Promise<Result<UnlockSuccess, UnlockFailure>>;
  door(label: string): DoorState | undefined;
  onEvent(listener: (event: DoorEvent) => void): () => void;
  polledOnce(): Promise<void>;
}

/** What happened to a door that a flow asked for. */
export type DoorNews =
  | { type: 'opened'; intent: DoorIntent }
  | { type: 'failed'; intent: DoorIntent; reason: string }
  | { type: 'closed'; intent: DoorIntent };

export interface OpenRequest {
  compartment: string;
  purpose: DoorPurpose;
  itemIds: string[];
  sessionId?: string | null;
  staffId?: string | null;
}

/**
 * Intent → act → confirm for every door (DESIGN.md §4.2). The intent is recorded before
 * the unlock leaves, `sent` as soon as it has left, `opened` with the business change
 * (e.g. the items are picked up) once the door is seen open, `closed` when it shuts.
 * Recovery after a crash reads the open intents and the doors' states, completes what
 * demonstrably happened, and never sends a second unlock.
 */
/**
 * The business change that goes with a door, by purpose, written in the same transaction
 * as the door's state: a pickup happens when the door is seen open (the citizen has the
 * item), a load or deposit when the door closes on the item (then the citizen is notified).
 */
interface Completion {
  onOpened?(args: { store: Store; intent: DoorIntent; itemIds: string[] }): StoreAnswer;
  onClosed?(args: {
    store: Store;
    intent: DoorIntent;
    itemPresent: boolean | undefined;
  }): StoreAnswer;
}

/** What the store said to a step's change (nothing: there was nothing to change). */
type StoreAnswer = Result<unknown, string> | undefined;

const loadOnClose: Completion = {
  onClosed({ store, intent, itemPresent }) {
    // With an item sensor the item must be seen; without one, the closed door is trusted.
    if (!intent.itemId || itemPresent === false) return undefined;
    return store.markLoaded(intent.itemId, intent.compartment, intent.staffId ?? 'unknown');
  },
};

export const COMPLETIONS: Record<DoorPurpose, Completion> = {
  pickup: {
    onOpened({ store, intent, itemIds }) {
      if (itemIds.length === 0) return undefined;
      return store.markPickedUp(itemIds, intent.sessionId ?? 'unknown');
    },
  },
  retrieve: {
    onOpened({ store, intent }) {
      if (!intent.itemId) return undefined;
      return store.markRetrieved(intent.itemId, intent.staffId ?? 'unknown');
    },
  },
  load: loadOnClose,
  deposit: loadOnClose,
  'drop-off': {
    // The drop-off was announced before its door opened; the close puts it in. With an item
    // sensor that sees the compartment empty, nothing was put in: no drop-off is recorded.
    onClosed({ store, intent, itemPresent }) {
      if (!intent.itemId) return undefined;
      if (itemPresent === false) {
        return store.cancelAnnounced(intent.itemId, 'system', 'nothing-inserted');
      }
      return store.completeDropOff(
        intent.itemId,
        intent.compartment,
        intent.sessionId ?? 'unknown',
      );
    },
  },
  maintenance: {},
  'door-test': {},
};

/** Points of the intent protocol; crash tests stop the process at each one. */
export type DoorStep = 'intent-recorded' | 'unlock-sent' | 'door-opened' | 'door-closed';

/** Store changes of a door step that the store may refuse (audited as `door-step-refused`). */
type RefusableStep =
  | 'intent-sent'
  | 'intent-opened'
  | 'intent-closed'
  | 'intent-failed'
  | 'completion';

export function createDoorService(deps: {
  store: Store;
  locker: DoorPort;
  now: () => number;
  logger: Logger;
  afterStep?: (step: DoorStep) => void;
}) {
  const { store, locker, now, logger } = deps;
  const afterStep = deps.afterStep ?? (() => {});
  const listeners = new Set<(news: DoorNews) => void>();
  const tell = (news: DoorNews) => {
    for (const listener of listeners) listener(news);
  };

  /**
   * A door step whose store change was refused — the item was cancelled or withdrawn while
   * its door was open (`wrong-status`), the intent was already settled — is never silent:
   * an audit row and an alarm for staff in the step's transaction, and one log line.
   */
  function reportIfRefused(intent: DoorIntent, step: RefusableStep, answer: StoreAnswer): void {
    if (answer === undefined || answer.ok) return;
    const reason = answer.error;
    store.audit({
      at: now(),
      actor: 'system',
      action: 'door-step-refused',
      subject: intent.compartment,
      details: { step, reason, purpose: intent.purpose, intent: intent.id, item: intent.itemId },
    });
    store.enqueue('alarm', {
      kind: 'door-step-refused',
      compartment: intent.compartment,
      step,
      reason,
    });
    logger.log('error', 'doors.step_refused', {
      compartment: intent.compartment,
      purpose: intent.purpose,
      step,
      reason,
    });
  }

  /** The business change when a door is seen open for its intent (same transaction). */
  function completeOpened(intent: DoorIntent, itemIds: string[]) {
    store.transaction(() => {
      reportIfRefused(intent, 'intent-opened', store.setIntentState(intent.id, 'opened'));
      store.recordDoor(intent.compartment, 'open', now());
      reportIfRefused(
        intent,
        'completion',
        COMPLETIONS[intent.purpose].onOpened?.({ store, intent, itemIds }),
      );
    });
  }

  /** The door closed on an opened intent: its state and business change (caller's transaction). */
  function completeClosed(intent: DoorIntent, itemPresent: boolean | undefined) {
    reportIfRefused(intent, 'intent-closed', store.setIntentState(intent.id, 'closed'));
    reportIfRefused(
      intent,
      'completion',
      COMPLETIONS[intent.purpose].onClosed?.({ store, intent, itemPresent }),
    );
  }

  function fail(intent: DoorIntent, reason: string) {
    store.transaction(() => {
      reportIfRefused(
        intent,
        'intent-failed',
        store.setIntentState(intent.id, 'failed', { failure: reason }),
      );
      store.audit({
        at: now(),
        actor: intent.staffId ?? 'system',
        action: 'door-failed',
        subject: intent.compartment,
        details: { reason, purpose: intent.purpose },
      });
      // Staff must look: a door that would not open, or whose fate a crash hid.
      if (reason !== 'interrupted') {
        store.enqueue('alarm', { kind: `door-${reason}`, compartment: intent.compartment });
      }
    });
    logger.log('warn', 'doors.open_failed', { compartment: intent.compartment, reason });
  }

  locker.onEvent((event) => {
    if (event.type === 'board-offline' || event.type === 'board-online') return;
    const label = event.compartment;
    switch (event.type) {
      case 'opened':
        store.recordDoor(label, 'open', event.at);
        return;
      case 'forced-open':
        store.transaction(() => {
          store.recordDoor(label, 'open', event.at);
          store.audit({
            at: event.at,
            actor: 'system',
            action: 'door-forced-open',
            subject: label,
          });
          store.enqueue('alarm', { kind: 'door-forced-open', compartment: label });
        });
        return;
      case 'left-open':
        store.transaction(() => {
          store.audit({ at: event.at, actor: 'system', action: 'door-left-open', subject: label });
          store.enqueue('alarm', {
            kind: 'door-left-open',
            compartment: label,
            openForMs: event.openForMs,
          });
        });
        return;
      case 'closed':
        closed(label, event.at);
        return;
      case 'item-present-changed':
        return;
    }
  });

  function closed(label: string, at: number) {
    const intents = store
      .openIntents()
      .filter((intent) => intent.compartment === label && intent.state === 'opened');
    const itemPresent = locker.door(label)?.itemPresent;
    store.transaction(() => {
      store.recordDoor(label, 'closed', at);
      for (const intent of intents) completeClosed(intent, itemPresent);
    });
    if (intents.length > 0) afterStep('door-closed');
    for (const intent of intents) tell({ type: 'closed', intent: { ...intent, state: 'closed' } });
  }

  async function open(request: OpenRequest): Promise<Result<DoorIntent, string>> {
    const intent = store.createIntent({
      compartment: request.compartment,
      purpose: request.purpose,
      itemId: request.itemIds[0] ?? null,
      sessionId: request.sessionId ?? null,
      staffId: request.staffId ?? null,
    });
    afterStep('intent-recorded');
    const result = await locker.unlock(request.compartment, {
      onSent: () => {
        store.transaction(() =>
          reportIfRefused(intent, 'intent-sent', store.setIntentState(intent.id, 'sent')),
        );
        afterStep('unlock-sent');
      },
    });
    if (!result.ok) {
      fail(intent, result.error.kind);
      tell({ type: 'failed', intent, reason: result.error.kind });
      return err(result.error.kind);
    }
    completeOpened(intent, request.itemIds);
    afterStep('door-opened');
    const opened = { ...intent, state: 'opened' as const };
    tell({ type: 'opened', intent: opened });
    // The door may have been shut again before we got here.
    if (locker.door(request.compartment)?.open === false) closed(request.compartment, now());
    return ok(opened);
  }

  /** After a restart: settle every intent that was under way. */
  async function recover(): Promise<DoorNews[]> {
    await locker.polledOnce();
    const news: DoorNews[] = [];
    for (const intent of store.openIntents()) {
      const door = locker.door(intent.compartment)?.open;
      if (intent.state === 'opened') {
        news.push({ type: 'opened', intent });
        if (door === false) {
          const itemPresent = locker.door(intent.compartment)?.itemPresent;
          store.transaction(() => {
            store.recordDoor(intent.compartment, 'closed', now());
            completeClosed(intent, itemPresent);
          });
          news.push({ type: 'closed', intent: { ...intent, state: 'closed' } });
        }
        continue;
      }
      if (door === true) {
        // The unlock left before the crash and the door opened: complete what happened.
        completeOpened(intent, intent.itemId ? [intent.itemId] : []);
        news.push({ type: 'opened', intent: { ...intent, state: 'opened' } });
        continue;
      }
      // Closed (or unknown): it never opened, or opened and closed unseen. Do not unlock
      // again; the item stays where it is, and an unclear case is an alarm for staff.
      const reason = intent.state === 'sent' ? 'uncertain' : 'interrupted';
      fail(intent, reason);
      news.push({ type: 'failed', intent, reason });
    }
    logger.log('info', 'doors.recovered', { intents: news.length });
    for (const item of news) tell(item);
    return news;
  }

  return {
    open,
    recover,
    onNews(listener: (news: DoorNews) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type DoorService = ReturnType<typeof createDoorService>;
