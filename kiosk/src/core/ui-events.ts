import { z } from 'zod';
import { LANGUAGES, SERVICES } from '../flows/session.machine.ts';

/** Every event the UI may send, validated at the boundary (DESIGN.md §4.4). */
const answerSchema = z.union([
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
]);

const otherEventsSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('START') }),
  z.object({ type: z.literal('CHOOSE'), service: z.enum(SERVICES) }),
  z.object({ type: z.literal('EXTEND') }),
  z.object({ type: z.literal('SET_LANGUAGE'), language: z.enum(LANGUAGES) }),
  z.object({
    type: z.literal('SET_ACCESSIBILITY'),
    settings: z
      .object({ largeText: z.boolean(), highContrast: z.boolean(), speech: z.boolean() })
      .partial()
      .strict(),
  }),
  z.object({ type: z.literal('FINISH') }),
  z.object({ type: z.literal('KEY'), key: z.string().regex(/^[0-9A-Z]$/) }),
  z.object({ type: z.literal('DELETE') }),
  z.object({ type: z.literal('CLEAR') }),
  z.object({ type: z.literal('SUBMIT') }),
  z.object({ type: z.literal('BACK') }),
  z.object({ type: z.literal('CANCEL') }),
  z.object({ type: z.literal('TOGGLE_ITEM'), itemId: z.string().min(1).max(64) }),
  z.object({ type: z.literal('TAKE_ALL') }),
  z.object({ type: z.literal('CONFIRM') }),
  z.object({ type: z.literal('CONFIRM_PIN_LETTER') }),
]);

export const uiEventSchema = z.union([answerSchema, otherEventsSchema]);

export type UiEvent = z.infer<typeof uiEventSchema>;
