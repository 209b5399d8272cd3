/**
 * The audit trail: append-only (triggers refuse UPDATE and DELETE) and hash-chained, so a
 * changed, removed or reordered entry is found by `verifyAudit`.
 *
 *   hash(n) = SHA-256( hash(n-1) ‖ canonical JSON of {seq, at, actor, action, subject, details} )
 *   hash(0) = 32 zero bytes
 *
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members left out.
 *
 * Entries must never contain secrets or personal data: no codes, PINs, card numbers, dates
 * of birth, references or contact data. Callers pass ids, compartment labels, roles, counts
 * and reasons. A deleted tail of the chain is not detectable from the chain alone: compare
 * the entry count or the last hash with a copy kept elsewhere (a backup, the backend).
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import type { Db } from './db.ts';
import type { JsonValue } from './types.ts';

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  subject?: string | null;
  details?: { readonly [key: string]: JsonValue | undefined };
}

export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, JsonValue>;
}

export type AuditFailure = { seq: number; reason: 'hash-mismatch' | 'chain-broken' | 'gap' };

export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Deterministic JSON: sorted keys, no whitespace; rejects values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError('canonical JSON: only plain objects, arrays and primitives');
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode ${typeof value}`);
  }
}

function entryHash(prevHash: Buffer, row: AuditRow): Buffer {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: row.details,
  });
  return createHash('sha256').update(prevHash).update(body, 'utf8').digest();
}

/** Appends one entry (in its own savepoint if a transaction is open) and returns its seq. */
export function appendAudit(db: Db, entry: AuditEntry): number {
  return db.transaction(() => {
    const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: Buffer }
      | undefined;
    const detailsText = canonicalJson(entry.details ?? {});
    const row: AuditRow = {
      seq: (last?.seq ?? 0) + 1,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject ?? null,
      details: JSON.parse(detailsText) as Record<string, JsonValue>,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    db.prepare(
      `INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.seq,
      row.at,
      row.actor,
      row.action,
      row.subject,
      detailsText,
      prevHash,
      entryHash(prevHash, row),
    );
    return row.seq;
  })();
}

/** Walks the whole chain from seq 1; reports the first entry that does not fit. */
export function verifyAudit(db: Db): Result<{ entries: number }, AuditFailure> {
  const rows = db
    .prepare(
      'SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq',
    )
    .iterate() as IterableIterator<{
    seq: number;
    at: number;
    actor: string;
    action: string;
    subject: string | null;
    details: string;
    prev_hash: Buffer;
    hash: Buffer;
  }>;
  let expectedSeq = 1;
  let previous = GENESIS_HASH;
  for (const raw of rows) {
    if (raw.seq !== expectedSeq) {
      rows.return?.();
      return err({ seq: expectedSeq, reason: 'gap' });
    }
    if (!raw.prev_hash.equals(previous)) {
      rows.return?.();
      return err({ seq: raw.seq, reason: 'chain-broken' });
    }
    let details: Record<string, JsonValue>;
    try {
      details = JSON.parse(raw.details) as Record<string, JsonValue>;
    } catch {
      rows.return?.();
      return err({ seq: raw.seq, reason: 'hash-mismatch' });
    }
    const expected = entryHash(previous, { ...raw, details });
    if (!expected.equals(raw.hash)) {
      rows.return?.();
      return err({ seq: raw.seq, reason: 'hash-mismatch' });
    }
    previous = raw.hash;
    expectedSeq += 1;
  }
  return ok({ entries: expectedSeq - 1 });
}

/** The entries in seq order (for tests, the console and exports). */
export function auditEntries(db: Db, options: { since?: number; limit?: number } = {}): AuditRow[] {
  const rows = db
    .prepare(
      'SELECT seq, at, actor, action, subject, details FROM audit WHERE seq > ? ORDER BY seq LIMIT ?',
    )
    .all(options.since ?? 0, options.limit ?? -1) as (Omit<AuditRow, 'details'> & {
    details: string;
  })[];
  return rows.map((row) => ({
    ...row,
    details: JSON.parse(row.details) as Record<string, JsonValue>,
  }));
}
