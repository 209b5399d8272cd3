/**
 * Applying the fleet server's change feed to the terminal's store. Each batch is applied in
 * the transaction that stores the cursor, so a crash applies it again or not at all. A
 * change the terminal cannot apply (an announcement whose reference is still active here, a
 * command for an unknown compartment, a setting it does not know) is refused: audited with
 * its reason code, reported to the fleet (`feed-change-refused`, so the console shows it as
 * refused) and skipped — the server cannot fix it by sending it again, and one bad change
 * must not stop the feed. Remote door openings run after the commit, at most once.
 */
import type { FeedChange, FeedEntry, FeedRefusalCode } from '@amtomat/admin-sync/protocol';
import type { Logger } from '@amtomat/basics';
import { acceptDestinationKey } from '../applications/key-delivery.ts';
import { NEAREST_STATION_SETTING } from '../flows/courier-deposit.flow.ts';
import { holdingDaysSetting, ReferenceActiveError, type Store } from '../store/store.ts';

/** Settings key of the last feed cursor the terminal applied. */
export const SYNC_CURSOR_SETTING = 'sync.cursor';
/** The form catalogue of the application terminal, as the fleet sent it (JSON). */
export const FORM_CATALOGUE_SETTING = 'forms.catalogue';

/** Settings the fleet may change; anything else is refused. */
const REMOTE_SETTINGS = (key: string) =>
  key === NEAREST_STATION_SETTING ||
  key === holdingDaysSetting() ||
  key.startsWith(`${holdingDaysSetting()}.`);

/** Staff opening a door from the console: done after the feed's transaction commits. */
export type RemoteOpen = (compartment: string, actor: string) => Promise<void>;
export interface Opening {
  compartment: string;
  actor: string;
}

type Outcome = { applied: true } | { applied: false; reason: FeedRefusalCode };
const applied: Outcome = { applied: true };
const refused = (reason: FeedRefusalCode): Outcome => ({ applied: false, reason });

export function storedCursor(store: Store): number {
  const stored = Number(store.setting(SYNC_CURSOR_SETTING) ?? 0);
  return Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
}

/**
 * Applies entries after the stored cursor, in order, and stores the new cursor; returns the
 * door openings to run once the caller's transaction has committed. `now` is the time a
 * delivered destination key is checked at.
 */
export function applyFeedEntries(
  store: Store,
  entries: readonly FeedEntry[],
  logger: Logger,
  now: number,
): Opening[] {
  const openings: Opening[] = [];
  store.transaction(() => {
    let last = storedCursor(store);
    for (const entry of entries) {
      if (entry.cursor <= last) continue;
      const outcome = applyChange(store, entry.change, openings, now);
      if (!outcome.applied) {
        store.audit({
          actor: 'fleet',
          action: 'sync-change-refused',
          subject: subjectOf(entry.change),
          details: { kind: entry.change.kind, cursor: entry.cursor, reason: outcome.reason },
        });
        store.enqueue('feed-change-refused', {
          cursor: entry.cursor,
          kind: entry.change.kind,
          subject: subjectOf(entry.change),
          code: outcome.reason,
        });
        logger.log('warn', 'sync.feed_change_refused', {
          kind: entry.change.kind,
          cursor: entry.cursor,
          reason: outcome.reason,
        });
      }
      last = entry.cursor;
    }
    store.setSetting(SYNC_CURSOR_SETTING, String(last), { audit: false });
  });
  return openings;
}

const subjectOf = (change: FeedChange): string | null => {
  switch (change.kind) {
    case 'item-announced':
    case 'item-cancelled':
      return change.itemId;
    case 'command':
      return change.compartment;
    case 'destination-key':
      return change.destinationId;
    default:
      return null;
  }
};

function applyChange(store: Store, change: FeedChange, openings: Opening[], now: number): Outcome {
  switch (change.kind) {
    case 'item-announced':
      return announce(store, change);
    case 'item-cancelled':
      return cancel(store, change);
    case 'config-update': {
      if (!Object.keys(change.settings).every(REMOTE_SETTINGS)) return refused('unknown-setting');
      for (const value of Object.values(change.settings)) {
        if (typeof value !== 'string' && typeof value !== 'number') {
          return refused('invalid-setting');
        }
      }
      for (const [key, value] of Object.entries(change.settings)) {
        store.setSetting(key, String(value));
      }
      return applied;
    }
    case 'form-catalogue':
      store.setSetting(
        FORM_CATALOGUE_SETTING,
        JSON.stringify({ version: change.version, forms: change.forms }),
      );
      return applied;
    case 'destination-key': {
      const accepted = acceptDestinationKey(store, change, now);
      return accepted.ok ? applied : refused(accepted.error);
    }
    case 'command':
      return command(store, change, openings);
    case 'application-status':
      // What became of a submission (issue #12): staff see it in the audit; never content.
      store.audit({
        actor: 'fleet',
        action: `application-${change.state}`,
        subject: change.caseNumber,
        details: { submissionId: change.submissionId, reason: change.reason },
      });
      return applied;
  }
}

function cancel(store: Store, change: Extract<FeedChange, { kind: 'item-cancelled' }>): Outcome {
  const status = store.item(change.itemId)?.status;
  // Expired here before the cancellation arrived: already set aside, its code opens nothing.
  if (status === 'expired') {
    store.audit({
      actor: 'fleet',
      action: 'item-withdrawn',
      subject: change.itemId,
      details: { reason: change.reason, from: status },
    });
    return applied;
  }
  // Loaded already: its code stops working and staff take it out with the expired ones;
  // the fleet hears of it (`item-withdrawn`).
  const cancelled =
    status === 'loaded'
      ? store.withdrawLoaded(change.itemId, 'fleet', change.reason)
      : store.cancelAnnounced(change.itemId, 'fleet', change.reason);
  return cancelled.ok ? applied : refused(cancelled.error);
}

function announce(store: Store, change: Extract<FeedChange, { kind: 'item-announced' }>): Outcome {
  try {
    store.announceItem({
      id: change.itemId,
      kind: change.itemKind,
      reference: change.reference,
      codeHash: Buffer.from(change.codeHash, 'base64url'),
      secondFactorHash:
        change.secondFactorHash === null ? null : Buffer.from(change.secondFactorHash, 'base64url'),
      holdingDays: change.holdingDays,
      needsPinLetterConfirmation: change.needsPinLetterConfirmation,
      needsAccessible: change.needsAccessible,
      size: change.size,
    });
    return applied;
  } catch (error) {
    // The store refuses an announcement whose reference is still active here, and hashes
    // or holding days it cannot take.
    return refused(error instanceof ReferenceActiveError ? error.code : 'invalid-change');
  }
}

function command(
  store: Store,
  change: Extract<FeedChange, { kind: 'command' }>,
  openings: Opening[],
): Outcome {
  const actor = `fleet:${change.requestedBy}`;
  if (!store.compartment(change.compartment)) return refused('unknown-compartment');
  store.audit({
    actor,
    action: 'remote-command',
    subject: change.compartment,
    details: { command: change.command, commandId: change.commandId, reason: change.reason },
  });
  if (change.command === 'open-compartment') {
    openings.push({ compartment: change.compartment, actor });
    return applied;
  }
  const defect = store.setDefective(
    change.compartment,
    change.command === 'mark-defective' ? change.reason : null,
    actor,
  );
  return defect.ok ? applied : refused(defect.error);
}
