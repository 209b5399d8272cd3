/** Helpers for the store's tests: a real store file in a fresh temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { type Db, openDb, STORE_FILE } from './db.ts';
import { createHasher, type Hasher, loadOrCreateDeviceSecret } from './secret.ts';
import { type CompartmentConfig, createStore, type Store } from './store.ts';

/** A temporary directory removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'store-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestStore {
  dir: string;
  path: string;
  db: Db;
  store: Store;
  hasher: Hasher;
  logger: ReturnType<typeof memoryLogger>;
  /** The store's clock; tests move it. */
  clock: { now: number };
  auditCount(): number;
  outbox(): { seq: number; type: string; payload: Record<string, unknown> }[];
}

export const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);

/** A store on a real file in a temp dir, its clock at T0, closed when the test ends. */
export function openTestStore(t: TestContext, compartments: CompartmentConfig[] = []): TestStore {
  const dir = tempDir(t);
  const path = join(dir, STORE_FILE);
  const db = openDb(path);
  t.after(() => {
    if (db.open) db.close();
  });
  const hasher = createHasher(loadOrCreateDeviceSecret(dir));
  const clock = { now: T0 };
  const logger = memoryLogger();
  const store = createStore({ db, hasher, now: () => clock.now, logger });
  if (compartments.length > 0) store.upsertCompartments(compartments);
  return {
    dir,
    path,
    db,
    store,
    hasher,
    logger,
    clock,
    auditCount: () => (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n,
    outbox: () =>
      (
        db.prepare('SELECT seq, type, payload FROM outbox ORDER BY seq').all() as {
          seq: number;
          type: string;
          payload: string;
        }[]
      ).map((row) => ({
        seq: row.seq,
        type: row.type,
        payload: JSON.parse(row.payload) as Record<string, unknown>,
      })),
  };
}

/** A compartment from the site configuration, bus `main`, board 0, lock = its index. */
export function compartment(
  label: string,
  size: CompartmentConfig['size'],
  lock: number,
  options: Partial<CompartmentConfig> = {},
): CompartmentConfig {
  return {
    label,
    size,
    heightCm: options.accessible ? 40 : 120,
    accessible: false,
    purpose: 'pickup',
    bus: 'main',
    board: 0,
    lock,
    ...options,
  };
}
