/**
 * The little SQL both databases need: the fleet storage is written once against this, in
 * the common dialect of SQLite and PostgreSQL (`?` placeholders, ON CONFLICT, RETURNING,
 * BIGINT times in milliseconds, JSON as TEXT), so both adapters behave the same by
 * construction and the shared test suite checks the rest.
 */
/** The store cannot be opened for a reason a person can fix; the message says how (one line). */
export class StorageOpenError extends Error {}

export type SqlValue = string | number | null;
export type StorageKind = 'sqlite' | 'postgres';

export interface SqlQueryable {
  /** Rows of a query (also of a write with RETURNING). */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** A write; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver extends SqlQueryable {
  readonly kind: StorageKind;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The `WHERE` of a filter: each condition whose value is given (its clause holds one `?`),
 * ANDed; empty when none is.
 */
export function whereAll(
  conditions: ReadonlyArray<readonly [clause: string, value: SqlValue | undefined]>,
): { sql: string; params: SqlValue[] } {
  const given = conditions.filter(
    (condition): condition is readonly [string, SqlValue] => condition[1] !== undefined,
  );
  return {
    sql: given.length > 0 ? `WHERE ${given.map(([clause]) => clause).join(' AND ')}` : '',
    params: given.map(([, value]) => value),
  };
}
