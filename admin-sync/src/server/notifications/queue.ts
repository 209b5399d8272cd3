/**
 * The notices queue (table `notifications`, migration 2) as the worker and the console see
 * it, in the common SQL dialect of both databases.
 *
 * Claiming is a lease: a conditional UPDATE bumps `attempts` and pushes `next_attempt_at`
 * past the send's longest duration, and succeeds only if the row is still due with the
 * attempts the claimer read. Two workers (or two PostgreSQL connections) racing for a row:
 * the second UPDATE re-reads the row after the first commits, finds it no longer due and
 * changes nothing. A worker that dies mid-send leaves a lease that runs out, and the notice
 * is sent again then (at least once; the attempt is counted).
 */
import { err, ok, type Result } from '@amtomat/basics';
import { whereAll } from '../storage/driver.ts';
import { addHistory, queueNotice } from '../storage/item-notices.ts';
import type { FleetStorage, NoticeKind } from '../storage/storage.ts';
import type { ChannelName } from './channel.ts';

export const NOTICE_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

const DAY_MS = 86_400_000;
/** Reminder this long after loading; the expiring notice this long before the deadline. */
export const REMINDER_AFTER_MS = 2 * DAY_MS;
export const EXPIRING_BEFORE_MS = 2 * DAY_MS;

interface NoticeRow {
  id: string;
  item_id: string;
  channel: ChannelName;
  kind: NoticeKind;
  status: NoticeStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface NoticeRecord {
  id: string;
  itemId: string;
  channel: ChannelName;
  kind: NoticeKind;
  status: NoticeStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number;
  createdAt: number;
  sentAt: number | null;
}

const toRecord = (row: NoticeRow): NoticeRecord => ({
  id: row.id,
  itemId: row.item_id,
  channel: row.channel,
  kind: row.kind,
  status: row.status,
  attempts: Number(row.attempts),
  lastError: row.last_error,
  nextAttemptAt: Number(row.next_attempt_at),
  createdAt: Number(row.created_at),
  sentAt: row.sent_at === null ? null : Number(row.sent_at),
});

const COLUMNS = `id, item_id, channel, kind, status, attempts, next_attempt_at, last_error,
  created_at, sent_at`;

/**
 * Claims up to `limit` due notices of the given channels; each is leased until `leaseUntil`.
 * A reminder or expiring notice waits while the same channel's ready notice is still being
 * tried: it says the code came in the first message.
 */
export async function claimDue(
  storage: FleetStorage,
  options: { channels: readonly ChannelName[]; now: number; leaseUntil: number; limit: number },
): Promise<NoticeRecord[]> {
  if (options.channels.length === 0) return [];
  const marks = options.channels.map(() => '?').join(', ');
  const due = await storage.sql.all<{ id: string; attempts: number }>(
    `SELECT id, attempts FROM notifications n
     WHERE status = 'pending' AND next_attempt_at <= ? AND channel IN (${marks})
       AND NOT (kind IN ('reminder', 'expiring') AND EXISTS (SELECT 1 FROM notifications r
         WHERE r.item_id = n.item_id AND r.channel = n.channel AND r.kind = 'ready'
           AND r.status = 'pending'))
     ORDER BY next_attempt_at, created_at, id LIMIT ?`,
    [options.now, ...options.channels, options.limit],
  );
  const claimed: NoticeRecord[] = [];
  for (const candidate of due) {
    const [row] = await storage.sql.all<NoticeRow>(
      `UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?
       WHERE id = ? AND status = 'pending' AND next_attempt_at <= ? AND attempts = ?
       RETURNING ${COLUMNS}`,
      [options.leaseUntil, candidate.id, options.now, candidate.attempts],
    );
    if (row) claimed.push(toRecord(row));
  }
  return claimed;
}

/** The status of the item's ready notice on a channel, if there is one. */
export async function readyStatus(
  storage: FleetStorage,
  itemId: string,
  channel: ChannelName,
): Promise<NoticeStatus | undefined> {
  const [row] = await storage.sql.all<{ status: NoticeStatus }>(
    `SELECT status FROM notifications WHERE item_id = ? AND channel = ? AND kind = 'ready'`,
    [itemId, channel],
  );
  return row?.status;
}

/** Only the holder of the lease (same attempt count) may settle a claimed notice. */
const HELD = 'id = ? AND attempts = ?';

/**
 * Sent. Recorded even if the item was finished (notice cancelled) while the message was on
 * its way: the table says what happened.
 */
export async function markSent(storage: FleetStorage, notice: NoticeRecord, now: number) {
  return storage.sql.run(
    `UPDATE notifications SET status = 'sent', sent_at = ?, last_error = NULL
     WHERE ${HELD} AND status IN ('pending', 'cancelled')`,
    [now, notice.id, notice.attempts],
  );
}

export async function markRetry(
  storage: FleetStorage,
  notice: NoticeRecord,
  reason: string,
  nextAttemptAt: number,
) {
  return storage.sql.run(
    `UPDATE notifications SET last_error = ?, next_attempt_at = ?
     WHERE ${HELD} AND status = 'pending'`,
    [reason, nextAttemptAt, notice.id, notice.attempts],
  );
}

export async function markFailed(storage: FleetStorage, notice: NoticeRecord, reason: string) {
  return storage.sql.run(
    `UPDATE notifications SET status = 'failed', last_error = ?
     WHERE ${HELD} AND status = 'pending'`,
    [reason, notice.id, notice.attempts],
  );
}

export async function markCancelled(storage: FleetStorage, notice: NoticeRecord, reason: string) {
  return storage.sql.run(
    `UPDATE notifications SET status = 'cancelled', last_error = ?
     WHERE ${HELD} AND status = 'pending'`,
    [reason, notice.id, notice.attempts],
  );
}

/**
 * The plain code is kept only until every ready notice of the item has been sent; the check
 * runs after this worker's own "sent" committed, so the last of two racing senders sees both.
 */
export async function forgetCodeIfDelivered(storage: FleetStorage, itemId: string) {
  return storage.sql.run(
    `DELETE FROM pending_codes WHERE item_id = ? AND NOT EXISTS (
       SELECT 1 FROM notifications
       WHERE item_id = ? AND kind = 'ready' AND status <> 'sent')`,
    [itemId, itemId],
  );
}

/**
 * The server's own reminders: `reminder` two days after loading, `expiring` two days before
 * the deadline (also when the terminal, which sends item-expiring, is offline). Queued at most
 * once per kind and channel (the queue's unique key). When the expiring notice is already
 * due, a late reminder is left out: one message says it all.
 */
export async function scheduleReminders(
  storage: FleetStorage,
  now: number,
): Promise<{ reminder: number; expiring: number }> {
  const pending = (kind: NoticeKind) => `NOT EXISTS (SELECT 1 FROM notifications n
      WHERE n.item_id = items.id AND n.kind = '${kind}')`;
  const expiringDue = 'items.expires_at IS NOT NULL AND items.expires_at <= ?';
  const expiring = await storage.sql.all<{ id: string }>(
    `SELECT items.id FROM items JOIN item_contacts c ON c.item_id = items.id
     WHERE items.status = 'loaded' AND ${expiringDue} AND ${pending('expiring')}`,
    [now + EXPIRING_BEFORE_MS],
  );
  const reminder = await storage.sql.all<{ id: string }>(
    `SELECT items.id FROM items JOIN item_contacts c ON c.item_id = items.id
     WHERE items.status = 'loaded' AND items.loaded_at IS NOT NULL AND items.loaded_at <= ?
       AND NOT (${expiringDue}) AND ${pending('reminder')}`,
    [now - REMINDER_AFTER_MS, now + EXPIRING_BEFORE_MS],
  );
  const counts = { reminder: 0, expiring: 0 };
  for (const [kind, rows] of [
    ['expiring', expiring],
    ['reminder', reminder],
  ] as const) {
    for (const row of rows) counts[kind] += await queueNotice(storage.sql, row.id, kind, now);
  }
  return counts;
}

export interface OverviewFilter {
  status?: NoticeStatus;
  itemId?: string;
  /** Newest first; default 200. */
  limit?: number;
}

/** The queue for the console: no contact data or code (the table has none). */
export async function notificationOverview(
  storage: FleetStorage,
  filter: OverviewFilter = {},
): Promise<NoticeRecord[]> {
  const where = whereAll([
    ['status = ?', filter.status],
    ['item_id = ?', filter.itemId],
  ]);
  const rows = await storage.sql.all<NoticeRow>(
    `SELECT ${COLUMNS} FROM notifications
     ${where.sql}
     ORDER BY created_at DESC, id LIMIT ?`,
    [...where.params, filter.limit ?? 200],
  );
  return rows.map(toRecord);
}

/** Counts by status, e.g. for /healthz or a console badge. */
export async function notificationCounts(
  storage: FleetStorage,
): Promise<Record<NoticeStatus, number>> {
  const rows = await storage.sql.all<{ status: NoticeStatus; n: number }>(
    'SELECT status, COUNT(*) AS n FROM notifications GROUP BY status',
  );
  const counts = { pending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export type RetryError = 'not-found' | 'not-failed';

/**
 * A failed notice queued again, due now, with a fresh attempt budget. A `ready` notice whose
 * code is gone meanwhile will fail again with that reason: the worker never sends a ready
 * notice without a code.
 */
export async function retryNotification(
  storage: FleetStorage,
  id: string,
  now: number,
  actor = 'system',
): Promise<Result<NoticeRecord, RetryError>> {
  return storage.sql.transaction(async (tx) => {
    const [row] = await tx.all<NoticeRow>(
      `UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ?
       WHERE id = ? AND status = 'failed' RETURNING ${COLUMNS}`,
      [now, id],
    );
    if (!row) {
      const exists = await tx.all('SELECT 1 AS one FROM notifications WHERE id = ?', [id]);
      return err(exists.length > 0 ? ('not-failed' as const) : ('not-found' as const));
    }
    await addHistory(tx, {
      itemId: row.item_id,
      at: now,
      event: 'notice-requeued',
      actor,
      detail: { kind: row.kind, channel: row.channel },
    });
    return ok(toRecord(row));
  });
}
