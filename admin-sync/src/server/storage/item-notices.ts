/**
 * Notices of an item, queued inside the transaction that changes the item (an event's apply,
 * the reminder scheduler), so a notice is queued exactly once with the change that causes
 * it. The queue holds no contact data or code: the sender reads them when it sends, and they
 * are gone once the item is finished.
 */
import { randomUUID } from 'node:crypto';
import type { SqlQueryable } from './driver.ts';
import type { NoticeKind } from './storage.ts';

/** One notice per contact channel; a notice already queued for that kind stays as it is. */
export async function queueNotice(
  q: SqlQueryable,
  itemId: string,
  kind: NoticeKind,
  now: number,
): Promise<number> {
  const [contact] = await q.all<{ email: string | null; mobile: string | null }>(
    'SELECT email, mobile FROM item_contacts WHERE item_id = ?',
    [itemId],
  );
  if (!contact) return 0;
  const channels = [...(contact.email ? ['email'] : []), ...(contact.mobile ? ['sms'] : [])];
  let queued = 0;
  for (const channel of channels) {
    queued += await q.run(
      `INSERT INTO notifications (id, item_id, channel, kind, status, attempts,
         next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
       ON CONFLICT (item_id, channel, kind) DO NOTHING`,
      [randomUUID(), itemId, channel, kind, now, now],
    );
  }
  return queued;
}

/** Data minimisation: contact and code deleted, notices not yet sent cancelled. */
export async function forgetContact(q: SqlQueryable, itemId: string): Promise<void> {
  await q.run('DELETE FROM item_contacts WHERE item_id = ?', [itemId]);
  await q.run('DELETE FROM pending_codes WHERE item_id = ?', [itemId]);
  await q.run(
    `UPDATE notifications SET status = 'cancelled' WHERE item_id = ? AND status = 'pending'`,
    [itemId],
  );
}

export async function addHistory(
  q: SqlQueryable,
  entry: { itemId: string; at: number; event: string; actor: string; detail: object | null },
): Promise<void> {
  await q.run(
    'INSERT INTO item_history (item_id, at, event, actor, detail) VALUES (?, ?, ?, ?, ?)',
    [
      entry.itemId,
      entry.at,
      entry.event,
      entry.actor,
      entry.detail === null ? null : JSON.stringify(entry.detail),
    ],
  );
}
