/**
 * Secrets the fleet database keeps (console users' TOTP secrets) are sealed with AES-256-GCM
 * under a key that is NOT in the database: a stolen database file or backup alone does not
 * give them away. The key is a file of 32 random bytes (base64), mode 0600: by default
 * `secret.key` next to `fleet.sqlite`, created on first start; or a file given with
 * `--secret-key-file` / FLEET_SECRET_KEY_FILE (required for PostgreSQL, whose servers share it).
 * The database remembers the key's id (a hash, not the key), so starting with another key
 * file is a clear error rather than TOTP codes that silently never match.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import type { SqlDriver } from './driver.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
/** Marks a sealed value; a value without it is a plain one from before (migrated at start). */
const PREFIX = 'enc1:';

export interface SecretBox {
  /** Identifies the key (first 16 hex digits of its SHA-256); safe to store and log. */
  readonly keyId: string;
  /** `context` (e.g. the column) is authenticated too: a value moved elsewhere does not open. */
  seal(plain: string, context: string): string;
  /** Throws when the value was not sealed with this key and context. */
  open(sealed: string, context: string): string;
  /**
   * A keyed hash (HMAC-SHA-256, hex) of `value` for `context`: stored where only equality is
   * needed (an SMS code, a mobile number), useless to whoever has the database but not the key.
   */
  mac(value: string, context: string): string;
}

export const isSealed = (value: string): boolean => value.startsWith(PREFIX);

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`a secret key has ${KEY_BYTES} bytes`);
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
      return `${PREFIX}${parts.join(':')}`;
    },
    open(sealed, context) {
      const [iv, tag, data] = sealed.slice(PREFIX.length).split(':');
      if (!isSealed(sealed) || iv === undefined || tag === undefined || data === undefined) {
        throw new Error('not a sealed secret');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(data, 'base64url')),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    },
    mac(value, context) {
      return createHmac('sha256', key).update(`${context}\0${value}`, 'utf8').digest('hex');
    },
  };
}

/** Where the key comes from: a file (created when missing and the database has no key yet), or given (tests). */
export type SecretKeySource = { file: string } | { key: Buffer };

/** A fresh random key, for tests and throw-away in-memory stores. */
export const randomSecretKey = (): { key: Buffer } => ({ key: randomBytes(KEY_BYTES) });

function readKeyFile(path: string): Result<Buffer | undefined, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return ok(undefined);
    return err(`cannot read the secret key file ${path} (${code ?? 'error'})`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    return err(
      `the secret key file ${path} does not hold a key (${KEY_BYTES} random bytes, base64); restore the original file`,
    );
  }
  return ok(key);
}

function createKeyFile(path: string): Result<Buffer, string> {
  const key = randomBytes(KEY_BYTES);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key another process has just written.
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return err(`cannot create the secret key file ${path} (${code ?? 'error'})`);
  }
  return ok(key);
}

const SETTING = 'secret_key_id';
/** The columns holding sealed secrets: table, id column, secret column. */
const SEALED_COLUMNS = [['console_users', 'id', 'totp_secret']] as const;
export const sealedContext = (table: string, column: string) => `${table}.${column}`;

/**
 * The key for this database (migrated to version 5): loads or creates it, checks it is the
 * one the database's secrets were sealed with, remembers its id, and seals any secret still
 * stored in plain text. Errors are one line saying what to fix.
 */
export async function openSecrets(
  driver: SqlDriver,
  source: SecretKeySource,
): Promise<Result<SecretBox, string>> {
  const [stored] = await driver.all<{ value: string }>(
    'SELECT value FROM fleet_settings WHERE name = ?',
    [SETTING],
  );
  let key: Buffer;
  if ('key' in source) key = source.key;
  else {
    const read = readKeyFile(source.file);
    if (!read.ok) return read;
    if (read.value) key = read.value;
    else if (stored) {
      return err(
        `the secret key file ${source.file} is missing, but this database's secrets were sealed with key ${stored.value}: restore that file (or pass it with --secret-key-file)`,
      );
    } else {
      const created = createKeyFile(source.file);
      if (!created.ok) return created;
      key = created.value;
    }
  }
  const box = secretBox(key);
  if (stored && stored.value !== box.keyId) {
    const where = 'file' in source ? `the secret key file ${source.file}` : 'the secret key';
    return err(
      `${where} (key ${box.keyId}) is not the one this database's secrets were sealed with (key ${stored.value}): use the original key file`,
    );
  }
  await driver.transaction(async (tx) => {
    if (!stored) {
      await tx.run('INSERT INTO fleet_settings (name, value) VALUES (?, ?)', [SETTING, box.keyId]);
    }
    for (const [table, id, column] of SEALED_COLUMNS) {
      const rows = await tx.all<{ id: string; secret: string }>(
        `SELECT ${id} AS id, ${column} AS secret FROM ${table} WHERE ${column} IS NOT NULL`,
      );
      for (const row of rows.filter((r) => !isSealed(r.secret))) {
        await tx.run(`UPDATE ${table} SET ${column} = ? WHERE ${id} = ?`, [
          box.seal(row.secret, sealedContext(table, column)),
          row.id,
        ]);
      }
    }
  });
  return ok(box);
}
