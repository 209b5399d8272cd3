/**
 * The evaluation's tables, filled from what terminals push (issue #13): each write happens in
 * the transaction that records the event, so an event counts exactly once however often it
 * is re-sent (the push answers a re-sent key `duplicate` without applying it again).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type {
  EventPayload,
  JsonValue,
  SyncEvent,
  TerminalStatus,
  UsageEventType,
  UsagePayload,
} from '../../protocol/index.ts';
import { usagePayloadSchemas } from '../../protocol/index.ts';
import type { SqlQueryable } from '../storage/driver.ts';
import type { ApplyContext } from '../storage/storage.ts';

export const HOUR_MS = 60 * 60 * 1000;

function usagePayload<T extends UsageEventType>(type: T, event: SyncEvent): UsagePayload<T> {
  const parsed = usagePayloadSchemas[type].safeParse(event.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
    throw new Error(`payload of ${type} invalid (${issues.join('; ')})`);
  }
  return parsed.data as UsagePayload<T>;
}

const flag = (value: boolean) => (value ? 1 : 0);

/** Handlers for the usage events, merged into the server's default handlers (apply.ts). */
export const usageHandlers: Readonly<
  Record<UsageEventType, (event: SyncEvent, context: ApplyContext) => Promise<JsonValue>>
> = {
  'usage-session': async (event, context) => {
    const p = usagePayload('usage-session', event);
    const changed = await context.tx.run(
      `INSERT INTO eval_sessions (device_id, session_id, service, language, large_text,
         high_contrast, speech, outcome, reason, abandon_step, started_at, ended_at, duration_ms,
         extensions, reopened, wrong_entries, door_faults, satisfaction, alternative, distance_band)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, session_id) DO NOTHING`,
      [
        context.deviceId,
        p.sessionId,
        p.service,
        p.language,
        flag(p.largeText),
        flag(p.highContrast),
        flag(p.speech),
        p.outcome,
        p.reason,
        p.abandonStep,
        p.startedAt,
        p.endedAt,
        p.durationMs,
        p.extensions,
        p.reopened,
        p.wrongEntries,
        p.doorFaults,
        p.satisfaction,
        p.alternative,
        p.distanceBand,
      ],
    );
    return { recorded: changed === 1 };
  },
  'usage-application': async (event, context) => {
    const p = usagePayload('usage-application', event);
    await context.tx.run(
      `INSERT INTO eval_applications (device_id, seq, session_id, form, form_version, event,
         step, duration_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, seq) DO NOTHING`,
      [
        context.deviceId,
        context.seq,
        p.sessionId,
        p.form,
        p.formVersion,
        p.event,
        p.step,
        p.durationMs,
        p.at,
      ],
    );
    return { recorded: true };
  },
  'usage-staff': async (event, context) => {
    const p = usagePayload('usage-staff', event);
    await recordWork(context, p.task, p.itemKind, p.items, p.durationMs, p.at);
    return { recorded: true };
  },
  'usage-courier': async (event, context) => {
    const p = usagePayload('usage-courier', event);
    await recordWork(context, 'courier-deposit', 'parcel', 1, p.durationMs, p.at);
    return { recorded: true };
  },
};

async function recordWork(
  context: ApplyContext,
  task: string,
  itemKind: string | null,
  items: number,
  durationMs: number | null,
  at: number,
) {
  await context.tx.run(
    `INSERT INTO eval_work (device_id, seq, task, item_kind, items, duration_ms, at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, seq) DO NOTHING`,
    [context.deviceId, context.seq, task, itemKind, items, durationMs, at],
  );
}

/** The evaluation period a time falls in: the calendar year (UTC). */
export const periodOf = (at: number) => String(new Date(at).getUTCFullYear());

/**
 * A person counted once per period without being named: HMAC-SHA256 under a random key of
 * that period. The next period has another key, so nobody can be followed across periods;
 * deleting a closed period's key (eval_keys) makes its pseudonyms unlinkable for good.
 */
export async function pseudonym(tx: SqlQueryable, at: number, value: string): Promise<string> {
  const period = periodOf(at);
  await tx.run('INSERT INTO eval_keys (period, secret) VALUES (?, ?) ON CONFLICT DO NOTHING', [
    period,
    randomBytes(32).toString('base64url'),
  ]);
  const [row] = await tx.all<{ secret: string }>('SELECT secret FROM eval_keys WHERE period = ?', [
    period,
  ]);
  if (!row) throw new Error(`no evaluation key for period ${period}`);
  return createHmac('sha256', Buffer.from(row.secret, 'base64url'))
    .update(value)
    .digest('base64url')
    .slice(0, 22);
}

type ItemEvent =
  | 'item-ready'
  | 'item-picked-up'
  | 'item-dropped-off'
  | 'item-retrieved'
  | 'item-expired'
  | 'item-withdrawn';

/** How an item left the terminal; the first one reported counts (an expired item is retrieved later). */
const ENDINGS: Partial<Record<ItemEvent, string>> = {
  'item-picked-up': 'picked-up',
  'item-expired': 'expired',
  'item-retrieved': 'retrieved',
  'item-withdrawn': 'withdrawn',
};

/** An item's stage for the dwell and expiry figures: loaded (or dropped off), then how it ended. */
export async function recordItemStage(
  context: ApplyContext,
  type: ItemEvent,
  payload: EventPayload<ItemEvent>,
): Promise<void> {
  const { tx, deviceId } = context;
  const [item] = await tx.all<{ kind: string | null; announced_at: number | null }>(
    'SELECT kind, announced_at FROM items WHERE id = ?',
    [payload.itemId],
  );
  await tx.run(
    `INSERT INTO eval_items (item_id, device_id, kind, announced_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET kind = COALESCE(excluded.kind, eval_items.kind),
       announced_at = COALESCE(excluded.announced_at, eval_items.announced_at)`,
    [payload.itemId, deviceId, item?.kind ?? null, item?.announced_at ?? null],
  );
  if (type === 'item-ready' || type === 'item-dropped-off') {
    const at =
      'droppedOffAt' in payload ? payload.droppedOffAt : (context.createdAt ?? context.receivedAt);
    const recipientRef = 'recipientRef' in payload ? payload.recipientRef : null;
    const recipient = recipientRef ? await pseudonym(tx, at, recipientRef) : null;
    await tx.run(
      `UPDATE eval_items SET loaded_at = COALESCE(loaded_at, ?),
         recipient = COALESCE(recipient, ?) WHERE item_id = ?`,
      [at, recipient, payload.itemId],
    );
    return;
  }
  const ending = ENDINGS[type];
  const endedAt =
    'pickedUpAt' in payload
      ? payload.pickedUpAt
      : 'expiredAt' in payload
        ? payload.expiredAt
        : 'retrievedAt' in payload
          ? payload.retrievedAt
          : 'withdrawnAt' in payload
            ? payload.withdrawnAt
            : context.receivedAt;
  await tx.run(
    `UPDATE eval_items SET outcome = ?, ended_at = ? WHERE item_id = ? AND outcome IS NULL`,
    [ending ?? null, endedAt, payload.itemId],
  );
}

/**
 * A status report: the terminal was up in this hour (availability), a board it names offline
 * was down in this hour, and a door alarm not in its previous report is a new one.
 */
export async function recordStatus(
  tx: SqlQueryable,
  deviceId: string,
  status: TerminalStatus,
  previous: TerminalStatus | null,
  now: number,
): Promise<void> {
  await tx.run('INSERT INTO eval_uptime (device_id, hour) VALUES (?, ?) ON CONFLICT DO NOTHING', [
    deviceId,
    Math.floor(status.at / HOUR_MS),
  ]);
  for (const board of new Set(status.boardsOffline ?? [])) {
    await tx.run(
      'INSERT INTO eval_board_offline (device_id, board, hour) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [deviceId, board, Math.floor(status.at / HOUR_MS)],
    );
  }
  const before = new Set(previous?.doorAlarms.map((a) => `${a.compartment}\n${a.alarm}`) ?? []);
  for (const alarm of status.doorAlarms) {
    if (before.has(`${alarm.compartment}\n${alarm.alarm}`)) continue;
    await tx.run(
      'INSERT INTO eval_door_alarms (device_id, compartment, alarm, at) VALUES (?, ?, ?, ?)',
      [deviceId, alarm.compartment, alarm.alarm, Math.min(status.at, now)],
    );
  }
}
