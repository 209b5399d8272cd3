/**
 * The notification worker: each cycle queues the server's own reminders, then claims due
 * notices (a lease, queue.ts), renders each in the contact's language from the data it reads
 * at that moment (contact, code, item, terminal) and hands it to its channel. Sent → `sent`
 * (and the plain code deleted once every ready notice of the item is out); a temporary
 * failure → retried with exponential backoff; a permanent one or the last attempt → `failed`,
 * visible in the overview until someone retries it. Logs carry ids, channel, kind, attempts
 * and redacted reasons — never an address, number, code or message text.
 */

import { type Clock, err, type Logger, silentLogger, systemClock } from '@amtomat/basics';
import type { FleetStorage, ItemRecord } from '../storage/storage.ts';
import {
  CHANNELS,
  type ChannelName,
  type NoticeChannels,
  type NoticeMessage,
  redact,
} from './channel.ts';
import type { NotificationConfig } from './config.ts';
import {
  claimDue,
  forgetCodeIfDelivered,
  markCancelled,
  markFailed,
  markRetry,
  markSent,
  type NoticeRecord,
  readyStatus,
  scheduleReminders,
} from './queue.ts';
import { renderNotice } from './templates.ts';

const DAY_MS = 86_400_000;

export type MessageTexts = Pick<
  NotificationConfig,
  'senderName' | 'office' | 'terminals' | 'timeZone'
>;

export interface NotificationWorkerOptions {
  storage: FleetStorage;
  channels: NoticeChannels;
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** Pause between cycles (the first cycle runs after one interval). */
  intervalMs: number;
  /** Attempts before a notice is `failed`. */
  maxAttempts: number;
  /** Delay before attempt n+1: min(maxMs, initialMs · 2^(n−1)). */
  backoff: { initialMs: number; maxMs: number };
  texts?: Partial<MessageTexts>;
  /** How long a claim holds; longer than any channel's timeout. Default 10 minutes. */
  leaseMs?: number;
  /** Notices claimed at a time. Default 50. */
  batchSize?: number;
}

export interface CycleSummary {
  scheduled: { reminder: number; expiring: number };
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
}

export interface NotificationWorker {
  /** One cycle now (after any cycle under way). */
  runOnce(): Promise<CycleSummary>;
  /** No further cycles; resolves when the one under way has finished. */
  stop(): Promise<void>;
}

export const backoffDelay = (attempts: number, backoff: { initialMs: number; maxMs: number }) =>
  Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempts - 1));

/** The status an item must still have for a notice of this kind to make sense. */
const statusFor = (kind: NoticeRecord['kind']) => (kind === 'expired' ? 'expired' : 'loaded');

const deadlineOf = (item: ItemRecord) =>
  item.expiresAt ??
  (item.loadedAt !== null && item.holdingDays !== null
    ? item.loadedAt + item.holdingDays * DAY_MS
    : null);

type Outcome = 'sent' | 'retried' | 'failed' | 'cancelled';

export function startNotificationWorker(options: NotificationWorkerOptions): NotificationWorker {
  const { storage, channels, maxAttempts, backoff } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const batchSize = options.batchSize ?? 50;
  const texts: MessageTexts = {
    senderName: options.texts?.senderName ?? 'Amt-O-Mat',
    office: options.texts?.office,
    terminals: options.texts?.terminals ?? {},
    timeZone: options.texts?.timeZone ?? 'Europe/Berlin',
  };
  const configured = CHANNELS.filter((name) => channels[name] !== undefined);
  const warnedUnconfigured = new Set<ChannelName>();

  const fields = (notice: NoticeRecord) => ({
    notice: notice.id,
    itemId: notice.itemId,
    channel: notice.channel,
    kind: notice.kind,
    attempts: notice.attempts,
  });

  async function cancel(notice: NoticeRecord, reason: string): Promise<Outcome> {
    await markCancelled(storage, notice, reason);
    logger.log('info', 'notifications.cancelled', { ...fields(notice), reason });
    return 'cancelled';
  }

  async function fail(notice: NoticeRecord, reason: string): Promise<Outcome> {
    if ((await markFailed(storage, notice, reason)) === 1) {
      await storage.addItemHistory({
        itemId: notice.itemId,
        at: clock.now(),
        event: 'notice-failed',
        actor: 'system',
        detail: { kind: notice.kind, channel: notice.channel, attempts: notice.attempts },
      });
    }
    logger.log('error', 'notifications.failed', { ...fields(notice), reason });
    return 'failed';
  }

  /** The message, or why there is none: the item moved on, or a ready notice lost its code. */
  async function prepare(
    notice: NoticeRecord,
  ): Promise<{ message: NoticeMessage; secrets: string[] } | { outcome: Promise<Outcome> }> {
    const item = await storage.item(notice.itemId);
    const contact = await storage.itemContact(notice.itemId);
    if (!item || !contact) {
      return { outcome: cancel(notice, 'no contact data any more (item finished)') };
    }
    if (item.status !== statusFor(notice.kind)) {
      return { outcome: cancel(notice, `item is ${item.status}`) };
    }
    const to = notice.channel === 'email' ? contact.email : contact.mobile;
    if (!to) return { outcome: fail(notice, `the contact has no ${notice.channel} address`) };
    if (
      notice.kind !== 'ready' &&
      notice.kind !== 'expired' &&
      (await readyStatus(storage, item.id, notice.channel)) === 'failed'
    ) {
      const reason = 'the pickup code never reached this channel (ready notice failed)';
      return { outcome: cancel(notice, reason) };
    }
    const code = notice.kind === 'ready' ? await storage.pendingCode(item.id) : undefined;
    if (notice.kind === 'ready' && code === undefined) {
      const reason =
        'pickup code no longer stored (already delivered, or the item finished); a new code needs a new announcement';
      return { outcome: fail(notice, reason) };
    }
    const label = (await storage.device(item.deviceId))?.label ?? null;
    const terminal = label === null ? undefined : texts.terminals[label];
    const rendered = renderNotice({
      kind: notice.kind,
      language: contact.language,
      itemKind: item.kind,
      terminal: label,
      place: terminal?.place,
      office: terminal?.office ?? texts.office,
      senderName: texts.senderName,
      loadedAt: item.loadedAt,
      deadline: deadlineOf(item),
      timeZone: texts.timeZone,
      ...(code === undefined ? {} : { code }),
    });
    const text = notice.channel === 'sms' ? rendered.sms : rendered.text;
    return {
      message: { to, language: rendered.language, subject: rendered.subject, text },
      secrets: code === undefined ? [to] : [to, code],
    };
  }

  async function deliver(notice: NoticeRecord): Promise<Outcome> {
    const prepared = await prepare(notice);
    if ('outcome' in prepared) return prepared.outcome;
    const result = await channels[notice.channel]!.send(prepared.message).catch((error: unknown) =>
      err({ permanent: false, reason: `channel threw: ${String(error)}` }),
    );
    const now = clock.now();
    if (result.ok) return sent(notice, now);
    const reason = redact(result.error.reason, prepared.secrets);
    if (result.error.permanent || notice.attempts >= maxAttempts) return fail(notice, reason);
    const nextAttemptAt = now + backoffDelay(notice.attempts, backoff);
    await markRetry(storage, notice, reason, nextAttemptAt);
    logger.log('warn', 'notifications.retry', { ...fields(notice), reason, nextAttemptAt });
    return 'retried';
  }

  async function sent(notice: NoticeRecord, now: number): Promise<Outcome> {
    await markSent(storage, notice, now);
    await storage.addItemHistory({
      itemId: notice.itemId,
      at: now,
      event: 'notice-sent',
      actor: 'system',
      detail: { kind: notice.kind, channel: notice.channel, attempts: notice.attempts },
    });
    if (notice.kind === 'ready') await forgetCodeIfDelivered(storage, notice.itemId);
    logger.log('info', 'notifications.sent', fields(notice));
    return 'sent';
  }

  async function warnUnconfigured() {
    for (const name of CHANNELS) {
      if (channels[name] || warnedUnconfigured.has(name)) continue;
      const [row] = await storage.sql.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM notifications WHERE status = 'pending' AND channel = ?`,
        [name],
      );
      if (Number(row?.n ?? 0) === 0) continue;
      warnedUnconfigured.add(name);
      logger.log('warn', 'notifications.channel-not-configured', {
        channel: name,
        pending: Number(row?.n),
      });
    }
  }

  async function cycle(): Promise<CycleSummary> {
    const summary: CycleSummary = {
      scheduled: await scheduleReminders(storage, clock.now()),
      sent: 0,
      retried: 0,
      failed: 0,
      cancelled: 0,
    };
    await warnUnconfigured();
    for (let batch = 0; batch < 20; batch++) {
      const now = clock.now();
      const claimed = await claimDue(storage, {
        channels: configured,
        now,
        leaseUntil: now + leaseMs,
        limit: batchSize,
      });
      for (const notice of claimed) summary[await deliver(notice)]++;
      if (claimed.length < batchSize) break;
    }
    return summary;
  }

  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = (): Promise<CycleSummary> => {
    const run = chain.then(cycle, cycle);
    chain = run.catch(() => undefined);
    return run;
  };

  const tick = async () => {
    try {
      await runOnce();
    } catch (error) {
      logger.log('error', 'notifications.cycle-failed', {
        error: redact(error instanceof Error ? error.message : String(error), []),
      });
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}
