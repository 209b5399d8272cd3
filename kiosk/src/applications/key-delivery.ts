/**
 * Destination keys as the fleet delivers them (`destination-key` feed change): checked on
 * arrival against the root certificate they came with. A good key is stored with its root;
 * a bad one (unreadable, not chained to the root, expired) is refused and raises an alarm
 * for staff, and the terminal keeps its last good key — without one, the destination's
 * services show as unavailable. Nothing is ever sealed to an unchecked key.
 */
import type { DestinationKeyChange } from '@amtomat/admin-sync/protocol';
import { err, ok, type Result } from '@amtomat/basics';
import type { Store } from '../store/store.ts';
import {
  checkDestinationKey,
  destinationKeySetting,
  destinationRootSetting,
  type KeyProblem,
} from './keys.ts';

/**
 * One alarm for staff per destination, problem and day (the idempotency key), audited once:
 * a destination whose key cannot be used (at a submission, or as the fleet delivered it).
 */
export function raiseKeyAlarm(
  store: Store,
  destinationId: string,
  problem: KeyProblem,
  now: number,
): void {
  const day = new Date(now).toISOString().slice(0, 10);
  store.transaction(() => {
    const seq = store.outboxLength();
    store.enqueue(
      'alarm',
      { kind: `application-${problem}`, destinationId },
      `alarm:application-key:${destinationId}:${problem}:${day}`,
    );
    if (store.outboxLength() > seq) {
      store.audit({
        actor: 'system',
        action: 'application-destination-unusable',
        subject: destinationId,
        details: { reason: problem },
      });
    }
  });
}

/** Stores a delivered key that checks out at `now`; else the alarm, and the old key stays. */
export function acceptDestinationKey(
  store: Store,
  change: DestinationKeyChange,
  now: number,
): Result<void, Exclude<KeyProblem, 'key-missing'>> {
  const checked = checkDestinationKey(change.key, change.rootCertificate, now);
  if (!checked.ok) {
    // The change carries both, so "missing" cannot happen; an empty key reads as invalid.
    const problem = checked.error === 'key-missing' ? 'key-invalid' : checked.error;
    raiseKeyAlarm(store, change.destinationId, problem, now);
    return err(problem);
  }
  store.transaction(() => {
    store.setSetting(destinationKeySetting(change.destinationId), JSON.stringify(change.key));
    store.setSetting(destinationRootSetting(change.destinationId), change.rootCertificate);
  });
  return ok(undefined);
}
