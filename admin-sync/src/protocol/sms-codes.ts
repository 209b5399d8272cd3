/**
 * The SMS code of applications (issue #12): a terminal asks the fleet to send a one-time code
 * to the mobile number a citizen typed, then checks the code the citizen types back. The fleet
 * keeps only a keyed hash of the code and of the number; the number itself goes no further
 * than the SMS gateway (and, on the terminal, into the sealed application data).
 */
import { z } from 'zod';
import { E164_MOBILE, FORM_LANGUAGES } from './forms.ts';

/** Digits of a code. */
export const SMS_CODE_LENGTH = 6;
/** How long a code is valid. */
export const SMS_CODE_VALIDITY_MS = 10 * 60_000;
/** Wrong codes before the challenge is spent (the citizen starts again). */
export const SMS_CODE_MAX_ATTEMPTS = 3;
/** Codes one challenge may send: the first and two more on "send again". */
export const SMS_CODE_MAX_SENDS = 3;
/** "Send again" no sooner than this after the last code. */
export const SMS_CODE_RESEND_AFTER_MS = 30_000;

/** A mobile number in international form (E.164), e.g. +4917612345678. */
export const MobileNumberSchema = z.string().regex(E164_MOBILE, 'E.164 mobile number');

/**
 * A mobile number as typed on the keypad in international form: `0151 …` (a German number,
 * or `countryCode`'s), `0044 …` or `+44 …`; null when it cannot be one.
 */
export function internationalMobile(typed: string, countryCode = '49'): string | null {
  const compact = typed.replace(/[\s()/-]/g, '');
  const international = compact.startsWith('+')
    ? compact
    : compact.startsWith('00')
      ? `+${compact.slice(2)}`
      : compact.startsWith('0')
        ? `+${countryCode}${compact.slice(1)}`
        : null;
  return international !== null && MobileNumberSchema.safeParse(international).success
    ? international
    : null;
}

export const SmsCodeRequestSchema = z
  .object({ mobile: MobileNumberSchema, language: z.enum(FORM_LANGUAGES) })
  .strict();
export type SmsCodeRequest = z.infer<typeof SmsCodeRequestSchema>;

export const SmsChallengeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** A code was sent: the challenge to verify against. */
export const SmsCodeSentSchema = z
  .object({
    challengeId: SmsChallengeIdSchema,
    expiresAt: z.number().int(),
    /** Codes "send again" may still send. */
    resendsLeft: z.number().int().min(0),
  })
  .strict();
export type SmsCodeSent = z.infer<typeof SmsCodeSentSchema>;

export const SmsCodeVerifyRequestSchema = z
  .object({ code: z.string().regex(new RegExp(`^\\d{${SMS_CODE_LENGTH}}$`)) })
  .strict();

export const SMS_VERIFY_RESULTS = ['verified', 'wrong', 'expired', 'exhausted'] as const;
export type SmsVerifyResult = (typeof SMS_VERIFY_RESULTS)[number];

export const SmsCodeVerifiedSchema = z
  .object({ result: z.enum(SMS_VERIFY_RESULTS), attemptsLeft: z.number().int().min(0) })
  .strict();
export type SmsCodeVerified = z.infer<typeof SmsCodeVerifiedSchema>;

/**
 * Why no code was sent: `rate-limited` (too many codes for this number or terminal),
 * `too-soon` / `resend-limit` (send again), `expired` (the challenge is gone),
 * `unavailable` (no SMS gateway, or it failed).
 */
export const SMS_SEND_REFUSALS = [
  'rate-limited',
  'too-soon',
  'resend-limit',
  'expired',
  'unavailable',
] as const;
export type SmsSendRefusal = (typeof SMS_SEND_REFUSALS)[number];

export const SmsSendRefusedSchema = z
  .object({ refused: z.enum(SMS_SEND_REFUSALS), retryAfterMs: z.number().int().optional() })
  .strict();
export type SmsSendRefused = z.infer<typeof SmsSendRefusedSchema>;
