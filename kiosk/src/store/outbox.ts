/**
 * Changes for the backend (DESIGN.md §4.5). An event is enqueued in the same transaction as
 * the change it reports, with an idempotency key the server uses to apply it exactly once.
 * The sync agent takes due events in seq order, and marks them sent or failed; a failed
 * event waits with exponential backoff and jitter, capped at one hour.
 *
 * Note for the server: backoff is per event, so after a failure events can arrive out of
 * seq order; each payload is self-contained and carries the ids it is about.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import type { OutboxEvent } from './types.ts';

export const OUTBOX_BACKOFF_BASE_MS = 10_000;
export const OUTBOX_BACKOFF_CAP_MS = 60 * 60 * 1000;
const MAX_ERROR_LENGTH = 500;

export interface OutboxInput {
  type: string;
  payload: Record<string, unknown>;
  /** Defaults to a random UUID; enqueueing the same key again changes nothing. */
  idempotencyKey?: string;
  now: number;
}

/** Enqueues an event; returns its seq (the existing one if the key was already queued). */
export function enqueueOutbox(db: Db, input: OutboxInput): number {
  const key = input.idempotencyKey ?? randomUUID();
  return db.transaction(() => {
    const inserted = db
      .prepare(
        `INSERT INTO outbox (idempotency_key, type, payload, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .run(key, input.type, JSON.stringify(input.payload), input.now, input.now);
    if (inserted.changes === 1) return Number(inserted.lastInsertRowid);
    const existing = db.prepare('SELECT seq FROM outbox WHERE idempotency_key = ?').get(key) as {
      seq: number;
    };
    return existing.seq;
  })();
}

interface OutboxRow {
  seq: number;
  idempotency_key: string;
  type: string;
  payload: string;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/** Unsent events whose next attempt is due, oldest first. */
export function pendingOutbox(db: Db, now: number, limit: number): OutboxEvent[] {
  const rows = db
    .prepare(
      `SELECT seq, idempotency_key, type, payload, created_at, attempts, last_error FROM outbox
       WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
    )
    .all(now, limit) as OutboxRow[];
  return rows.map((row) => ({
    seq: row.seq,
    idempotencyKey: row.idempotency_key,
    type: row.type,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: row.created_at,
    attempts: row.attempts,
    lastError: row.last_error,
  }));
}

/** Marks events as delivered; returns how many were still unsent. */
export function markOutboxSent(db: Db, seqs: readonly number[], now: number): number {
  const statement = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL');
  return db.transaction(() => {
    let changed = 0;
    for (const seq of seqs) changed += statement.run(now, seq).changes;
    return changed;
  })();
}

/**
 * The wait before attempt `attempts + 1`: 10 s doubling per attempt, capped at 1 h, times a
 * jitter factor in [0.75, 1] so that terminals do not retry in lockstep. Each step's
 * shortest wait is longer than the previous step's longest until the cap.
 */
export function outboxBackoffMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30);
  const raw = Math.min(OUTBOX_BACKOFF_CAP_MS, OUTBOX_BACKOFF_BASE_MS * 2 ** exponent);
  return Math.round(raw * (0.75 + 0.25 * random()));
}

/**
 * Records a failed delivery: `attempts` + 1 and the next attempt after the backoff. Returns
 * the time of the next attempt, or undefined for an unknown or already sent event. `error`
 * is kept for the console: a technical reason, no personal data.
 */
export function markOutboxFailed(
  db: Db,
  seq: number,
  error: string,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  return db.transaction(() => {
    const row = db
      .prepare('SELECT attempts FROM outbox WHERE seq = ? AND sent_at IS NULL')
      .get(seq) as { attempts: number } | undefined;
    if (!row) return undefined;
    const attempts = row.attempts + 1;
    const next = now + outboxBackoffMs(attempts, random);
    db.prepare(
      'UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?',
    ).run(attempts, next, error.slice(0, MAX_ERROR_LENGTH), seq);
    return next;
  })();
}

/** Unsent events, due or waiting. */
export function outboxLength(db: Db): number {
  const row = db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as {
    n: number;
  };
  return row.n;
}

/** Retention: deletes events delivered before `before`; returns how many. */
export function pruneSentOutbox(db: Db, before: number): number {
  return db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?').run(before)
    .changes;
}
