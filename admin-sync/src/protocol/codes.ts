/**
 * Pickup codes and second factors as both sides see them. The fleet server generates a code,
 * hashes it (and the date of birth) with the terminal's code key and sends only the hashes
 * in the feed; the terminal hashes what the citizen types with the same key and compares.
 * So normalisation and the keyed hash are defined once, here.
 *
 * The code key is the terminal's: derived from its device secret, handed to the server once
 * in the signed enrolment (it never leaves the terminal otherwise). A hash made for one
 * purpose never matches another: the purpose is part of the message.
 */
import { createHmac, randomInt } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';

export type HashPurpose =
  | 'pickup-code'
  | 'second-factor'
  | 'staff-card'
  | 'staff-pin'
  | 'courier-code';

export type NormalizeError = 'empty' | 'invalid-date' | 'invalid-card';

export const CODE_KEY_BYTES = 32;
/** A code key on the wire: 32 bytes, base64url. */
export const CodeKeySchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'base64url code key');

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const GERMAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/**
 * The canonical form of a value before hashing, so that what the citizen types matches what
 * the backend hashed:
 * - codes, PINs and non-date second factors: trimmed, upper case, spaces and dashes removed
 *   (`k7p-4q2` = `K7P 4Q2` = `K7P4Q2`);
 * - a second factor shaped like a date is a date of birth: `YYYY-MM-DD` or `DD.MM.YYYY`,
 *   which must be a real calendar date and becomes `YYYY-MM-DD`;
 * - staff card uids: upper-case hex (separators `: -` and spaces dropped), 4 to 16 bytes.
 */
export function normalizeSecretValue(
  purpose: HashPurpose,
  value: string,
): Result<string, NormalizeError> {
  const trimmed = value.normalize('NFKC').trim();
  if (purpose === 'staff-card') {
    const hex = trimmed.replace(/[\s:-]/g, '').toUpperCase();
    if (hex === '') return err('empty');
    if (!/^[0-9A-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length < 8 || hex.length > 32) {
      return err('invalid-card');
    }
    return ok(hex);
  }
  if (purpose === 'second-factor') {
    const iso = ISO_DATE.exec(trimmed);
    if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    const german = GERMAN_DATE.exec(trimmed);
    if (german) return isoDate(Number(german[3]), Number(german[2]), Number(german[1]));
  }
  const code = trimmed.toUpperCase().replace(/[\s-]/g, '');
  return code === '' ? err('empty') : ok(code);
}

function isoDate(year: number, month: number, day: number): Result<string, NormalizeError> {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1850 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return err('invalid-date');
  }
  return ok(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

/** HMAC-SHA256(key, purpose ‖ 0 ‖ normalised value). */
export function keyedHash(
  key: Buffer,
  purpose: HashPurpose,
  value: string,
): Result<Buffer, NormalizeError> {
  const normalized = normalizeSecretValue(purpose, value);
  if (!normalized.ok) return normalized;
  return ok(createHmac('sha256', key).update(`${purpose}\0${normalized.value}`, 'utf8').digest());
}

/** The code key of a terminal, derived from its device secret (so it needs no file of its own). */
export const deriveCodeKey = (deviceSecret: Buffer): Buffer =>
  createHmac('sha256', deviceSecret).update('amtomat code key v1', 'utf8').digest();

/**
 * Digits only: the terminal's code entry is a numeric keypad (tactile, one layout for every
 * language). 8 digits ≈ 27 bits; the terminal locks a code out after a few wrong tries and
 * a document also asks for the second factor.
 */
export const PICKUP_CODE_LENGTH = 8;

export function generatePickupCode(length = PICKUP_CODE_LENGTH): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}
