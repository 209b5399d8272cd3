import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import { referenceKey } from './reference.ts';

export type Db = Database.Database;
export type { Migration };

/** The store's file inside the data directory (next to `device.key`). */
export const STORE_FILE = 'kiosk.sqlite';

/**
 * Numbered migrations (`migrations/NNN-name.ts`), applied in order, each in its own
 * transaction. Code, not files read at run time, so the bundled kiosk carries them.
 */
export function migrations(): Migration[] {
  return [...MIGRATIONS].sort((a, b) => a.version - b.version);
}

export const LATEST_VERSION = Math.max(...migrations().map((m) => m.version));

export interface OpenOptions {
  /** Stop at this schema version (tests of upgrades). Default: the latest. */
  upTo?: number;
  /** Fail instead of creating a new, empty store (admin tools). */
  mustExist?: boolean;
  /**
   * Leave the schema as it is, not even refusing a newer one (admin tools that only read
   * and check the version themselves). Default: migrate.
   */
  migrate?: boolean;
  /** The migrations to apply; tests pass synthetic ones. Default: `migrations/`. */
  migrations?: Migration[];
}

/**
 * Opens (creating if needed) the store and brings its schema up to date. Durability is set
 * on every open, because SQLite does not persist `synchronous`: WAL, synchronous=FULL (a
 * committed pickup survives power loss), foreign keys on.
 */
export function openDb(path: string, options: OpenOptions = {}): Db {
  const db = new Database(path, { fileMustExist: options.mustExist ?? false });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && path !== ':memory:') {
      throw new Error(`store ${path}: cannot switch to WAL mode (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Migration 002 fills `items.reference_key` with the same function the store uses.
    db.function('reference_key', { deterministic: true }, (reference) =>
      referenceKey(String(reference)),
    );
    const list = options.migrations ?? migrations();
    const latest = Math.max(0, ...list.map((m) => m.version));
    if (options.migrate ?? true) {
      refuseNewer(db, latest);
      migrate(db, list, options.upTo ?? latest);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(db: Db, latest: number): void {
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `store schema version ${current} is newer than this software (${latest}): refusing to open`,
    );
  }
}

function migrate(db: Db, list: Migration[], target: number): void {
  for (const migration of list) {
    if (migration.version > target) break;
    if (migration.version <= schemaVersion(db)) continue;
    // IMMEDIATE: a second process opening the same store waits instead of racing us; the
    // version is re-read inside the transaction for the same reason.
    db.transaction(() => {
      if (migration.version <= schemaVersion(db)) return;
      db.exec(migration.sql);
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new Error(
          `migration ${migration.name} leaves ${violations.length} foreign key violation(s)`,
        );
      }
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

/**
 * A consistent copy of the live store (WAL-safe: committed data still in the WAL is
 * included), e.g. for a nightly backup. Written to a temporary file, synced and renamed, so
 * `targetPath` is either absent or complete. Refuses to overwrite an existing file.
 */
export function backup(db: Db, targetPath: string): void {
  if (existsSync(targetPath)) throw new Error(`backup target ${targetPath} already exists`);
  const partial = `${targetPath}.partial`;
  rmSync(partial, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    fsyncPath(partial);
    renameSync(partial, targetPath);
    fsyncPath(dirname(targetPath));
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
