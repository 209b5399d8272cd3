/**
 * Usage events for the scientific evaluation (issue #13): what a terminal tells the fleet
 * about its use, through the same outbox as every other event (exactly once by idempotency
 * key). Nobody's data: a visit is a random id that never repeats, services, languages,
 * modes, outcomes, counts and durations. No code, name, date of birth, phone, e-mail or
 * address may appear (usage.test.ts walks every event schema for it).
 *
 * Unlike the business events these schemas are strict: a field the fleet does not know is
 * refused (the event is parked), so nothing personal can ride along unnoticed.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative().max(1_000_000);
const time = z.number().int().nonnegative();
const duration = z.number().int().nonnegative().max(86_400_000).nullable();
/** A flow's id or step name: kebab-case words, never free text. */
const token = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'kebab-case token')
  .nullable();

export const SESSION_OUTCOMES = [
  'completed',
  'abandoned',
  'timed-out',
  'failed',
  'interrupted',
] as const;

/** The survey's answer to "what would you have done without this terminal?". */
export const SURVEY_ALTERNATIVES = [
  'counter-car',
  'counter-bus',
  'counter-bike',
  'counter-foot',
  // Older terminals asked without the mode: a counter visit, mode unknown.
  'town-hall-visit',
  'postal',
  'not-at-all',
  'other',
] as const;
export type SurveyAlternative = (typeof SURVEY_ALTERNATIVES)[number];

/** One-way trip to the counter, road kilometres as the citizen estimates them. */
export const DISTANCE_BANDS = ['0-2', '2-5', '5-10', '10-20', '20-50', '50+'] as const;
export type DistanceBand = (typeof DISTANCE_BANDS)[number];

/** What an application (issue #12) did: begun, a step reached, given up, sent. */
export const APPLICATION_USAGE = ['started', 'step', 'abandoned', 'submitted'] as const;
export type ApplicationUsageEvent = (typeof APPLICATION_USAGE)[number];

export const usagePayloadSchemas = {
  /** One citizen's or courier's visit, sent when it ends. */
  'usage-session': z
    .object({
      /** Random per visit (never reused, never linked to a person). */
      sessionId: z.uuid(),
      service: token,
      language: z.string().regex(/^[a-z]{2}(-[a-z]+)?$/),
      largeText: z.boolean(),
      highContrast: z.boolean(),
      speech: z.boolean(),
      outcome: z.enum(SESSION_OUTCOMES).nullable(),
      /** A reason code of the flow (e.g. `wrong-code`), never text a person typed. */
      reason: token,
      /** For an abandoned visit: the last step the person reached. */
      abandonStep: token,
      startedAt: time,
      endedAt: time,
      durationMs: duration,
      extensions: count,
      reopened: count,
      /** Wrong codes or dates of birth typed during the visit (a count, never what was typed). */
      wrongEntries: count,
      doorFaults: count,
      satisfaction: z.number().int().min(1).max(5).nullable(),
      alternative: z.enum(SURVEY_ALTERNATIVES).nullable(),
      distanceBand: z.enum(DISTANCE_BANDS).nullable(),
    })
    .strict(),
  /**
   * One fact of an application (issue #12): which form (the catalogue's id and version), what
   * happened and at which step, how long since the form was begun. Never an answer: the
   * step is the form's step id, a token of the catalogue.
   */
  'usage-application': z
    .object({
      sessionId: z.uuid(),
      form: token.unwrap(),
      formVersion: z.string().regex(/^\d+(\.\d+){0,2}$/),
      event: z.enum(APPLICATION_USAGE),
      step: token,
      durationMs: duration,
      at: time,
    })
    .strict(),
  /** Staff time at the terminal: one loading (per item) or retrieval round. */
  'usage-staff': z
    .object({
      task: z.enum(['load', 'retrieve']),
      itemKind: token,
      items: count,
      durationMs: duration,
      at: time,
    })
    .strict(),
  /** A courier's deposit of one parcel. */
  'usage-courier': z
    .object({
      size: z.enum(['S', 'M', 'L', 'XL']).nullable(),
      durationMs: duration,
      at: time,
    })
    .strict(),
} as const;

export type UsageEventType = keyof typeof usagePayloadSchemas;
export type UsagePayload<T extends UsageEventType> = z.infer<(typeof usagePayloadSchemas)[T]>;
export const USAGE_EVENT_TYPES = Object.keys(usagePayloadSchemas) as UsageEventType[];
