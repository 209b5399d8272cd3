/**
 * The storage adapters the shared suite runs against. Each test gets a fresh, empty store:
 * a new SQLite file, or a new database on the suite's one PostgreSQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStorage } from '../storage/postgres.ts';
import { randomSecretKey } from '../storage/secrets.ts';
import { openSqliteStorage } from '../storage/sqlite.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';

export interface StorageAdapter {
  name: 'sqlite' | 'postgres';
  /** Once per suite (starts PostgreSQL). */
  setup(): Promise<void>;
  open(): Promise<FleetStorage>;
  teardown(): Promise<void>;
}

function sqliteAdapter(): StorageAdapter {
  let dir = '';
  let opened = 0;
  return {
    name: 'sqlite',
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'fleet-sqlite-'));
    },
    open: () => openSqliteStorage(join(dir, `fleet-${++opened}.sqlite`)),
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresAdapter(): StorageAdapter {
  let server: TestPostgres | undefined;
  return {
    name: 'postgres',
    async setup() {
      server = await startPostgres();
    },
    open: async () =>
      openPostgresStorage(await server!.createDatabase(), { secretKey: randomSecretKey() }),
    async teardown() {
      await server?.stop();
    },
  };
}

export const storageAdapters = (): StorageAdapter[] => [sqliteAdapter(), postgresAdapter()];
