/** FleetStorage over a SqlDriver: the one implementation both adapters share. */
import { err, ok } from '@amtomat/basics';
import {
  FeedChangeSchema,
  type FeedRefusalCode,
  fleetStatusAfter,
  isFleetItemStatus,
  type JsonObject,
  type JsonValue,
  jsonHash,
  type PushResult,
  type StoredOutcome,
  type SyncEvent,
  TerminalStatusSchema,
} from '../../protocol/index.ts';
import { recordStatus } from '../evaluation/record.ts';
import { type SqlDriver, type SqlQueryable, StorageOpenError, whereAll } from './driver.ts';
import { appendFeedIn } from './feed-sql.ts';
import { addHistory, forgetContact, queueNotice } from './item-notices.ts';
import { migrate } from './migrations.ts';
import { openSecrets, type SecretBox, type SecretKeySource } from './secrets.ts';
import type {
  ApplyContext,
  DeviceRecord,
  EventApplier,
  FleetStorage,
  HistoryEntry,
  ItemRecord,
  StoredEvent,
} from './storage.ts';

export type { FleetStorage } from './storage.ts';

const MAX_REASON_LENGTH = 500;
/** Old nonces are deleted at most this often (a delete per request would be wasted work). */
const NONCE_PRUNE_INTERVAL_MS = 60_000;

interface DeviceRow {
  id: string;
  public_key: string;
  label: string | null;
  enrolled_at: number;
  last_seen_at: number | null;
  last_seq: number;
  feed_head: number;
  feed_acked: number;
  code_key: string | null;
  status: string | null;
  status_at: number | null;
}

interface EventRow {
  device_id: string;
  seq: number;
  idempotency_key: string;
  type: string;
  payload: string;
  payload_hash: string;
  created_at: number | null;
  received_at: number;
  status: 'applied' | 'parked';
  result: string | null;
  reason: string | null;
}

interface ItemRow {
  id: string;
  device_id: string;
  reference: string;
  kind: string | null;
  status: string;
  compartment: string | null;
  expires_at: number | null;
  updated_at: number;
  last_seq: number;
  announced_at: number | null;
  loaded_at: number | null;
  holding_days: number | null;
}

interface CompartmentRow {
  device_id: string;
  label: string;
  defective: number;
  reason: string | null;
  updated_at: number;
  last_seq: number;
}

const toDevice = (row: DeviceRow): DeviceRecord => ({
  id: row.id,
  publicKey: row.public_key,
  label: row.label,
  enrolledAt: row.enrolled_at,
  lastSeenAt: row.last_seen_at,
  lastSeq: row.last_seq,
  feedHead: row.feed_head,
  feedAcked: row.feed_acked,
  codeKey: row.code_key,
  status: row.status === null ? null : TerminalStatusSchema.parse(JSON.parse(row.status)),
  statusAt: row.status_at,
});

const outcomeOf = (row: EventRow): StoredOutcome =>
  row.status === 'applied'
    ? { status: 'applied', result: JSON.parse(row.result ?? 'null') as JsonValue }
    : { status: 'parked', reason: row.reason ?? '' };

const toEvent = (row: EventRow): StoredEvent => ({
  deviceId: row.device_id,
  seq: row.seq,
  idempotencyKey: row.idempotency_key,
  type: row.type,
  payload: JSON.parse(row.payload) as JsonObject,
  createdAt: row.created_at,
  receivedAt: row.received_at,
  outcome: outcomeOf(row),
});

const toItem = (row: ItemRow): ItemRecord => ({
  id: row.id,
  deviceId: row.device_id,
  reference: row.reference,
  kind: row.kind,
  status: row.status,
  compartment: row.compartment,
  expiresAt: row.expires_at,
  updatedAt: row.updated_at,
  lastSeq: row.last_seq,
  announcedAt: row.announced_at,
  loadedAt: row.loaded_at,
  holdingDays: row.holding_days,
});

/** The same key must mean the same event: type and payload, whatever the key order. */
const eventHash = (event: SyncEvent) => jsonHash({ type: event.type, payload: event.payload });

const reasonOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_LENGTH);

const EVENT_COLUMNS = `device_id, seq, idempotency_key, type, payload, payload_hash, created_at,
  received_at, status, result, reason`;

function applyContext(
  tx: SqlQueryable,
  deviceId: string,
  event: SyncEvent,
  now: number,
): ApplyContext {
  const { seq } = event;
  return {
    deviceId,
    seq,
    receivedAt: now,
    createdAt: event.createdAt ?? null,
    tx,
    async setItemStatus(change) {
      const [existing] = await tx.all<{ device_id: string; last_seq: number; status: string }>(
        'SELECT device_id, last_seq, status FROM items WHERE id = ?',
        [change.itemId],
      );
      if (existing && existing.device_id !== deviceId) {
        throw new Error(`item ${change.itemId} belongs to another terminal`);
      }
      if (existing && existing.last_seq > seq) return { outcome: 'superseded' };
      // The console may have cancelled the item meanwhile: the protocol's table decides.
      const current = existing && isFleetItemStatus(existing.status) ? existing.status : undefined;
      const status = fleetStatusAfter(current, change.reported);
      if (status === undefined) return { outcome: 'unchanged' };
      const loadedAt = change.reported === 'loaded' ? now : null;
      await tx.run(
        `INSERT INTO items (id, device_id, reference, kind, status, compartment, expires_at,
           updated_at, last_seq, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET reference = excluded.reference,
           kind = COALESCE(excluded.kind, items.kind), status = excluded.status,
           compartment = COALESCE(excluded.compartment, items.compartment),
           expires_at = COALESCE(excluded.expires_at, items.expires_at),
           updated_at = excluded.updated_at, last_seq = excluded.last_seq,
           loaded_at = COALESCE(excluded.loaded_at, items.loaded_at)`,
        [
          change.itemId,
          deviceId,
          change.reference,
          change.kind ?? null,
          status,
          change.compartment ?? null,
          change.expiresAt ?? null,
          now,
          seq,
          loadedAt,
        ],
      );
      await addHistory(tx, {
        itemId: change.itemId,
        at: now,
        event: status,
        actor: 'terminal',
        detail: { seq, compartment: change.compartment ?? null, reported: change.reported },
      });
      return { outcome: 'applied', status };
    },
    async refuseFeedChange(cursor, code) {
      const changed = await tx.run(
        `UPDATE feed SET refused_reason = ?, refused_at = ? WHERE device_id = ? AND cursor = ?`,
        [code, now, deviceId, cursor],
      );
      return changed === 1;
    },
    async setNoticeLanguage(itemId, language) {
      const changed = await tx.run(
        `UPDATE item_contacts SET language = ? WHERE item_id = ?
           AND item_id IN (SELECT id FROM items WHERE device_id = ?)`,
        [language, itemId, deviceId],
      );
      return changed === 1;
    },
    queueNotice: async (itemId, kind) => {
      await queueNotice(tx, itemId, kind, now);
    },
    forgetContact: (itemId) => forgetContact(tx, itemId),
    async setCompartmentState(change) {
      const changed = await tx.run(
        `INSERT INTO compartments (device_id, label, defective, reason, updated_at, last_seq)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, label) DO UPDATE SET defective = excluded.defective,
           reason = excluded.reason, updated_at = excluded.updated_at,
           last_seq = excluded.last_seq
         WHERE compartments.last_seq < excluded.last_seq`,
        [deviceId, change.label, change.defective ? 1 : 0, change.reason, now, seq],
      );
      return changed === 1 ? 'applied' : 'superseded';
    },
  };
}

/** What a batch's events already have on record: outcomes by key, and the seqs taken. */
interface OnRecord {
  byKey: Map<string, { hash: string; outcome: StoredOutcome }>;
  seqs: Set<number>;
}

/** One query for the whole batch (not two per event): PostgreSQL pays per round trip. */
async function onRecord(
  tx: SqlQueryable,
  deviceId: string,
  events: readonly SyncEvent[],
): Promise<OnRecord> {
  const marks = events.map(() => '?').join(', ');
  const rows = await tx.all<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE device_id = ?
       AND (idempotency_key IN (${marks}) OR seq IN (${marks}))`,
    [deviceId, ...events.map((e) => e.idempotencyKey), ...events.map((e) => e.seq)],
  );
  return {
    byKey: new Map(
      rows.map((row) => [row.idempotency_key, { hash: row.payload_hash, outcome: outcomeOf(row) }]),
    ),
    seqs: new Set(rows.map((row) => Number(row.seq))),
  };
}

/** One event inside the batch's transaction: duplicate, conflict, or recorded with its apply. */
async function recordEvent(
  tx: SqlQueryable,
  deviceId: string,
  event: SyncEvent,
  apply: EventApplier,
  now: number,
  known: OnRecord,
): Promise<PushResult> {
  const ref = { seq: event.seq, idempotencyKey: event.idempotencyKey };
  const hash = eventHash(event);
  const byKey = known.byKey.get(event.idempotencyKey);
  if (byKey) {
    return byKey.hash === hash
      ? { ...ref, status: 'duplicate', stored: byKey.outcome }
      : { ...ref, status: 'conflict', reason: 'payload-differs' };
  }
  if (known.seqs.has(event.seq)) return { ...ref, status: 'conflict', reason: 'sequence-reused' };

  let outcome: StoredOutcome;
  await tx.exec('SAVEPOINT apply_event');
  try {
    const result = await apply(event, applyContext(tx, deviceId, event, now));
    await tx.exec('RELEASE SAVEPOINT apply_event');
    outcome = { status: 'applied', result };
  } catch (error) {
    await tx.exec('ROLLBACK TO SAVEPOINT apply_event');
    await tx.exec('RELEASE SAVEPOINT apply_event');
    outcome = { status: 'parked', reason: reasonOf(error) };
  }
  await tx.run(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    deviceId,
    event.seq,
    event.idempotencyKey,
    event.type,
    JSON.stringify(event.payload),
    hash,
    event.createdAt ?? null,
    now,
    outcome.status,
    outcome.status === 'applied' ? JSON.stringify(outcome.result) : null,
    outcome.status === 'parked' ? outcome.reason : null,
  ]);
  // A later event of the same batch with this key or seq sees it.
  known.byKey.set(event.idempotencyKey, { hash, outcome });
  known.seqs.add(event.seq);
  return { ...ref, ...outcome };
}

/** Rolls the announcement's transaction back (the feed cursor it took included). */
class ReferenceActive extends Error {}

/** Migrates the database and opens its secrets; a wrong key is a `StorageOpenError`. */
export async function createSqlFleetStorage(
  driver: SqlDriver,
  secretKey: SecretKeySource,
): Promise<FleetStorage> {
  let secrets: SecretBox;
  try {
    await migrate(driver);
    const opened = await openSecrets(driver, secretKey);
    if (!opened.ok) throw new StorageOpenError(opened.error);
    secrets = opened.value;
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  let lastNoncePrune = 0;

  const deviceRow = async (q: SqlQueryable, id: string) =>
    (await q.all<DeviceRow>('SELECT * FROM devices WHERE id = ?', [id]))[0];

  return {
    kind: driver.kind,
    sql: driver,
    secrets,
    async ping() {
      await driver.all('SELECT 1 AS one');
    },
    close: () => driver.close(),

    async addEnrolmentToken(token) {
      await driver.run(
        `INSERT INTO enrolment_tokens (token_hash, label, created_at, expires_at)
         VALUES (?, ?, ?, ?)`,
        [token.tokenHash, token.label, token.createdAt, token.expiresAt],
      );
    },

    enrolDevice(input) {
      return driver.transaction(async (tx) => {
        const used = await tx.run(
          `UPDATE enrolment_tokens SET used_at = ?, device_id = ?
           WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
          [input.now, input.deviceId, input.tokenHash, input.now],
        );
        if (used !== 1) {
          // The same terminal asking again (its first answer was lost): the same device.
          const [again] = await tx.all<DeviceRow>(
            `SELECT devices.* FROM enrolment_tokens JOIN devices ON devices.id = enrolment_tokens.device_id
             WHERE token_hash = ? AND expires_at > ? AND devices.public_key = ?
               AND devices.code_key = ?`,
            [input.tokenHash, input.now, input.publicKey, input.codeKey],
          );
          return again ? ok(toDevice(again)) : err('invalid-token' as const);
        }
        // One name per terminal: the token's label (what the office called it, and the key of
        // its notice settings) wins over the site name the terminal reports.
        await tx.run(
          `INSERT INTO devices (id, public_key, code_key, label, enrolled_at)
           VALUES (?, ?, ?, COALESCE((SELECT label FROM enrolment_tokens WHERE token_hash = ?), ?), ?)`,
          [input.deviceId, input.publicKey, input.codeKey, input.tokenHash, input.label, input.now],
        );
        return ok(toDevice((await deviceRow(tx, input.deviceId))!));
      });
    },

    async devices() {
      const rows = await driver.all<DeviceRow>('SELECT * FROM devices ORDER BY label, id');
      return rows.map(toDevice);
    },

    async setDeviceStatus(deviceId, status, now) {
      // The status ends a terminal's sync cycle: it was seen, and has synced, now. A report
      // taken before the one stored (a request that arrived late) changes nothing else.
      await driver.transaction(async (tx) => {
        const [before] = await tx.all<{ status: string | null }>(
          'SELECT status FROM devices WHERE id = ?',
          [deviceId],
        );
        await tx.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [now, deviceId]);
        const newer = await tx.run(
          `UPDATE devices SET status = ?, status_at = ?, status_taken_at = ?
           WHERE id = ? AND (status_taken_at IS NULL OR status_taken_at < ?)`,
          [JSON.stringify(status), now, status.at, deviceId, status.at],
        );
        // The evaluation's availability and door alarms (a late report adds no alarm).
        const previous = before?.status
          ? (TerminalStatusSchema.safeParse(JSON.parse(before.status)).data ?? null)
          : null;
        await recordStatus(
          tx,
          deviceId,
          newer === 1 ? status : { ...status, doorAlarms: [] },
          previous,
          now,
        );
      });
    },

    async device(id) {
      const row = await deviceRow(driver, id);
      return row && toDevice(row);
    },

    async rememberNonce(deviceId, nonce, now, forgetBefore) {
      if (now - lastNoncePrune >= NONCE_PRUNE_INTERVAL_MS) {
        lastNoncePrune = now;
        await driver.run('DELETE FROM nonces WHERE seen_at < ?', [forgetBefore]);
      }
      const inserted = await driver.run(
        'INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        [deviceId, nonce, now],
      );
      return inserted === 1;
    },

    recordEvents(deviceId, events, apply, now) {
      const ordered = [...events].sort((a, b) => a.seq - b.seq);
      return driver.transaction(async (tx) => {
        // Takes the device's row lock first: one batch per device at a time (PostgreSQL).
        const known = await tx.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [
          now,
          deviceId,
        ]);
        if (known !== 1) throw new Error(`unknown device ${deviceId}`);
        const record = await onRecord(tx, deviceId, ordered);
        const results: PushResult[] = [];
        for (const event of ordered) {
          results.push(await recordEvent(tx, deviceId, event, apply, now, record));
        }
        const recorded = results.filter((r) => r.status === 'applied' || r.status === 'parked');
        const last = Math.max(0, ...recorded.map((r) => r.seq));
        if (last > 0) {
          await tx.run(
            'UPDATE devices SET last_seq = CASE WHEN last_seq < ? THEN ? ELSE last_seq END WHERE id = ?',
            [last, last, deviceId],
          );
        }
        return results;
      });
    },

    async events(deviceId) {
      const rows = await driver.all<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE device_id = ? ORDER BY seq`,
        [deviceId],
      );
      return rows.map(toEvent);
    },

    async parkedCounts() {
      const rows = await driver.all<{ device_id: string; n: number }>(
        `SELECT device_id, COUNT(*) AS n FROM events WHERE status = 'parked' GROUP BY device_id`,
      );
      return new Map(rows.map((row) => [row.device_id, Number(row.n)]));
    },

    async parkedEvents() {
      const rows = await driver.all<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE status = 'parked'
         ORDER BY received_at, device_id, seq`,
      );
      return rows.map(toEvent);
    },

    async appendFeed(deviceId, change, now) {
      const cursor = await driver.transaction((tx) => appendFeedIn(tx, deviceId, change, now));
      if (cursor === undefined) throw new Error(`unknown device ${deviceId}`);
      return cursor;
    },

    async refusedChanges(deviceId, filter = {}) {
      const rows = await driver.all<{
        cursor: number;
        change: string;
        created_at: number;
        refused_reason: string;
        refused_at: number;
      }>(
        `SELECT cursor, change, created_at, refused_reason, refused_at FROM feed
         WHERE device_id = ? AND refused_at IS NOT NULL ORDER BY cursor DESC`,
        [deviceId],
      );
      return rows
        .map((row) => ({
          cursor: Number(row.cursor),
          change: FeedChangeSchema.parse(JSON.parse(row.change)),
          createdAt: Number(row.created_at),
          code: row.refused_reason as FeedRefusalCode,
          refusedAt: Number(row.refused_at),
        }))
        .filter(
          (refused) =>
            filter.itemId === undefined ||
            ('itemId' in refused.change && refused.change.itemId === filter.itemId),
        );
    },

    async feed(deviceId, after, limit) {
      const device = await deviceRow(driver, deviceId);
      if (!device) throw new Error(`unknown device ${deviceId}`);
      const rows = await driver.all<{ cursor: number; change: string; created_at: number }>(
        `SELECT cursor, change, created_at FROM feed WHERE device_id = ? AND cursor > ?
         ORDER BY cursor LIMIT ?`,
        [deviceId, after ?? device.feed_acked, limit],
      );
      return {
        entries: rows.map((row) => ({
          cursor: row.cursor,
          createdAt: row.created_at,
          change: FeedChangeSchema.parse(JSON.parse(row.change)),
        })),
        head: device.feed_head,
        acked: device.feed_acked,
      };
    },

    ackFeed(deviceId, cursor) {
      return driver.transaction(async (tx) => {
        const [row] = await tx.all<{ feed_head: number; feed_acked: number }>(
          `UPDATE devices SET feed_acked = CASE WHEN feed_acked < ? AND ? <= feed_head
             THEN ? ELSE feed_acked END WHERE id = ? RETURNING feed_head, feed_acked`,
          [cursor, cursor, cursor, deviceId],
        );
        if (!row) throw new Error(`unknown device ${deviceId}`);
        return cursor > row.feed_head ? err('cursor-ahead' as const) : ok(row.feed_acked);
      });
    },

    announceItem(announcement) {
      const { deviceId, change, contact, now } = announcement;
      return driver
        .transaction(async (tx) => {
          // The feed change first: it takes the device's lock the reference check relies on.
          const cursor = await appendFeedIn(tx, deviceId, change, now);
          if (cursor === undefined) return err('unknown-device' as const);
          const active = await tx.all(
            `SELECT 1 AS active FROM items WHERE device_id = ? AND reference = ?
           AND status IN ('announced', 'loaded', 'withdrawn')`,
            [deviceId, change.reference],
          );
          if (active.length > 0) throw new ReferenceActive();
          await tx.run(
            `INSERT INTO items (id, device_id, reference, kind, status, updated_at, last_seq,
             announced_at, holding_days) VALUES (?, ?, ?, ?, 'announced', ?, 0, ?, ?)`,
            [
              change.itemId,
              deviceId,
              change.reference,
              change.itemKind,
              now,
              now,
              change.holdingDays,
            ],
          );
          await tx.run(
            'INSERT INTO item_contacts (item_id, email, mobile, language) VALUES (?, ?, ?, ?)',
            [change.itemId, contact.email, contact.mobile, contact.language],
          );
          await tx.run('INSERT INTO pending_codes (item_id, code) VALUES (?, ?)', [
            change.itemId,
            announcement.code,
          ]);
          await addHistory(tx, {
            itemId: change.itemId,
            at: now,
            event: 'announced',
            actor: announcement.actor,
            detail: { holdingDays: change.holdingDays },
          });
          return ok({ cursor });
        })
        .catch((error: unknown) => {
          if (error instanceof ReferenceActive) return err('reference-active' as const);
          throw error;
        });
    },

    async items(filter) {
      const search = filter.reference ? filter.reference : undefined;
      const where = whereAll([
        ['device_id = ?', filter.deviceId],
        ['status = ?', filter.status],
        // LIKE is case-insensitive in SQLite only: both sides lowered, same answer in both.
        [
          `LOWER(reference) LIKE LOWER(?) ESCAPE '\\'`,
          search && `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
        ],
      ]);
      const rows = await driver.all<ItemRow>(
        `SELECT * FROM items ${where.sql} ORDER BY updated_at DESC, id LIMIT ?`,
        [...where.params, filter.limit ?? 200],
      );
      return rows.map(toItem);
    },

    async itemHistory(itemId) {
      const rows = await driver.all<{
        item_id: string;
        at: number;
        event: string;
        actor: string;
        detail: string | null;
      }>('SELECT * FROM item_history WHERE item_id = ? ORDER BY at, event', [itemId]);
      return rows.map(
        (row): HistoryEntry => ({
          itemId: row.item_id,
          at: row.at,
          event: row.event,
          actor: row.actor,
          detail: row.detail === null ? null : (JSON.parse(row.detail) as JsonObject),
        }),
      );
    },

    addItemHistory: (entry) => addHistory(driver, entry),

    async itemContact(itemId) {
      const [row] = await driver.all<{
        email: string | null;
        mobile: string | null;
        language: string;
      }>('SELECT email, mobile, language FROM item_contacts WHERE item_id = ?', [itemId]);
      return row && { email: row.email, mobile: row.mobile, language: row.language };
    },

    async pendingCode(itemId) {
      const [row] = await driver.all<{ code: string }>(
        'SELECT code FROM pending_codes WHERE item_id = ?',
        [itemId],
      );
      return row?.code;
    },

    async item(id) {
      const [row] = await driver.all<ItemRow>('SELECT * FROM items WHERE id = ?', [id]);
      return row && toItem(row);
    },

    async compartment(deviceId, label) {
      const [row] = await driver.all<CompartmentRow>(
        'SELECT * FROM compartments WHERE device_id = ? AND label = ?',
        [deviceId, label],
      );
      return (
        row && {
          deviceId: row.device_id,
          label: row.label,
          defective: row.defective === 1,
          reason: row.reason,
          updatedAt: row.updated_at,
          lastSeq: row.last_seq,
        }
      );
    },
  };
}
