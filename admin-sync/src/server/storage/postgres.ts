/**
 * PostgreSQL adapter (`pg`), for a district's or a state's fleet. Same SQL as SQLite; the
 * driver numbers the `?` placeholders and reads BIGINT as a number (times in ms and cursors
 * stay far below 2^53).
 */

import type { Logger } from '@amtomat/basics';
import pg from 'pg';
import type { SqlDriver, SqlQueryable, SqlValue } from './driver.ts';
import type { SecretKeySource } from './secrets.ts';
import { createSqlFleetStorage, type FleetStorage } from './sql-storage.ts';

const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** `?` → `$1`, `$2`, … (our SQL has no `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function queryable(client: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numberPlaceholders(sql), [...params])).rows as Row[],
    run: async (sql, params = []) =>
      (await client.query(numberPlaceholders(sql), [...params])).rowCount ?? 0,
    exec: async (sql) => {
      await client.query(sql);
    },
  };
}

export function postgresDriver(config: pg.PoolConfig, logger?: Logger): SqlDriver {
  const pool = new pg.Pool({ max: 10, ...config, types });
  // An idle connection that breaks (server restart) must not crash the process.
  pool.on('error', (error) => logger?.log('warn', 'postgres.idle-error', { error: error.message }));
  return {
    kind: 'postgres',
    ...queryable(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn(queryable(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `secretKey`: every server on this database needs the same key file (no data dir to default to). */
export async function openPostgresStorage(
  config: pg.PoolConfig,
  options: { secretKey: SecretKeySource; logger?: Logger },
): Promise<FleetStorage> {
  return createSqlFleetStorage(postgresDriver(config, options.logger), options.secretKey);
}
