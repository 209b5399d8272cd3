import { DISTANCE_BANDS, SURVEY_ALTERNATIVES } from '@amtomat/admin-sync/protocol';
import { z } from 'zod';
import type { UiEvent } from '../contract/index.ts';
import { CONTROL_ID } from '../contract/rpc.ts';
import { FLOWS } from '../flows/registry.ts';
import { LANGUAGES } from '../flows/session.machine.ts';

/** Events every screen or the session itself takes (their types: contract `UiEvent`). */
export const sessionUiEvents = [
  z.object({ type: z.literal('CHOOSE'), service: z.enum(FLOWS.map((flow) => flow.service)) }),
  z.object({ type: z.literal('EXTEND') }),
  // The keypad moved the focus to a control (its id, the page's data-testid): speech names it.
  z.object({ type: z.literal('FOCUS'), control: z.string().regex(CONTROL_ID) }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: z.enum(LANGUAGES) }),
  z.object({
    type: z.literal('SET_ACCESSIBILITY'),
    settings: z
      .object({ largeText: z.boolean(), highContrast: z.boolean(), speech: z.boolean() })
      .partial()
      .strict(),
  }),
  // Speech output: read the screen again, louder/quieter, faster/slower (keys of the keypad).
  z.object({
    type: z.literal('SPEECH'),
    action: z.enum(['repeat', 'louder', 'quieter', 'faster', 'slower']),
  }),
  z.object({
    type: z.literal('ANSWER'),
    question: z.literal('satisfaction'),
    value: z.number().int().min(1).max(5),
  }),
  z.object({
    type: z.literal('ANSWER'),
    question: z.literal('alternative'),
    // null: "change the answer" (the modes are asked again).
    value: z.enum(SURVEY_ALTERNATIVES).nullable(),
  }),
  z.object({
    type: z.literal('ANSWER'),
    question: z.literal('distanceBand'),
    value: z.enum(DISTANCE_BANDS),
  }),
  z.object({ type: z.enum(['FINISH', 'CANCEL', 'OPEN_AGAIN']) }),
] as const;

/**
 * Every event the UI may send, validated at the boundary (DESIGN.md §4.4): the session's
 * own and each flow's. Unknown fields are dropped; anything malformed is refused.
 */
export const uiEventSchema = z.union([
  ...sessionUiEvents,
  ...FLOWS.flatMap((flow) => flow.uiEvents),
] as unknown as [z.ZodType<UiEvent>, ...z.ZodType<UiEvent>[]]);

/**
 * One short line for a refused event (the RPC's 400): an unknown type by name, else the
 * first problem of the event type it claims to be. The whole union's error list would name
 * every event type there is (about 15 KB).
 */
export function eventRefusal(input: unknown, error: z.ZodError): string {
  const type = (input as { type?: unknown } | null)?.type;
  if (typeof input !== 'object' || input === null) return 'an event must be a JSON object';
  if (typeof type !== 'string') return 'an event needs a "type"';
  const issue = error.issues[0];
  if (issue?.code !== 'invalid_union') return describe(issue);
  // The branches whose type matched; every other branch fails on "type" itself.
  const matching = issue.errors.find((branch) => !branch.some((i) => i.path[0] === 'type'));
  if (!matching) return `unknown event type "${type.slice(0, 40)}"`;
  return describe(matching[0]);
}

function describe(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid event';
  return `${issue.path.join('.') || '(event)'}: ${issue.message}`;
}
