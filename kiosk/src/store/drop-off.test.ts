/**
 * The store's part of a drop-off at the terminal: a drop-off compartment is chosen, the
 * drop-off is announced before its door opens, and recorded (or cancelled) with the door.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditEntries } from './audit.ts';
import { compartment, openTestStore, T0, type TestStore } from './test-support.ts';

const BANK = [
  compartment('P1', 'M', 1),
  compartment('D1', 'S', 2, { purpose: 'drop-off' }),
  compartment('D2', 'M', 3, { purpose: 'drop-off' }),
  compartment('D3', 'L', 4, { purpose: 'drop-off' }),
];

const choose = (s: TestStore, size: 'S' | 'M' | 'L' | 'XL' = 'M') =>
  s.store.chooseDropOffCompartment({ size })?.label;

const announce = (s: TestStore, reference = 'RET-1') =>
  s.store.announceItem({ kind: 'drop-off', reference });

const auditOf = (s: TestStore, subject: string) =>
  auditEntries(s.db)
    .filter((entry) => entry.subject === subject)
    .map((entry) => ({ action: entry.action, actor: entry.actor, details: entry.details }));

describe('choosing a drop-off compartment', () => {
  test('only drop-off compartments, big enough, the smallest first, then the least used', (t) => {
    const s = openTestStore(t, BANK);
    assert.equal(choose(s), 'D2', 'an M for an M; S is too small, P1 is for pickups');
    assert.equal(choose(s, 'S'), 'D1');
    assert.equal(choose(s, 'L'), 'D3');
    assert.equal(choose(s, 'XL'), undefined);
    s.db.prepare("UPDATE compartments SET uses = 5 WHERE label = 'D1'").run();
    assert.equal(choose(s, 'S'), 'D1', 'size before use');
  });

  test('a drop-off compartment collects any number of drop-offs', (t) => {
    const s = openTestStore(t, BANK);
    for (const reference of ['RET-1', 'RET-2', 'RET-3']) {
      const label = choose(s);
      assert.equal(label, 'D2');
      const item = announce(s, reference);
      assert.ok(s.store.completeDropOff(item.id, label!, 'sess').ok);
    }
    assert.equal(s.store.itemsInCompartment('D2').length, 3);
    assert.equal(s.store.compartment('D2')?.uses, 3);
  });

  test('not a defective one, nor one whose door stands open or is being opened, nor one with something else in it', (t) => {
    const s = openTestStore(t, BANK);
    assert.ok(s.store.setDefective('D2', 'flap broken', 'tech-1').ok);
    assert.equal(choose(s), 'D3');
    s.store.recordDoor('D3', 'open', T0);
    assert.equal(choose(s), undefined, 'forced or left open: staff look first');
    s.store.recordDoor('D3', 'closed', T0 + 1);
    const intent = s.store.createIntent({ compartment: 'D3', purpose: 'drop-off', sessionId: 's' });
    assert.equal(choose(s), undefined, 'a door under way');
    s.store.setIntentState(intent.id, 'failed', { failure: 'jammed' });
    assert.equal(choose(s), 'D3');
    // A staff member put a document into it by mistake: no drop-offs on top of that.
    const document = s.store.announceItem({ kind: 'document', reference: 'DOC-1' });
    assert.ok(s.store.markLoaded(document.id, 'D3', 'staff-1').ok);
    assert.equal(choose(s), undefined);
  });
});

describe('recording an announced drop-off', () => {
  test('announced → dropped_off with its compartment, one outbox event, one audit entry, one use', (t) => {
    const s = openTestStore(t, BANK);
    const item = announce(s);
    assert.equal(item.status, 'announced');
    assert.equal(item.compartment, null);
    s.clock.now = T0 + 5000;
    const done = s.store.completeDropOff(item.id, 'D2', 'sess-9');
    assert.ok(done.ok);
    assert.equal(done.value.status, 'dropped_off');
    assert.equal(done.value.compartment, 'D2');
    assert.equal(done.value.loadedAt, T0 + 5000, 'the time of the receipt');
    assert.deepEqual(s.outbox(), [
      {
        seq: 1,
        type: 'item-dropped-off',
        payload: {
          itemId: item.id,
          kind: 'drop-off',
          reference: 'RET-1',
          compartment: 'D2',
          droppedOffAt: T0 + 5000,
        },
      },
    ]);
    assert.deepEqual(auditOf(s, item.id), [
      { action: 'item-announced', actor: 'system', details: { kind: 'drop-off' } },
      {
        action: 'item-dropped-off',
        actor: 'citizen',
        details: { compartment: 'D2', kind: 'drop-off', sessionId: 'sess-9' },
      },
    ]);
    assert.equal(s.store.compartment('D2')?.uses, 1);
    assert.ok(s.store.verifyAudit().ok);
  });

  test('only an announced drop-off, once; an unknown compartment is refused', (t) => {
    const s = openTestStore(t, BANK);
    const item = announce(s);
    assert.deepEqual(s.store.completeDropOff('ghost', 'D2', 's'), {
      ok: false,
      error: 'unknown-item',
    });
    assert.deepEqual(s.store.completeDropOff(item.id, 'NOPE', 's'), {
      ok: false,
      error: 'unknown-compartment',
    });
    const parcel = s.store.announceItem({ kind: 'parcel', reference: 'P-1' });
    assert.deepEqual(s.store.completeDropOff(parcel.id, 'D2', 's'), {
      ok: false,
      error: 'wrong-kind',
    });
    assert.ok(s.store.completeDropOff(item.id, 'D2', 's').ok);
    assert.deepEqual(s.store.completeDropOff(item.id, 'D2', 's'), {
      ok: false,
      error: 'wrong-status',
    });
    assert.equal(s.outbox().length, 1, 'recorded once');
    assert.equal(s.store.compartment('D2')?.uses, 1);
  });

  test('what lies in a compartment is recorded even if it was marked defective meanwhile', (t) => {
    const s = openTestStore(t, BANK);
    const item = announce(s);
    assert.ok(s.store.setDefective('D2', 'lamp', 'tech-1').ok);
    assert.ok(s.store.completeDropOff(item.id, 'D2', 's').ok);
  });
});

describe('cancelling an announced item', () => {
  test('announced → cancelled, audited with its reason, no outbox; the reference is free again', (t) => {
    const s = openTestStore(t, BANK);
    const item = announce(s);
    const cancelled = s.store.cancelAnnounced(item.id, 'system', 'door-jammed');
    assert.ok(cancelled.ok);
    assert.equal(cancelled.value.status, 'cancelled');
    assert.deepEqual(auditOf(s, item.id).at(-1), {
      action: 'item-cancelled',
      actor: 'system',
      details: { reason: 'door-jammed' },
    });
    assert.deepEqual(s.outbox(), []);
    const again = announce(s);
    assert.notEqual(again.id, item.id);
    assert.ok(s.store.completeDropOff(again.id, 'D2', 's').ok);
  });

  test('nothing else: not a dropped-off, loaded or unknown item', (t) => {
    const s = openTestStore(t, BANK);
    const item = announce(s);
    assert.ok(s.store.completeDropOff(item.id, 'D2', 's').ok);
    assert.deepEqual(s.store.cancelAnnounced(item.id, 'system', 'x'), {
      ok: false,
      error: 'wrong-status',
    });
    assert.deepEqual(s.store.cancelAnnounced('ghost', 'system', 'x'), {
      ok: false,
      error: 'unknown-item',
    });
    assert.equal(s.store.item(item.id)?.status, 'dropped_off');
  });
});
