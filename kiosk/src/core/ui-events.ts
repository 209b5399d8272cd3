import { z } from 'zod';
import { FLOWS } from '../flows/registry.ts';
import { LANGUAGES } from '../flows/session.machine.ts';

/** Events every screen or the session itself takes. */
const sessionEvents = [
  z.object({ type: z.literal('START') }),
  z.object({ type: z.literal('CHOOSE'), service: z.enum(FLOWS.map((flow) => flow.service)) }),
  z.object({ type: z.literal('EXTEND') }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: z.enum(LANGUAGES) }),
  z.object({
    type: z.literal('SET_ACCESSIBILITY'),
    settings: z
      .object({ largeText: z.boolean(), highContrast: z.boolean(), speech: z.boolean() })
      .partial()
      .strict(),
  }),
  z.object({
    type: z.literal('ANSWER'),
    question: z.literal('satisfaction'),
    value: z.number().int().min(1).max(5),
  }),
  z.object({
    type: z.literal('ANSWER'),
    question: z.literal('alternative'),
    value: z.enum(['town-hall-visit', 'postal', 'not-at-all', 'other']),
  }),
  z.object({ type: z.enum(['FINISH', 'CANCEL', 'OPEN_AGAIN']) }),
] as const;

/**
 * Every event the UI may send, validated at the boundary (DESIGN.md §4.4): the session's
 * own and each flow's. Unknown fields are dropped; anything malformed is refused.
 */
export const uiEventSchema = z.union([
  ...sessionEvents,
  ...FLOWS.flatMap((flow) => flow.uiEvents),
] as unknown as [z.ZodType<UiEvent>, ...z.ZodType<UiEvent>[]]);

export type UiEvent = { type: string; [field: string]: unknown };
