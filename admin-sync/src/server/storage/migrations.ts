/**
 * Numbered migrations, one SQL text for both databases (BIGINT and TEXT mean the same in
 * both). Each runs in its own transaction with its row in `schema_migrations`.
 */
import type { SqlDriver } from './driver.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, events, feed, items',
    sql: `
      CREATE TABLE enrolment_tokens (
        token_hash TEXT PRIMARY KEY,
        label TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        device_id TEXT
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        label TEXT,
        enrolled_at BIGINT NOT NULL,
        last_seen_at BIGINT,
        last_seq BIGINT NOT NULL DEFAULT 0,
        feed_head BIGINT NOT NULL DEFAULT 0,
        feed_acked BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE nonces (
        device_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX nonces_by_time ON nonces (seen_at);
      CREATE TABLE events (
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        idempotency_key TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        payload_hash TEXT NOT NULL,
        created_at BIGINT,
        received_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('applied', 'parked')),
        result TEXT,
        reason TEXT,
        PRIMARY KEY (device_id, seq),
        UNIQUE (device_id, idempotency_key)
      );
      CREATE INDEX events_parked ON events (received_at) WHERE status = 'parked';
      CREATE TABLE feed (
        device_id TEXT NOT NULL REFERENCES devices (id),
        cursor BIGINT NOT NULL,
        kind TEXT NOT NULL,
        change TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, cursor)
      );
      CREATE TABLE items (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        reference TEXT NOT NULL,
        kind TEXT,
        status TEXT NOT NULL,
        compartment TEXT,
        expires_at BIGINT,
        updated_at BIGINT NOT NULL,
        last_seq BIGINT NOT NULL
      );
      CREATE TABLE compartments (
        device_id TEXT NOT NULL REFERENCES devices (id),
        label TEXT NOT NULL,
        defective INTEGER NOT NULL,
        reason TEXT,
        updated_at BIGINT NOT NULL,
        last_seq BIGINT NOT NULL,
        PRIMARY KEY (device_id, label)
      );
    `,
  },
];

/** Applies the migrations not yet applied; returns the schema version. */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  await driver.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const rows = await driver.all<{ version: number }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  let current = rows[0]?.version ?? 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await driver.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    });
    current = migration.version;
  }
  return current;
}
