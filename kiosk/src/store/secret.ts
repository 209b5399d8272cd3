/**
 * The device secret and the keyed hashes made with it. Pickup codes, second factors, staff
 * cards, PINs and courier codes are stored only as HMAC-SHA256(secret, purpose ‖ 0 ‖ value):
 * a copy of the database without `device.key` reveals none of them, and the purpose prefix
 * keeps a hash made for one purpose from matching in another.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '@amtomat/locker-controller';

export const DEVICE_SECRET_FILE = 'device.key';
export const DEVICE_SECRET_BYTES = 32;

/**
 * Reads `<dataDir>/device.key`, or creates it (32 random bytes, mode 0600) on first start.
 * The new key is written to a temporary file, synced and then hard-linked into place, so a
 * concurrent start or a power cut never leaves a short key behind: the link either fails
 * (another process won, its key is used) or publishes a complete file.
 *
 * Throws on a key of the wrong size or one readable by group/others: that is a broken or
 * tampered installation, not something the terminal can fix by itself.
 */
export function loadOrCreateDeviceSecret(dataDir: string): Buffer {
  const path = join(dataDir, DEVICE_SECRET_FILE);
  const existing = readSecret(path);
  if (existing) return existing;

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temporary = join(
    dataDir,
    `.${DEVICE_SECRET_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`,
  );
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(DEVICE_SECRET_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  syncDirectory(dataDir);
  const created = readSecret(path);
  if (!created) throw new Error(`device secret ${path} vanished right after it was created`);
  return created;
}

function readSecret(path: string): Buffer | undefined {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!stats.isFile()) throw new Error(`device secret ${path} is not a regular file`);
  const mode = Number(stats.mode) & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `device secret ${path} has mode ${mode.toString(8).padStart(4, '0')}: group/others may read it; ` +
        'it must be 0600 (owner only) - check the installation',
    );
  }
  const secret = readFileSync(path);
  if (secret.length !== DEVICE_SECRET_BYTES) {
    throw new Error(
      `device secret ${path} has ${secret.length} bytes, expected ${DEVICE_SECRET_BYTES} - the file is damaged`,
    );
  }
  return secret;
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export type HashPurpose =
  | 'pickup-code'
  | 'second-factor'
  | 'staff-card'
  | 'staff-pin'
  | 'courier-code';

export type NormalizeError = 'empty' | 'invalid-date' | 'invalid-card';

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

export interface Hasher {
  /** The keyed hash of a value; throws on a value that cannot be normalised (validate first). */
  hash(purpose: HashPurpose, value: string): Buffer;
  /** Whether `value` hashes to `stored`, in constant time; false for null or invalid values. */
  matches(purpose: HashPurpose, value: string, stored: Buffer | null): boolean;
}

export function createHasher(secret: Buffer): Hasher {
  if (secret.length < DEVICE_SECRET_BYTES) {
    throw new Error(`device secret must have at least ${DEVICE_SECRET_BYTES} bytes`);
  }
  const key = Buffer.from(secret);
  const mac = (purpose: HashPurpose, normalized: string): Buffer =>
    createHmac('sha256', key).update(`${purpose}\0${normalized}`, 'utf8').digest();
  return {
    hash(purpose, value) {
      const normalized = normalizeSecretValue(purpose, value);
      // The message names the purpose and the problem, never the value.
      if (!normalized.ok) throw new TypeError(`cannot hash ${purpose}: ${normalized.error}`);
      return mac(purpose, normalized.value);
    },
    matches(purpose, value, stored) {
      if (stored === null) return false;
      const normalized = normalizeSecretValue(purpose, value);
      if (!normalized.ok) return false;
      const candidate = mac(purpose, normalized.value);
      return candidate.length === stored.length && timingSafeEqual(candidate, stored);
    },
  };
}
