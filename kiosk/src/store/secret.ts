/**
 * The device secret and the keyed hashes made with it. Pickup codes, second factors, staff
 * cards, PINs and courier codes are stored only as HMAC-SHA256(key, purpose ‖ 0 ‖ value):
 * a copy of the database without `device.key` reveals none of them, and the purpose prefix
 * keeps a hash made for one purpose from matching in another. Pickup codes and second factors
 * use the code key derived from the secret, which the fleet server also holds (it announces
 * items with hashes made with it); staff cards, PINs and courier codes never leave the device.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
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
import {
  deriveCodeKey,
  type HashPurpose,
  keyedHash,
  normalizeSecretValue,
} from '@amtomat/admin-sync/protocol';
import { invariant } from '@amtomat/basics';

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
  invariant(created, `device secret ${path} vanished right after it was created`);
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

export type { HashPurpose, NormalizeError } from '@amtomat/admin-sync/protocol';
export { normalizeSecretValue };

/** Hashed with the code key the fleet server shares (see admin-sync/protocol/codes.ts). */
const CODE_KEY_PURPOSES: ReadonlySet<HashPurpose> = new Set(['pickup-code', 'second-factor']);

export interface Hasher {
  /** The keyed hash of a value; throws on a value that cannot be normalised (validate first). */
  hash(purpose: HashPurpose, value: string): Buffer;
  /** Whether `value` hashes to `stored`, in constant time; false for null or invalid values. */
  matches(purpose: HashPurpose, value: string, stored: Buffer | null): boolean;
  /** The key of pickup codes and second factors, handed to the fleet server at enrolment. */
  codeKey(): Buffer;
}

export function createHasher(secret: Buffer): Hasher {
  if (secret.length < DEVICE_SECRET_BYTES) {
    throw new Error(`device secret must have at least ${DEVICE_SECRET_BYTES} bytes`);
  }
  const deviceKey = Buffer.from(secret);
  const codeKey = deriveCodeKey(deviceKey);
  const mac = (purpose: HashPurpose, value: string) =>
    keyedHash(CODE_KEY_PURPOSES.has(purpose) ? codeKey : deviceKey, purpose, value);
  return {
    hash(purpose, value) {
      const hashed = mac(purpose, value);
      // The message names the purpose and the problem, never the value.
      if (!hashed.ok) throw new TypeError(`cannot hash ${purpose}: ${hashed.error}`);
      return hashed.value;
    },
    matches(purpose, value, stored) {
      if (stored === null) return false;
      const candidate = mac(purpose, value);
      return (
        candidate.ok &&
        candidate.value.length === stored.length &&
        timingSafeEqual(candidate.value, stored)
      );
    },
    codeKey: () => Buffer.from(codeKey),
  };
}
