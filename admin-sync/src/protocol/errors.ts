import { z } from 'zod';

/** Every error reply: a code to switch on, a human message, and for clock errors the skew. */
export const ERROR_CODES = [
  'unsigned',
  'malformed-signature',
  'unknown-device',
  'bad-signature',
  'clock-skew',
  'replayed-nonce',
  'wrong-device',
  'invalid-token',
  'invalid-request',
  'cursor-ahead',
  'not-found',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorReplySchema = z.object({
  error: z.enum(ERROR_CODES),
  message: z.string(),
  skewMs: z.number().int().optional(),
  serverTime: z.number().int().optional(),
});
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

export const HealthSchema = z.object({
  status: z.literal('ok'),
  api: z.string(),
  storage: z.enum(['sqlite', 'postgres']),
  serverTime: z.number().int(),
  /** Citizen notices waiting to be sent, and those that failed for good (see the console). */
  notices: z.object({ pending: z.number().int(), failed: z.number().int() }).optional(),
  /** Poison events set aside for an operator (they never block a terminal's queue). */
  parkedEvents: z.number().int().optional(),
});
export type Health = z.infer<typeof HealthSchema>;
