/**
 * Push: the terminal's outbox, in order, in batches. The server applies each event exactly
 * once, in the transaction that records it, and answers per event:
 * - `applied`   — recorded and applied now, with the apply's result;
 * - `duplicate` — this idempotency key was recorded before; `stored` is what happened then;
 * - `conflict`  — the key (or the sequence number) was recorded with a different payload:
 *                 a bug on the terminal; the reply's HTTP status is then 422;
 * - `parked`    — poison (unknown type, payload fails its schema, apply failed): recorded and
 *                 set aside for an operator, so later events are not blocked.
 * For the terminal every status but `conflict` means "delivered, do not send again".
 */
import { z } from 'zod';
import { JsonObjectSchema, JsonValueSchema } from './json.ts';
import { DeviceIdSchema } from './signing.ts';

export const MAX_PUSH_BATCH = 500;

export const SyncEventSchema = z.object({
  deviceId: DeviceIdSchema,
  /** The outbox's seq: increasing per device, never reused. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  idempotencyKey: z.string().min(1).max(200),
  type: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'kebab-case event type'),
  payload: JsonObjectSchema,
  /** When the terminal recorded it (its clock). */
  createdAt: z.number().int().nonnegative().optional(),
});
export type SyncEvent = z.infer<typeof SyncEventSchema>;

export const PushRequestSchema = z.object({
  events: z.array(SyncEventSchema).min(1).max(MAX_PUSH_BATCH),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const AppliedOutcomeSchema = z.object({
  status: z.literal('applied'),
  result: JsonValueSchema,
});
export const ParkedOutcomeSchema = z.object({
  status: z.literal('parked'),
  reason: z.string(),
});
/** What the server recorded for an event, and answers again for each duplicate. */
export const StoredOutcomeSchema = z.discriminatedUnion('status', [
  AppliedOutcomeSchema,
  ParkedOutcomeSchema,
]);
export type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

export const CONFLICT_REASONS = ['payload-differs', 'sequence-reused'] as const;

const eventRef = { seq: z.number().int(), idempotencyKey: z.string() };
export const PushResultSchema = z.discriminatedUnion('status', [
  AppliedOutcomeSchema.extend(eventRef),
  ParkedOutcomeSchema.extend(eventRef),
  z.object({ ...eventRef, status: z.literal('duplicate'), stored: StoredOutcomeSchema }),
  z.object({ ...eventRef, status: z.literal('conflict'), reason: z.enum(CONFLICT_REASONS) }),
]);
export type PushResult = z.infer<typeof PushResultSchema>;

/** Results in the order the events were applied: by seq. */
export const PushResponseSchema = z.object({ results: z.array(PushResultSchema) });
export type PushResponse = z.infer<typeof PushResponseSchema>;
