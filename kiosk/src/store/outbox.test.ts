import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Db, openDb } from './db.ts';
import {
  enqueueOutbox,
  markOutboxFailed,
  markOutboxSent,
  OUTBOX_BACKOFF_BASE_MS,
  OUTBOX_BACKOFF_CAP_MS,
  outboxBackoffMs,
  outboxLength,
  pendingOutbox,
  pruneSentOutbox,
} from './outbox.ts';
import { compartment, openTestStore, tempDir } from './test-support.ts';

const NOW = 1_700_000_000_000;

function freshDb(t: import('node:test').TestContext): Db {
  const db = openDb(join(tempDir(t), 'store.sqlite'));
  t.after(() => db.close());
  return db;
}

describe('outbox', () => {
  test('the same idempotency key twice is queued once and returns the same seq', (t) => {
    const db = freshDb(t);
    const first = enqueueOutbox(db, {
      type: 'item-ready',
      payload: { itemId: 'i1' },
      idempotencyKey: 'k-1',
      now: NOW,
    });
    const again = enqueueOutbox(db, {
      type: 'item-ready',
      payload: { itemId: 'changed' },
      idempotencyKey: 'k-1',
      now: NOW + 5,
    });
    assert.equal(again, first);
    assert.equal(outboxLength(db), 1);
    const [event] = pendingOutbox(db, NOW + 5, 10);
    assert.deepEqual(event?.payload, { itemId: 'i1' }, 'the first payload is kept');
    assert.equal(event?.createdAt, NOW);
  });

  test('without a key every event gets its own random UUID key', (t) => {
    const db = freshDb(t);
    const a = enqueueOutbox(db, { type: 'x', payload: {}, now: NOW });
    const b = enqueueOutbox(db, { type: 'x', payload: {}, now: NOW });
    assert.notEqual(a, b);
    const keys = pendingOutbox(db, NOW, 10).map((event) => event.idempotencyKey);
    assert.equal(new Set(keys).size, 2);
    for (const key of keys) assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  test('pending events come in seq order, limited, and only when due', (t) => {
    const db = freshDb(t);
    const seqs = ['a', 'b', 'c', 'd'].map((type, i) =>
      enqueueOutbox(db, { type, payload: { i }, now: NOW + i }),
    );
    assert.deepEqual(
      pendingOutbox(db, NOW + 10, 10).map((event) => event.type),
      ['a', 'b', 'c', 'd'],
    );
    assert.deepEqual(
      pendingOutbox(db, NOW + 10, 2).map((event) => event.seq),
      seqs.slice(0, 2),
    );
    // Not yet due: created after `now`.
    assert.deepEqual(
      pendingOutbox(db, NOW + 1, 10).map((event) => event.type),
      ['a', 'b'],
    );
    // A failed event waits for its backoff; the others stay due.
    const next = markOutboxFailed(db, seqs[1]!, 'HTTP 503', NOW + 10, () => 0.5);
    assert.ok(next !== undefined && next > NOW + 10);
    assert.deepEqual(
      pendingOutbox(db, NOW + 10, 10).map((event) => event.type),
      ['a', 'c', 'd'],
    );
    assert.deepEqual(
      pendingOutbox(db, next, 10).map((event) => event.type),
      ['a', 'b', 'c', 'd'],
    );
    assert.deepEqual(
      pendingOutbox(db, next - 1, 10).map((event) => event.type),
      ['a', 'c', 'd'],
    );
    const failed = pendingOutbox(db, next, 10)[1]!;
    assert.equal(failed.attempts, 1);
    assert.equal(failed.lastError, 'HTTP 503');
  });

  test('sent events leave the queue; marking twice changes nothing', (t) => {
    const db = freshDb(t);
    const a = enqueueOutbox(db, { type: 'a', payload: {}, now: NOW });
    const b = enqueueOutbox(db, { type: 'b', payload: {}, now: NOW });
    assert.equal(markOutboxSent(db, [a], NOW + 1), 1);
    assert.equal(markOutboxSent(db, [a], NOW + 2), 0);
    assert.equal(outboxLength(db), 1);
    assert.deepEqual(
      pendingOutbox(db, NOW + 2, 10).map((event) => event.seq),
      [b],
    );
    assert.equal(markOutboxFailed(db, a, 'late failure', NOW + 3), undefined);
    assert.equal(markOutboxFailed(db, 999, 'unknown', NOW + 3), undefined);
    assert.equal(pruneSentOutbox(db, NOW + 1), 0, 'sent at NOW+1 is not before NOW+1');
    assert.equal(pruneSentOutbox(db, NOW + 2), 1);
    assert.equal(outboxLength(db), 1);
  });

  test('backoff doubles from 10 s with jitter in [0.75, 1] and is capped at one hour', () => {
    assert.equal(
      outboxBackoffMs(1, () => 1),
      OUTBOX_BACKOFF_BASE_MS,
    );
    assert.equal(
      outboxBackoffMs(1, () => 0),
      0.75 * OUTBOX_BACKOFF_BASE_MS,
    );
    assert.equal(
      outboxBackoffMs(2, () => 1),
      2 * OUTBOX_BACKOFF_BASE_MS,
    );
    let previousMax = 0;
    let attempts = 1;
    for (; outboxBackoffMs(attempts, () => 1) < OUTBOX_BACKOFF_CAP_MS; attempts++) {
      // Jitter never lets a later attempt come sooner than an earlier one.
      assert.ok(outboxBackoffMs(attempts, () => 0) > previousMax, `attempt ${attempts} grows`);
      previousMax = outboxBackoffMs(attempts, () => 1);
    }
    assert.ok(attempts > 5 && attempts < 15, `the cap is reached after ${attempts} attempts`);
    for (const n of [attempts, attempts + 1, 50, 1000]) {
      assert.equal(
        outboxBackoffMs(n, () => 1),
        OUTBOX_BACKOFF_CAP_MS,
      );
      assert.equal(
        outboxBackoffMs(n, () => 0),
        0.75 * OUTBOX_BACKOFF_CAP_MS,
      );
    }
  });

  test('markOutboxFailed counts attempts and schedules with real jitter within bounds', (t) => {
    const db = freshDb(t);
    const seq = enqueueOutbox(db, { type: 'a', payload: {}, now: NOW });
    let now = NOW;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 20; attempt++) {
      const next = markOutboxFailed(db, seq, `attempt ${attempt}`, now);
      assert.ok(next !== undefined);
      const wait = next - now;
      const raw = Math.min(OUTBOX_BACKOFF_CAP_MS, OUTBOX_BACKOFF_BASE_MS * 2 ** (attempt - 1));
      assert.ok(wait >= 0.75 * raw - 1 && wait <= raw, `attempt ${attempt}: ${wait} ms`);
      waits.push(wait);
      assert.equal(pendingOutbox(db, next - 1, 10).length, 0, 'not due before its time');
      now = next;
      const [event] = pendingOutbox(db, now, 10);
      assert.equal(event?.attempts, attempt);
      assert.equal(event?.lastError, `attempt ${attempt}`);
    }
    assert.ok(Math.max(...waits) <= OUTBOX_BACKOFF_CAP_MS);
    assert.ok(waits.at(-1)! >= 0.75 * OUTBOX_BACKOFF_CAP_MS);
  });

  test('long error texts are cut', (t) => {
    const db = freshDb(t);
    const seq = enqueueOutbox(db, { type: 'a', payload: {}, now: NOW });
    markOutboxFailed(db, seq, 'x'.repeat(10_000), NOW);
    assert.equal(pendingOutbox(db, Number.MAX_SAFE_INTEGER, 1)[0]?.lastError?.length, 500);
  });

  test('a transaction that throws leaves neither the change nor its outbox event', (t) => {
    const { store, db, outbox, auditCount } = openTestStore(t, [compartment('A1', 'M', 1)]);
    const item = store.announceItem({ kind: 'parcel', reference: 'P-1', code: 'ABC123' });
    const auditBefore = auditCount();
    assert.throws(
      () =>
        store.transaction(() => {
          assert.ok(store.markLoaded(item.id, 'A1', 'staff-1').ok);
          store.createIntent({ compartment: 'A1', purpose: 'load', itemId: item.id });
          assert.equal(outbox().length, 1, 'inside: the event is there');
          throw new Error('power cut in the middle');
        }),
      /power cut/,
    );
    assert.equal(store.item(item.id)?.status, 'announced');
    assert.equal(store.compartment('A1')?.uses, 0);
    assert.deepEqual(outbox(), []);
    assert.equal(outboxLength(db), 0);
    assert.deepEqual(store.openIntents(), []);
    assert.equal(auditCount(), auditBefore);
    assert.ok(store.verifyAudit().ok);
    // Same for what a flow writes itself: a failing audit entry takes its event with it.
    assert.throws(() =>
      store.transaction(() => {
        store.enqueue('note', { n: 1 });
        store.audit({ actor: 'system', action: 'x', details: { bad: Number.POSITIVE_INFINITY } });
      }),
    );
    assert.deepEqual(outbox(), []);
  });
});
