/**
 * One sync cycle's two steps. Push: the outbox in seq order, batch by batch; a batch is
 * marked only after the server answered it, so a lost answer means a re-send, which the
 * server's idempotency keys turn into `duplicate`. Pull: the feed after the cursor the
 * terminal applied (not the one the server saw acknowledged), so a lost ack never re-applies.
 */
import { err, type Logger, ok, type Result } from '@amtomat/basics';
import {
  PullResponseSchema,
  PushResponseSchema,
  type PushResult,
  paths,
  type SyncEvent,
  SyncEventSchema,
  type TerminalStatus,
} from '../protocol/index.ts';
import {
  describeRefusal,
  errorReply,
  type HttpFailure,
  type HttpReply,
  type SignedClient,
} from './http.ts';
import type { FeedPort, OutboxEvent, OutboxPort } from './ports.ts';

export interface StepContext {
  deviceId: string;
  client: SignedClient;
  outbox: OutboxPort;
  feed: FeedPort;
  logger: Logger;
  batchSize: number;
  pullLimit: number;
  /** Counted as events settle, so a cycle failing half-way still reports what it did. */
  tally: PushTally;
  /** The terminal's status for the console, sent at the end of each cycle. */
  status?: () => TerminalStatus;
}

/**
 * What kind of failure, for people: staff see it in their language, while `message` (English,
 * technical) goes to the log and the health check.
 */
export type SyncProblem =
  | 'unreachable'
  | 'timeout'
  | 'not-accepted'
  | 'refused'
  | 'clock'
  | 'protocol'
  | 'internal';

export interface StepFailure {
  message: string;
  problem: SyncProblem;
  /** The agent is stopping: not a failure to back off from. */
  aborted: boolean;
  /** From a `clock-skew` refusal. */
  skewMs?: number;
}

export interface PushTally {
  /** Delivered, but set aside by the server for an operator. */
  parked: number;
  /** Never deliverable as they are (a conflict, or not a protocol event): closed unsent. */
  rejected: number;
}

const failure = (
  message: string,
  problem: SyncProblem,
  extra: Partial<StepFailure> = {},
): StepFailure => ({ message, problem, aborted: false, ...extra });

/** The server answered with something this terminal does not understand. */
const protocolFailure = (message: string) => failure(message, 'protocol');

const transportFailure = (error: HttpFailure): StepFailure =>
  failure(`${error.kind}: ${error.message}`, error.kind === 'timeout' ? 'timeout' : 'unreachable', {
    aborted: error.kind === 'aborted',
  });

function refused(reply: HttpReply, logger: Logger): StepFailure {
  const reason = errorReply(reply);
  if (reason?.error === 'clock-skew') {
    logger.log('warn', 'sync.clock-skew', { skewMs: reason.skewMs ?? null, status: reply.status });
    return failure(describeRefusal(reply), 'clock', { skewMs: reason.skewMs });
  }
  // 401/403: the server does not accept this terminal's credentials (revoked, re-enrolled).
  const problem = reply.status === 401 || reply.status === 403 ? 'not-accepted' : 'refused';
  return failure(describeRefusal(reply), problem);
}

/** Port calls are the kiosk's code: a throw there fails the cycle, never the caller. */
function guard<T>(what: string, call: () => T): Result<T, StepFailure> {
  try {
    return ok(call());
  } catch (error) {
    return err(
      failure(
        `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
        'internal',
      ),
    );
  }
}

/** Closes an event the server will never take as it is: recorded as failed, then not re-sent. */
function reject(ctx: StepContext, event: OutboxEvent, reason: string): Result<void, StepFailure> {
  ctx.logger.log('error', 'sync.event-rejected', { seq: event.seq, type: event.type, reason });
  return guard('outbox.markFailed', () => {
    ctx.outbox.markFailed(event.seq, reason);
    ctx.outbox.markSent([event.seq]);
  });
}

function toSyncEvents(ctx: StepContext, events: readonly OutboxEvent[]) {
  const valid: SyncEvent[] = [];
  const invalid: OutboxEvent[] = [];
  for (const event of events) {
    const parsed = SyncEventSchema.safeParse({
      deviceId: ctx.deviceId,
      seq: event.seq,
      idempotencyKey: event.idempotencyKey,
      type: event.type,
      payload: event.payload,
      ...(event.createdAt === undefined ? {} : { createdAt: event.createdAt }),
    });
    if (parsed.success) valid.push(parsed.data);
    else invalid.push(event);
  }
  return { valid, invalid };
}

/** Marks one answered batch: delivered (applied, duplicate, parked) or rejected (conflict). */
function settle(
  ctx: StepContext,
  events: readonly SyncEvent[],
  results: readonly PushResult[],
): Result<void, StepFailure> {
  const { tally } = ctx;
  const byKey = new Map<string, PushResult>();
  for (const result of results)
    if (!byKey.has(result.idempotencyKey)) byKey.set(result.idempotencyKey, result);
  const delivered: number[] = [];
  let missing = 0;
  for (const event of events) {
    const result = byKey.get(event.idempotencyKey);
    if (!result) {
      missing++; // left pending: the next cycle sends it again
      continue;
    }
    if (result.status === 'conflict') {
      tally.rejected++;
      const rejected = reject(ctx, event, `conflict: ${result.reason}`);
      if (!rejected.ok) return rejected;
      continue;
    }
    const parked =
      result.status === 'parked'
        ? result.reason
        : result.status === 'duplicate' && result.stored.status === 'parked'
          ? result.stored.reason
          : undefined;
    if (parked !== undefined) {
      tally.parked++;
      ctx.logger.log('warn', 'sync.event-parked', {
        seq: event.seq,
        type: event.type,
        reason: parked,
      });
    }
    delivered.push(event.seq);
  }
  const marked = guard('outbox.markSent', () => ctx.outbox.markSent(delivered));
  if (!marked.ok) return marked;
  return missing > 0
    ? err(protocolFailure(`push reply lacks results for ${missing} events`))
    : ok(undefined);
}

async function pushBatch(
  ctx: StepContext,
  events: readonly SyncEvent[],
): Promise<Result<void, StepFailure>> {
  const reply = await ctx.client.post(paths.events(ctx.deviceId), { events });
  if (!reply.ok) return err(transportFailure(reply.error));
  // 422 carries results too: a conflict does not stop the rest of the batch.
  if (reply.value.status !== 200 && reply.value.status !== 422)
    return err(refused(reply.value, ctx.logger));
  const body = PushResponseSchema.safeParse(reply.value.body);
  if (!body.success) return err(protocolFailure('push reply does not match the schema'));
  ctx.logger.log('info', 'sync.pushed', {
    events: events.length,
    firstSeq: events[0]!.seq,
    lastSeq: events.at(-1)!.seq,
    duplicates: body.data.results.filter((result) => result.status === 'duplicate').length,
  });
  return settle(ctx, events, body.data.results);
}

export async function pushOutbox(ctx: StepContext): Promise<Result<void, StepFailure>> {
  const handled = new Set<number>();
  for (;;) {
    const pending = guard('outbox.pending', () => ctx.outbox.pending(ctx.batchSize));
    if (!pending.ok) return pending;
    if (pending.value.length === 0) return ok(undefined);
    // An outbox that hands out an event it was told about would loop this cycle forever.
    if (pending.value.some((event) => handled.has(event.seq))) {
      return err(failure('outbox returned an event already settled in this cycle', 'internal'));
    }
    for (const event of pending.value) handled.add(event.seq);
    const { valid, invalid } = toSyncEvents(ctx, pending.value);
    for (const event of invalid) {
      ctx.tally.rejected++;
      const rejected = reject(ctx, event, 'invalid: not a protocol event');
      if (!rejected.ok) return rejected;
    }
    if (valid.length === 0) continue;
    const pushed = await pushBatch(ctx, valid);
    if (!pushed.ok) return pushed;
  }
}

export interface PullTally {
  applied: number;
  cursor: number;
}

async function ack(ctx: StepContext, cursor: number): Promise<Result<void, StepFailure>> {
  const reply = await ctx.client.post(paths.feedAck(ctx.deviceId), { cursor });
  if (!reply.ok) return err(transportFailure(reply.error));
  return reply.value.status === 200 ? ok(undefined) : err(refused(reply.value, ctx.logger));
}

export async function pullFeed(ctx: StepContext): Promise<Result<PullTally, StepFailure>> {
  let applied = 0;
  for (;;) {
    const local = guard('feed.cursor', () => ctx.feed.cursor());
    if (!local.ok) return local;
    const reply = await ctx.client.get(
      `${paths.feed(ctx.deviceId)}?after=${local.value}&limit=${ctx.pullLimit}`,
    );
    if (!reply.ok) return err(transportFailure(reply.error));
    if (reply.value.status !== 200) return err(refused(reply.value, ctx.logger));
    const page = PullResponseSchema.safeParse(reply.value.body);
    if (!page.success) return err(protocolFailure('feed reply does not match the schema'));
    if (local.value > page.data.head) {
      return err(
        protocolFailure(`feed cursor ${local.value} is past the server's head ${page.data.head}`),
      );
    }
    const fresh = page.data.entries
      .filter((entry) => entry.cursor > local.value)
      .sort((a, b) => a.cursor - b.cursor);
    if (fresh.length > 0) {
      try {
        await ctx.feed.apply(fresh);
      } catch (error) {
        return err(
          failure(
            `feed.apply failed: ${error instanceof Error ? error.message : String(error)}`,
            'internal',
          ),
        );
      }
      applied += fresh.length;
    }
    const cursor = guard('feed.cursor', () => ctx.feed.cursor());
    if (!cursor.ok) return cursor;
    if (fresh.length > 0 && cursor.value <= local.value) {
      return err(protocolFailure('feed.apply did not advance the cursor'));
    }
    // Also re-sends an ack lost last time: the server's `acked` is behind what we applied.
    if (cursor.value > page.data.acked) {
      const acked = await ack(ctx, cursor.value);
      if (!acked.ok) return acked;
    }
    if (fresh.length > 0)
      ctx.logger.log('info', 'sync.pulled', { entries: fresh.length, cursor: cursor.value });
    if (fresh.length === 0 || cursor.value >= page.data.head)
      return ok({ applied, cursor: cursor.value });
  }
}

/** Sends the terminal's status (latest wins on the server); skipped without a status port. */
export async function reportStatus(ctx: StepContext): Promise<Result<void, StepFailure>> {
  if (!ctx.status) return ok(undefined);
  const status = guard('status', ctx.status);
  if (!status.ok) return status;
  const reply = await ctx.client.post(paths.status(ctx.deviceId), status.value);
  if (!reply.ok) return err(transportFailure(reply.error));
  return reply.value.status === 204 ? ok(undefined) : err(refused(reply.value, ctx.logger));
}
