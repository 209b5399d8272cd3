/**
 * Appending to a device's feed inside a caller's transaction, so a feed change commits or
 * rolls back together with whatever caused it (an announcement, a cancellation and its
 * audit row). The one place that takes a feed cursor.
 */
import { type FeedChange, FeedChangeSchema } from '../../protocol/index.ts';
import type { SqlQueryable } from './driver.ts';

/**
 * Validates the change, takes the device's next cursor and stores the change under it;
 * undefined for an unknown device. Cursors are dense per device and taken under the
 * device's row lock, so a reader never sees cursor 7 before a still-uncommitted 6. Taking
 * the lock first also orders the caller's later writes behind other writers of the device.
 */
export async function appendFeedIn(
  q: SqlQueryable,
  deviceId: string,
  change: FeedChange,
  now: number,
): Promise<number | undefined> {
  const valid = FeedChangeSchema.parse(change);
  const [row] = await q.all<{ feed_head: number }>(
    'UPDATE devices SET feed_head = feed_head + 1 WHERE id = ? RETURNING feed_head',
    [deviceId],
  );
  if (!row) return undefined;
  await q.run(
    'INSERT INTO feed (device_id, cursor, kind, change, created_at) VALUES (?, ?, ?, ?, ?)',
    [deviceId, row.feed_head, valid.kind, JSON.stringify(valid), now],
  );
  return row.feed_head;
}
