/**
 * TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) for console sign-in, through the
 * `otpauth` library. A code is accepted one step early or late (clock drift) and only once:
 * the caller stores the step it matched and refuses that step and earlier ones.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
const ISSUER = 'Amt-O-Mat';

const totp = (secretBase32: string, label = 'console') =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });

/** A new random secret (160 bits), base32 as authenticator apps expect it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The `otpauth://` URI an authenticator app imports (shown once when the user is made). */
export const totpUri = (secretBase32: string, username: string): string =>
  totp(secretBase32, username).toString();

/** The code for a time (tests, and the CLI's check). */
export const totpCode = (secretBase32: string, timestampMs: number): string =>
  totp(secretBase32).generate({ timestamp: timestampMs });

/** The time step the code matches (±1 step around `now`), or null. */
export function matchTotp(secretBase32: string, code: string, nowMs: number): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: nowMs, window: 1 });
  return delta === null ? null : Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}
