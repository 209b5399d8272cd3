/** In-memory ports with the kiosk store's semantics, for tests and benchmarks. */

import type { Clock } from '@amtomat/basics';
import type { FeedEntry } from '../../protocol/index.ts';
import type { FeedPort, OutboxEvent, OutboxPort } from '../ports.ts';

interface Row extends OutboxEvent {
  sentAt: number | null;
  nextAttemptAt: number;
  attempts: number;
  lastError: string | null;
}

export interface MemoryOutbox extends OutboxPort {
  enqueue(type: string, payload: Record<string, unknown>, idempotencyKey?: string): number;
  rows(): readonly Readonly<Row>[];
}

/** Like kiosk/src/store/outbox.ts: due events by seq; a failure waits `retryMs`. */
export function memoryOutbox(clock: Pick<Clock, 'now'>, retryMs = 10_000): MemoryOutbox {
  const rows: Row[] = [];
  return {
    enqueue(type, payload, idempotencyKey) {
      const seq = rows.length + 1;
      const now = clock.now();
      rows.push({
        seq,
        idempotencyKey: idempotencyKey ?? `event-${seq}`,
        type,
        payload,
        createdAt: now,
        sentAt: null,
        nextAttemptAt: now,
        attempts: 0,
        lastError: null,
      });
      return seq;
    },
    rows: () => rows,
    pending(limit) {
      const now = clock.now();
      return rows
        .filter((row) => row.sentAt === null && row.nextAttemptAt <= now)
        .slice(0, limit)
        .map(({ seq, idempotencyKey, type, payload, createdAt }) => ({
          seq,
          idempotencyKey,
          type,
          payload,
          createdAt,
        }));
    },
    markSent(seqs) {
      for (const seq of seqs) {
        const row = rows[seq - 1];
        if (row && row.sentAt === null) row.sentAt = clock.now();
      }
    },
    markFailed(seq, error) {
      const row = rows[seq - 1];
      if (!row || row.sentAt !== null) return;
      row.attempts++;
      row.lastError = error;
      row.nextAttemptAt = clock.now() + retryMs;
    },
    length: () => rows.filter((row) => row.sentAt === null).length,
  };
}

export interface MemoryFeed extends FeedPort {
  /** Every entry applied, in order; an entry applied twice would show twice. */
  readonly applied: FeedEntry[];
}

/** Idempotent by cursor, like the kiosk's store: cursor and changes in one step. */
export function memoryFeed(): MemoryFeed {
  let cursor = 0;
  const applied: FeedEntry[] = [];
  return {
    applied,
    cursor: () => cursor,
    apply(entries) {
      for (const entry of entries) {
        if (entry.cursor <= cursor) continue;
        applied.push(entry);
        cursor = entry.cursor;
      }
    },
  };
}
