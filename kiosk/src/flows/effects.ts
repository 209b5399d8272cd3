import type { DoorNews } from './door.machine.ts';

/**
 * Flows never touch hardware or the store themselves. They ask the kiosk core for an
 * effect (sent to the parent session, which emits it), and the core answers with an event.
 * Restoring a persisted flow therefore never repeats an effect: a door that was being
 * opened is settled by the door service's recovery, which sends the outcome as an event.
 */
export type PickupEffect =
  | { kind: 'verify-code'; code: string }
  | { kind: 'verify-second-factor'; itemIds: string[]; value: string }
  | { kind: 'open-door'; purpose: 'pickup'; compartment: string; itemIds: string[] };

export interface PickupItem {
  id: string;
  kind: 'document' | 'id-document' | 'parcel' | 'object';
  compartment: string;
  needsPinLetterConfirmation: boolean;
  hasSecondFactor: boolean;
}

/** Answers of the core to effects, and door news. `at` is stamped by the core. */
export type CoreEvent =
  | { type: 'CODE_OK'; items: PickupItem[] }
  | { type: 'CODE_WRONG'; lockedUntil: number | null }
  | { type: 'SECOND_FACTOR_OK' }
  | { type: 'SECOND_FACTOR_WRONG'; lockedUntil: number | null }
  | DoorNews;
