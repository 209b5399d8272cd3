import type { BusError } from '../bus/bus.ts';
import type { BoardAnswer } from '../protocols/types.ts';

/**
 * What the door monitor reports. A door that opens while no unlock for it is running is
 * reported as `forced-open` (an alarm) instead of `opened`.
 */
export type DoorEvent =
  /** `found-open`: seen open at the first poll after start, cause unknown. */
  | { type: 'opened'; compartment: string; at: number; cause: 'unlock' | 'found-open' }
  | { type: 'forced-open'; compartment: string; at: number }
  | { type: 'closed'; compartment: string; at: number; openForMs: number | null }
  | { type: 'left-open'; compartment: string; at: number; openForMs: number }
  | { type: 'item-present-changed'; compartment: string; at: number; present: boolean }
  | { type: 'board-offline'; bus: string; board: number; at: number; reason: BusError['kind'] }
  | { type: 'board-online'; bus: string; board: number; at: number };

export type UnlockFailure =
  | { kind: 'unknown-compartment' }
  /** The board answers but the door stayed shut: bolt jammed or something holds the door. */
  | { kind: 'jammed' }
  /** The board did not answer (wiring, power, address). */
  | { kind: 'board-silent'; detail: BusError['kind'] }
  /** The bus's port is gone (adapter unplugged). */
  | { kind: 'port-closed' }
  /** A board that acknowledges commands (CU12) refused the unlock. */
  | { kind: 'board-refused'; answer: BoardAnswer };

export interface UnlockSuccess {
  compartment: string;
  /** When the open door was seen. */
  openedAt: number;
  /** The door was already open when the unlock was asked for. */
  wasOpen: boolean;
}

/** Last known state of a door; `undefined` before its board first answered. */
export interface DoorState {
  open: boolean | undefined;
  itemPresent: boolean | undefined;
  openSince: number | undefined;
  boardOnline: boolean | undefined;
}

export function describeUnlockFailure(failure: UnlockFailure): string {
  switch (failure.kind) {
    case 'unknown-compartment':
      return 'no such compartment';
    case 'jammed':
      return 'the board answered but the door did not open (jammed or blocked)';
    case 'board-silent':
      return `the board did not answer (${failure.detail})`;
    case 'port-closed':
      return 'the serial port is closed (adapter unplugged?)';
    case 'board-refused':
      return `the board refused the unlock (${failure.answer})`;
  }
}
