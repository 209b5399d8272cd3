/**
 * What the agent needs from the terminal, as ports: the kiosk implements them over its
 * store (kiosk/src/store), the tests over memory. The agent imports nothing of the kiosk.
 * Outbox and cursor calls are synchronous (the kiosk's store is better-sqlite3); applying
 * feed changes may be asynchronous.
 */
import type { FeedEntry } from '../protocol/index.ts';

/** An outbox event as the kiosk's `pendingOutbox` returns it (extra fields are ignored). */
export interface OutboxEvent {
  /** Increasing per terminal, never reused: the protocol's seq. */
  seq: number;
  idempotencyKey: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt?: number;
}

export interface OutboxPort {
  /** Unsent events that are due, oldest (lowest seq) first. */
  pending(limit: number): readonly OutboxEvent[];
  /** Delivered: never to be sent again. */
  markSent(seqs: readonly number[]): void;
  /** Records a failure (kept for the console; the kiosk backs the event off). */
  markFailed(seq: number, error: string): void;
  /** Unsent events, due or waiting. */
  length(): number;
}

export interface FeedPort {
  /** The last feed cursor applied (0 before any). */
  cursor(): number;
  /**
   * Applies entries in cursor order and stores the last cursor with them, atomically.
   * Idempotent by cursor: an entry at or below `cursor()` changes nothing.
   */
  apply(entries: readonly FeedEntry[]): void | Promise<void>;
}
