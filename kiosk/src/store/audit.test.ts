import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { appendAudit, auditEntries, canonicalJson, GENESIS_HASH, verifyAudit } from './audit.ts';
import { type Db, openDb } from './db.ts';
import { tempDir } from './test-support.ts';

function freshDb(t: import('node:test').TestContext): Db {
  const db = openDb(join(tempDir(t), 'store.sqlite'));
  t.after(() => db.close());
  return db;
}

function appendFive(db: Db) {
  for (let i = 1; i <= 5; i++) {
    appendAudit(db, {
      at: 1000 + i,
      actor: i % 2 ? 'staff-1' : 'system',
      action: `action-${i}`,
      subject: i === 3 ? null : `A${i}`,
      details: { n: i, reason: 'test', nested: { b: [1, 'two'], a: true } },
    });
  }
}

describe('audit', () => {
  test('seqs count from 1 and the chain verifies', (t) => {
    const db = freshDb(t);
    assert.deepEqual(verifyAudit(db), { ok: true, value: { entries: 0 } });
    appendFive(db);
    assert.deepEqual(
      auditEntries(db).map((entry) => entry.seq),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(verifyAudit(db), { ok: true, value: { entries: 5 } });
  });

  test('hash = SHA-256(prev_hash ‖ canonical JSON), genesis 32 zero bytes', (t) => {
    const db = freshDb(t);
    appendAudit(db, { at: 7, actor: 'system', action: 'boot', details: { z: 1, a: 'x' } });
    appendAudit(db, { at: 8, actor: 'staff-2', action: 'login', subject: 'staff-2' });
    const rows = db.prepare('SELECT prev_hash, hash FROM audit ORDER BY seq').all() as {
      prev_hash: Buffer;
      hash: Buffer;
    }[];
    const first = createHash('sha256')
      .update(Buffer.alloc(32))
      .update(
        '{"action":"boot","actor":"system","at":7,"details":{"a":"x","z":1},"seq":1,"subject":null}',
      )
      .digest();
    assert.deepEqual(rows[0]!.prev_hash, GENESIS_HASH);
    assert.deepEqual(rows[0]!.hash, first);
    const second = createHash('sha256')
      .update(first)
      .update(
        '{"action":"login","actor":"staff-2","at":8,"details":{},"seq":2,"subject":"staff-2"}',
      )
      .digest();
    assert.deepEqual(rows[1]!.prev_hash, first);
    assert.deepEqual(rows[1]!.hash, second);
  });

  test('canonical JSON: sorted keys, no whitespace, plain data only', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [{ d: null, c: 'x' }], u: undefined }),
      '{"a":[{"c":"x","d":null}],"b":1}',
    );
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.throws(() => canonicalJson({ hash: Buffer.alloc(2) }), /plain objects/);
    assert.throws(() => canonicalJson({ at: new Date(0) }), /plain objects/);
    assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/);
    assert.throws(() => canonicalJson({ f: () => 1 }), /cannot encode function/);
  });

  test('an entry that cannot be encoded is not written', (t) => {
    const db = freshDb(t);
    appendAudit(db, { at: 1, actor: 'system', action: 'ok' });
    assert.throws(() =>
      appendAudit(db, {
        at: 2,
        actor: 'system',
        action: 'bad',
        details: { secret: Buffer.from('x') as unknown as string },
      }),
    );
    assert.deepEqual(verifyAudit(db), { ok: true, value: { entries: 1 } });
  });

  test('UPDATE and DELETE are refused by the triggers', (t) => {
    const db = freshDb(t);
    appendFive(db);
    assert.throws(
      () => db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run(),
      /append-only/,
    );
    assert.throws(() => db.prepare('DELETE FROM audit WHERE seq = 5').run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
    assert.equal(auditEntries(db)[1]!.actor, 'system');
    assert.deepEqual(verifyAudit(db), { ok: true, value: { entries: 5 } });
  });

  test('a changed entry is found at its seq (hash-mismatch)', (t) => {
    const db = freshDb(t);
    appendFive(db);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare(
      `UPDATE audit SET details = '{"n":3,"reason":"nothing happened"}' WHERE seq = 3`,
    ).run();
    assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 3, reason: 'hash-mismatch' } });
  });

  for (const [column, value] of [
    ['at', 999],
    ['actor', "'staff-9'"],
    ['action', "'other'"],
    ['subject', "'B7'"],
  ] as const) {
    test(`a changed ${column} is found`, (t) => {
      const db = freshDb(t);
      appendFive(db);
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare(`UPDATE audit SET ${column} = ${value} WHERE seq = 4`).run();
      assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 4, reason: 'hash-mismatch' } });
    });
  }

  test('an entry rewritten with a fitting hash breaks the chain at the next one', (t) => {
    const db = freshDb(t);
    appendFive(db);
    db.exec('DROP TRIGGER audit_no_update');
    const row = db.prepare('SELECT * FROM audit WHERE seq = 2').get() as { prev_hash: Buffer };
    const forged = createHash('sha256')
      .update(row.prev_hash)
      .update('{"action":"nothing","actor":"system","at":1002,"details":{},"seq":2,"subject":null}')
      .digest();
    db.prepare(
      `UPDATE audit SET action = 'nothing', actor = 'system', subject = NULL, details = '{}', hash = ?
       WHERE seq = 2`,
    ).run(forged);
    assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 3, reason: 'chain-broken' } });
  });

  test('a replaced prev_hash is found as chain-broken', (t) => {
    const db = freshDb(t);
    appendFive(db);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare('UPDATE audit SET prev_hash = randomblob(32) WHERE seq = 1').run();
    assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 1, reason: 'chain-broken' } });
  });

  test('a deleted entry is found as a gap', (t) => {
    const db = freshDb(t);
    appendFive(db);
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE seq = 3').run();
    assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 3, reason: 'gap' } });
  });

  test('a deleted first entry is found as a gap at 1', (t) => {
    const db = freshDb(t);
    appendFive(db);
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE seq = 1').run();
    assert.deepEqual(verifyAudit(db), { ok: false, error: { seq: 1, reason: 'gap' } });
  });

  test('an entry appended inside a transaction that rolls back leaves no trace', (t) => {
    const db = freshDb(t);
    appendFive(db);
    assert.throws(() =>
      db.transaction(() => {
        appendAudit(db, { at: 9, actor: 'system', action: 'doomed' });
        throw new Error('rollback');
      })(),
    );
    appendAudit(db, { at: 10, actor: 'system', action: 'after' });
    assert.deepEqual(verifyAudit(db), { ok: true, value: { entries: 6 } });
    assert.equal(auditEntries(db).at(-1)!.action, 'after');
  });
});
