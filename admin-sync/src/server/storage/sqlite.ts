/**
 * SQLite adapter (better-sqlite3), the embedded default: one file, zero setup. WAL and
 * synchronous=FULL (a recorded event survives power loss), set on every open. better-sqlite3
 * is synchronous and has one connection, so transactions are queued: otherwise a second
 * request's statements would land inside the first one's open transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlQueryable, SqlValue } from './driver.ts';
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

export function sqliteDriver(path: string): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
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

export async function openSqliteStorage(path: string): Promise<FleetStorage> {
  return createSqlFleetStorage(sqliteDriver(path));
}
