/**
 * SQLite adapter (better-sqlite3), the embedded default: one file, zero setup. WAL and
 * synchronous=FULL (a recorded event survives power loss), set on every open. better-sqlite3
 * is synchronous and has one connection, so transactions are queued: otherwise a second
 * request's statements would land inside the first one's open transaction.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlQueryable, SqlValue } from './driver.ts';
import { randomSecretKey, type SecretKeySource } from './secrets.ts';
import { createSqlFleetStorage, type FleetStorage } from './sql-storage.ts';

/** Runs one task at a time, in call order. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}

/**
 * The database holds personal data and password hashes: only the server's user may read it.
 * SQLite gives its -wal and -shm files the mode of the database file, so creating that one
 * 0600 covers all three; files of an older install are tightened too.
 */
function privateFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

export function sqliteDriver(path: string): SqlDriver {
  if (path !== ':memory:') privateFiles(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const direct: SqlQueryable = {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      prepare(sql).all(...params) as Row[],
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
    exec: async (sql) => {
      db.exec(sql);
    },
  };
  const queue = serialQueue();
  return {
    kind: 'sqlite',
    all: (sql, params) => queue(() => direct.all(sql, params)),
    run: (sql, params) => queue(() => direct.run(sql, params)),
    exec: (sql) => queue(() => direct.exec(sql)),
    transaction: (fn) =>
      queue(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(direct);
          db.exec('COMMIT');
          return value;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () =>
      queue(async () => {
        db.close();
      }),
  };
}

/** The secret key defaults to `secret.key` next to the database file (created 0600 when new). */
export async function openSqliteStorage(
  path: string,
  options: { secretKey?: SecretKeySource } = {},
): Promise<FleetStorage> {
  const secretKey =
    options.secretKey ??
    (path === ':memory:' ? randomSecretKey() : { file: join(dirname(path), 'secret.key') });
  return createSqlFleetStorage(sqliteDriver(path), secretKey);
}
