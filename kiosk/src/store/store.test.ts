import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { auditEntries } from './audit.ts';
import { DAY_MS, PIN_LOCK_MS } from './store.ts';
import { compartment, openTestStore, T0, type TestStore } from './test-support.ts';

/** A bank with every kind of compartment the choice rules care about. */
const BANK = [
  compartment('S1', 'S', 1, { accessible: true }),
  compartment('S2', 'S', 2),
  compartment('S3', 'S', 3),
  compartment('M1', 'M', 4, { accessible: true }),
  compartment('M2', 'M', 5),
  compartment('L1', 'L', 6),
  compartment('D1', 'M', 7, { purpose: 'drop-off' }),
];

let references = 0;
/** Announces and loads an item into `label`; returns it. */
function load(
  s: TestStore,
  label: string,
  options: { code?: string; recipientRef?: string; kind?: 'parcel' | 'document' } = {},
) {
  references += 1;
  const item = s.store.announceItem({
    kind: options.kind ?? 'parcel',
    reference: `REF-${references}`,
    code: options.code ?? `CODE${references}`,
    recipientRef: options.recipientRef ?? `r-${references}`,
  });
  const loaded = s.store.markLoaded(item.id, label, 'staff-1');
  assert.ok(loaded.ok, `loading into ${label}: ${loaded.ok ? '' : loaded.error}`);
  return loaded.value;
}

function bank(t: TestContext): TestStore {
  return openTestStore(t, BANK);
}

function choose(s: TestStore, size: 'S' | 'M' | 'L' | 'XL', needsAccessible = false) {
  return s.store.chooseCompartment({ size, needsAccessible })?.label;
}

describe('compartment choice', () => {
  test('the exact size first, and a high one unless a low one is needed', (t) => {
    const s = bank(t);
    assert.equal(choose(s, 'S'), 'S2', 'non-accessible S, by label');
    assert.equal(choose(s, 'S', true), 'S1', 'accessible S');
    assert.equal(choose(s, 'M'), 'M2');
    assert.equal(choose(s, 'M', true), 'M1');
    assert.equal(choose(s, 'L'), 'L1');
    assert.equal(choose(s, 'XL'), undefined, 'nothing big enough');
  });

  test('the next larger size when the exact one is full', (t) => {
    const s = bank(t);
    for (const label of ['S1', 'S2', 'S3']) load(s, label);
    assert.equal(choose(s, 'S'), 'M2', 'an M, and the high one');
    load(s, 'M2');
    assert.equal(choose(s, 'S'), 'M1', 'the low one when no high one is left');
    load(s, 'M1');
    assert.equal(choose(s, 'S'), 'L1');
  });

  test('for a wheelchair user a low compartment comes before the best size', (t) => {
    const s = bank(t);
    load(s, 'S1');
    assert.equal(choose(s, 'S', true), 'M1', 'a low M rather than a high S');
    load(s, 'M1');
    assert.equal(choose(s, 'S', true), 'S2', 'a high one when no low one is free');
  });

  test('among equals the least used, then the label', (t) => {
    const s = bank(t);
    s.db.prepare("UPDATE compartments SET uses = 5 WHERE label = 'S2'").run();
    assert.equal(choose(s, 'S'), 'S3');
    s.db.prepare("UPDATE compartments SET uses = 5 WHERE label = 'S3'").run();
    assert.equal(choose(s, 'S'), 'S2');
    // Use does not beat size or accessibility.
    s.db.prepare("UPDATE compartments SET uses = 99 WHERE label IN ('S2', 'S3')").run();
    assert.equal(choose(s, 'S'), 'S2');
  });

  test('defective compartments are never chosen', (t) => {
    const s = bank(t);
    assert.ok(s.store.setDefective('S2', 'lock jammed', 'tech-1').ok);
    assert.equal(choose(s, 'S'), 'S3');
    assert.equal(s.store.compartment('S2')?.defectReason, 'lock jammed');
    assert.ok(s.store.setDefective('S2', null, 'tech-1').ok);
    assert.equal(choose(s, 'S'), 'S2');
    assert.deepEqual(s.store.setDefective('Z9', 'x', 'tech-1'), {
      ok: false,
      error: 'unknown-compartment',
    });
  });

  test('occupied compartments (loaded, expired, dropped off) are never chosen', (t) => {
    const s = bank(t);
    const item = load(s, 'S2');
    assert.equal(choose(s, 'S'), 'S3');
    s.store.expireDue(T0 + 30 * DAY_MS);
    assert.equal(s.store.item(item.id)?.status, 'expired');
    assert.equal(choose(s, 'S'), 'S3', 'an expired item still occupies');
    assert.ok(s.store.markRetrieved(item.id, 'staff-1').ok);
    assert.ok(
      s.store.freeCompartments({ size: 'S' }).some((c) => c.label === 'S2'),
      'free again after retrieval',
    );
    assert.equal(choose(s, 'S'), 'S3', 'but S3 is less used now');
    assert.ok(
      s.store.markDroppedOff({ reference: 'RET-1', compartment: 'S2', sessionId: 'sess-1' }).ok,
    );
    assert.ok(
      !s.store.freeCompartments({ size: 'S' }).some((c) => c.label === 'S2'),
      'a drop-off occupies',
    );
    s.db.prepare("UPDATE compartments SET uses = 0 WHERE label = 'S2'").run();
    assert.equal(choose(s, 'S'), 'S3', 'even when it is the least used');
  });

  test('a compartment with an open door intent is not free', (t) => {
    const s = bank(t);
    const intent = s.store.createIntent({
      compartment: 'S2',
      purpose: 'maintenance',
      staffId: 'tech-1',
    });
    assert.equal(choose(s, 'S'), 'S3');
    s.store.setIntentState(intent.id, 'sent');
    s.store.setIntentState(intent.id, 'opened');
    assert.equal(choose(s, 'S'), 'S3');
    s.store.setIntentState(intent.id, 'closed');
    assert.equal(choose(s, 'S'), 'S2');
  });

  test('drop-off compartments are only chosen for drop-offs', (t) => {
    const s = bank(t);
    for (const label of ['S1', 'S2', 'S3', 'M1', 'M2', 'L1']) load(s, label);
    assert.equal(choose(s, 'M'), undefined);
    assert.equal(
      s.store.chooseCompartment({ size: 'S', needsAccessible: false, purpose: 'drop-off' })?.label,
      'D1',
    );
    assert.deepEqual(
      s.store.freeCompartments().map((c) => c.label),
      ['D1'],
    );
  });

  test('freeCompartments filters by size and purpose', (t) => {
    const s = bank(t);
    assert.deepEqual(
      s.store.freeCompartments({ size: 'S' }).map((c) => c.label),
      ['S1', 'S2', 'S3'],
    );
    assert.deepEqual(
      s.store.freeCompartments({ size: 'M', purpose: 'pickup' }).map((c) => c.label),
      ['M1', 'M2'],
    );
    assert.deepEqual(
      s.store.freeCompartments({ purpose: 'drop-off' }).map((c) => c.label),
      ['D1'],
    );
  });
});

describe('compartments from the site configuration', () => {
  test('an upsert keeps defect, door and uses; unchanged rows are not rewritten', (t) => {
    const s = openTestStore(t);
    assert.deepEqual(s.store.upsertCompartments(BANK), { added: 7, changed: 0 });
    const audits = s.auditCount();
    assert.deepEqual(s.store.upsertCompartments(BANK), { added: 0, changed: 0 });
    assert.equal(s.auditCount(), audits, 'a boot with the same configuration writes no audit');

    s.store.setDefective('S2', 'bent door', 'tech-1');
    s.store.recordDoor('S2', 'closed', T0);
    load(s, 'S3');
    const changed = BANK.map((c) =>
      c.label === 'S2' || c.label === 'S3' ? { ...c, heightCm: 77 } : c,
    );
    assert.deepEqual(s.store.upsertCompartments(changed), { added: 0, changed: 2 });
    const s2 = s.store.compartment('S2')!;
    assert.equal(s2.heightCm, 77);
    assert.equal(s2.defective, true);
    assert.equal(s2.defectReason, 'bent door');
    assert.equal(s2.door, 'closed');
    assert.equal(s.store.compartment('S3')?.uses, 1);
    assert.equal(auditEntries(s.db).at(-1)?.action, 'compartments-configured');
  });

  test('two compartments may swap their lock addresses', (t) => {
    const s = openTestStore(t, BANK);
    const swapped = BANK.map((c) =>
      c.label === 'S1' ? { ...c, lock: 2 } : c.label === 'S2' ? { ...c, lock: 1 } : c,
    );
    assert.deepEqual(s.store.upsertCompartments(swapped), { added: 0, changed: 2 });
    assert.equal(s.store.compartment('S1')?.lock, 2);
    assert.equal(s.store.compartment('S2')?.lock, 1);
    assert.deepEqual(
      s.store.compartments().map((c) => c.label),
      BANK.map((c) => c.label).sort(),
    );
  });
});

describe('item lifecycle', () => {
  test('loaded: expiry from the holding period, item-ready event, one use counted', (t) => {
    const s = openTestStore(t, BANK);
    const item = s.store.announceItem({
      kind: 'id-document',
      reference: 'PA-4711',
      recipientRef: 'citizen-9',
      code: 'K7P-4Q2',
      secondFactor: '23.07.1961',
      needsPinLetterConfirmation: true,
    });
    assert.equal(item.status, 'announced');
    assert.equal(item.holdingDays, 14);
    assert.equal(item.hasSecondFactor, true);
    assert.equal(item.needsPinLetterConfirmation, true);
    s.clock.now = T0 + 5000;
    const loaded = s.store.markLoaded(item.id, 'M2', 'staff-1');
    assert.ok(loaded.ok);
    assert.equal(loaded.value.status, 'loaded');
    assert.equal(loaded.value.loadedAt, T0 + 5000);
    assert.equal(loaded.value.loadedBy, 'staff-1');
    assert.equal(loaded.value.expiresAt, T0 + 5000 + 14 * DAY_MS);
    assert.equal(s.store.compartment('M2')?.uses, 1);
    assert.deepEqual(s.outbox().at(-1), {
      seq: 1,
      type: 'item-ready',
      payload: {
        itemId: item.id,
        reference: 'PA-4711',
        recipientRef: 'citizen-9',
        compartment: 'M2',
        expiresAt: T0 + 5000 + 14 * DAY_MS,
        kind: 'id-document',
      },
    });
    const entry = auditEntries(s.db).at(-1)!;
    assert.deepEqual(
      { actor: entry.actor, action: entry.action, subject: entry.subject, details: entry.details },
      { actor: 'staff-1', action: 'item-loaded', subject: item.id, details: { compartment: 'M2' } },
    );
    assert.deepEqual(s.store.markLoaded(item.id, 'M1', 'staff-1'), {
      ok: false,
      error: 'wrong-status',
    });
  });

  test('holding period per kind from the settings, default 14 days', (t) => {
    const s = openTestStore(t, BANK);
    s.store.setSetting('holding-days.parcel', '7');
    s.store.setSetting('holding-days', '10');
    const kinds = ['parcel', 'object', 'document'] as const;
    const days = kinds.map(
      (kind, i) => s.store.announceItem({ kind, reference: `H-${i}` }).holdingDays,
    );
    assert.deepEqual(days, [7, 10, 10]);
    assert.equal(
      s.store.announceItem({ kind: 'parcel', reference: 'H-x', holdingDays: 3 }).holdingDays,
      3,
    );
    assert.throws(
      () => s.store.announceItem({ kind: 'parcel', reference: 'H-y', holdingDays: 0 }),
      RangeError,
    );
  });

  test('loading refuses unknown, defective and occupied compartments', (t) => {
    const s = openTestStore(t, BANK);
    const item = s.store.announceItem({ kind: 'parcel', reference: 'P-1', recipientRef: 'r-1' });
    assert.deepEqual(s.store.markLoaded('nope', 'S2', 'staff-1'), {
      ok: false,
      error: 'unknown-item',
    });
    assert.deepEqual(s.store.markLoaded(item.id, 'Z9', 'staff-1'), {
      ok: false,
      error: 'unknown-compartment',
    });
    s.store.setDefective('S2', 'jammed', 'tech-1');
    assert.deepEqual(s.store.markLoaded(item.id, 'S2', 'staff-1'), {
      ok: false,
      error: 'compartment-defective',
    });
    load(s, 'S3', { recipientRef: 'r-other' });
    assert.deepEqual(s.store.markLoaded(item.id, 'S3', 'staff-1'), {
      ok: false,
      error: 'compartment-occupied',
    });
    assert.equal(s.store.item(item.id)?.status, 'announced');
  });

  test('expiry: one item-expiring event two days before, then item-expired, each once', (t) => {
    const s = openTestStore(t, BANK);
    const item = load(s, 'S2', { code: 'EXP-1' });
    const expiresAt = item.expiresAt!;
    const types = () => s.outbox().map((event) => event.type);
    assert.deepEqual(s.store.expireDue(expiresAt - 2 * DAY_MS - 1), { expired: 0, expiring: 0 });
    assert.deepEqual(s.store.expireDue(expiresAt - 2 * DAY_MS), { expired: 0, expiring: 1 });
    assert.deepEqual(s.store.expireDue(expiresAt - DAY_MS), { expired: 0, expiring: 0 });
    assert.deepEqual(s.store.expireDue(expiresAt - 1), { expired: 0, expiring: 0 });
    assert.deepEqual(types(), ['item-ready', 'item-expiring']);
    assert.deepEqual(s.outbox()[1]!.payload, {
      itemId: item.id,
      reference: item.reference,
      recipientRef: item.recipientRef,
      compartment: 'S2',
      expiresAt,
    });
    assert.equal(s.store.itemsByCode('EXP-1').length, 1, 'still collectable');

    assert.deepEqual(s.store.expireDue(expiresAt), { expired: 1, expiring: 0 });
    assert.deepEqual(s.store.expireDue(expiresAt + DAY_MS), { expired: 0, expiring: 0 });
    assert.deepEqual(types(), ['item-ready', 'item-expiring', 'item-expired']);
    assert.equal(s.store.item(item.id)?.status, 'expired');
    assert.deepEqual(s.store.itemsByCode('EXP-1'), [], 'the code no longer opens anything');
    assert.deepEqual(s.store.markPickedUp([item.id], 'sess-1'), {
      ok: false,
      error: 'wrong-status',
    });
    assert.deepEqual(
      s.store.itemsWithStatus('expired').map((i) => i.id),
      [item.id],
    );

    const retrieved = s.store.markRetrieved(item.id, 'staff-2');
    assert.ok(retrieved.ok);
    assert.equal(retrieved.value.status, 'retrieved');
    assert.equal(retrieved.value.retrievedAt, s.clock.now);
    assert.equal(types().at(-1), 'item-retrieved');
    assert.deepEqual(s.store.markRetrieved(item.id, 'staff-2'), {
      ok: false,
      error: 'wrong-status',
    });
    assert.deepEqual(s.store.itemsInCompartment('S2'), []);
  });

  test('an item found past its expiry (terminal was off) expires without a reminder', (t) => {
    const s = openTestStore(t, BANK);
    const item = load(s, 'S2');
    assert.deepEqual(s.store.expireDue(item.expiresAt! + DAY_MS), { expired: 1, expiring: 0 });
    assert.deepEqual(
      s.outbox().map((event) => event.type),
      ['item-ready', 'item-expired'],
    );
  });

  test('several items share one code; the citizen takes them all at once', (t) => {
    const s = openTestStore(t, BANK);
    const first = load(s, 'M2', { code: 'FAM-42', recipientRef: 'family-1' });
    const second = load(s, 'M2', { code: 'FAM-42', recipientRef: 'family-1' });
    const third = load(s, 'L1', { code: 'FAM-42', recipientRef: 'family-1' });
    const other = load(s, 'S2', { code: 'OTHER-1' });
    s.store.announceItem({ kind: 'parcel', reference: 'NOT-YET', code: 'FAM-42' });
    // Another recipient's item cannot join their compartment.
    const stranger = s.store.announceItem({
      kind: 'parcel',
      reference: 'STR',
      recipientRef: 'r-x',
    });
    assert.deepEqual(s.store.markLoaded(stranger.id, 'M2', 'staff-1'), {
      ok: false,
      error: 'compartment-occupied',
    });

    const found = s.store.itemsByCode(' fam 42 ');
    assert.deepEqual(
      found.map((item) => item.id).sort(),
      [first.id, second.id, third.id].sort(),
      'all loaded items with the code, in any typed form',
    );
    assert.deepEqual(s.store.itemsByCode(''), []);
    assert.deepEqual(s.store.itemsByCode('FAM-43'), []);

    const outboxBefore = s.outbox().length;
    const auditBefore = s.auditCount();
    const picked = s.store.markPickedUp(
      found.map((item) => item.id),
      'sess-7',
    );
    assert.ok(picked.ok);
    assert.deepEqual(
      picked.value.map((item) => item.status),
      ['picked_up', 'picked_up', 'picked_up'],
    );
    const events = s.outbox().slice(outboxBefore);
    assert.deepEqual(
      events.map((event) => [event.type, event.payload.itemId]),
      found.map((item) => ['item-picked-up', item.id]),
    );
    assert.equal(s.auditCount() - auditBefore, 3);
    for (const entry of auditEntries(s.db).slice(auditBefore)) {
      assert.equal(entry.actor, 'citizen');
      assert.equal(entry.details.sessionId, 'sess-7');
    }
    assert.deepEqual(s.store.itemsByCode('FAM-42'), []);
    assert.deepEqual(s.store.itemsInCompartment('M2'), []);
    assert.equal(s.store.itemsByCode('OTHER-1')[0]?.id, other.id);
    // The code and second factor are gone from the row once the item has left.
    const row = s.db.prepare('SELECT code_hash FROM items WHERE id = ?').get(first.id) as {
      code_hash: Buffer | null;
    };
    assert.equal(row.code_hash, null);
  });

  test('a pickup with one wrong item changes nothing', (t) => {
    const s = openTestStore(t, BANK);
    const a = load(s, 'S2');
    const b = s.store.announceItem({ kind: 'parcel', reference: 'B' });
    const before = { audit: s.auditCount(), outbox: s.outbox().length };
    assert.deepEqual(s.store.markPickedUp([a.id, b.id], 'sess'), {
      ok: false,
      error: 'wrong-status',
    });
    assert.deepEqual(s.store.markPickedUp([a.id, 'ghost'], 'sess'), {
      ok: false,
      error: 'unknown-item',
    });
    assert.equal(s.store.item(a.id)?.status, 'loaded');
    assert.deepEqual({ audit: s.auditCount(), outbox: s.outbox().length }, before);
  });

  test('second factor: the date of birth in either form; fail closed otherwise', (t) => {
    const s = openTestStore(t, BANK);
    const withBirth = s.store.announceItem({
      kind: 'id-document',
      reference: 'PA-1',
      code: 'C1',
      secondFactor: '1961-07-23',
    });
    const withPin = s.store.announceItem({
      kind: 'document',
      reference: 'D-1',
      secondFactor: 'ab-99',
    });
    const without = s.store.announceItem({ kind: 'parcel', reference: 'P-1' });
    assert.equal(s.store.checkSecondFactor(withBirth.id, '23.07.1961'), true);
    assert.equal(s.store.checkSecondFactor(withBirth.id, '1961-07-23'), true);
    assert.equal(s.store.checkSecondFactor(withBirth.id, '24.07.1961'), false);
    assert.equal(s.store.checkSecondFactor(withBirth.id, '31.02.1961'), false);
    assert.equal(s.store.checkSecondFactor(withPin.id, 'AB99'), true);
    assert.equal(s.store.checkSecondFactor(without.id, ''), false);
    assert.equal(s.store.checkSecondFactor(without.id, 'anything'), false);
    assert.equal(s.store.checkSecondFactor('ghost', '1961-07-23'), false);
    assert.equal(without.hasSecondFactor, false);
  });

  test('hashes from the backend pass through unchanged', (t) => {
    const s = openTestStore(t, BANK);
    const item = s.store.announceItem({
      kind: 'parcel',
      reference: 'P-H',
      codeHash: s.hasher.hash('pickup-code', 'BACKEND-1'),
      secondFactorHash: s.hasher.hash('second-factor', '01.02.1990'),
    });
    assert.ok(s.store.markLoaded(item.id, 'S2', 'staff-1').ok);
    assert.equal(s.store.itemsByCode('backend1')[0]?.id, item.id);
    assert.equal(s.store.checkSecondFactor(item.id, '1990-02-01'), true);
    assert.throws(
      () => s.store.announceItem({ kind: 'parcel', reference: 'P-bad', codeHash: Buffer.alloc(5) }),
      /32-byte/,
    );
  });

  test('announcing is idempotent per id; a second active reference is a bug', (t) => {
    const s = openTestStore(t, BANK);
    const item = s.store.announceItem({ id: 'backend-1', kind: 'parcel', reference: 'P-1' });
    const audits = s.auditCount();
    assert.deepEqual(
      s.store.announceItem({ id: 'backend-1', kind: 'parcel', reference: 'P-1' }),
      item,
    );
    assert.equal(s.auditCount(), audits);
    assert.throws(
      () => s.store.announceItem({ id: 'backend-2', kind: 'parcel', reference: 'P-1' }),
      /still active/,
    );
    // The same reference as another kind, or after the first has left, is fine.
    s.store.announceItem({ kind: 'document', reference: 'P-1' });
    assert.ok(s.store.markLoaded(item.id, 'S2', 'staff-1').ok);
    assert.ok(s.store.markPickedUp([item.id], 'sess').ok);
    s.clock.now += 1000;
    s.store.announceItem({ id: 'backend-3', kind: 'parcel', reference: 'P-1' });
    s.clock.now += 1000;
    // The picked-up parcel is older, the document newer: active ones come first all the same.
    s.db.prepare('UPDATE items SET created_at = created_at + 10000 WHERE id = ?').run(item.id);
    const found = s.store.itemByReference('P-1');
    assert.notEqual(found?.id, item.id, 'the picked-up one comes last');
    assert.equal(found?.status, 'announced');
    assert.equal(s.store.itemByReference('NO-SUCH'), undefined);
  });

  test('references compare by their key: case, spaces and punctuation do not count; the printed one is kept', (t) => {
    const s = openTestStore(t, BANK);
    const item = s.store.announceItem({ kind: 'parcel', reference: 'PKG-2002' });
    for (const written of ['PKG2002', 'pkg 2002', 'PKG.2002', 'PKG/20-02']) {
      assert.equal(s.store.itemByReference(written)?.id, item.id, written);
    }
    assert.equal(s.store.item(item.id)?.reference, 'PKG-2002');
    assert.throws(
      () => s.store.announceItem({ kind: 'parcel', reference: 'PKG2002' }),
      /still active/,
      'no second parcel under the same reference written differently',
    );
    assert.ok(s.store.markDroppedOff({ reference: 'RET-9', compartment: 'D1', sessionId: 's' }).ok);
    const again = s.store.markDroppedOff({ reference: 'ret9', compartment: 'D1', sessionId: 's' });
    assert.equal(again.ok ? null : again.error, 'duplicate-reference');
  });

  test('drop-offs: one per pickup compartment, many in a drop-off compartment', (t) => {
    const s = openTestStore(t, BANK);
    const first = s.store.markDroppedOff({
      reference: 'RET-1',
      compartment: 'S2',
      sessionId: 's1',
    });
    assert.ok(first.ok);
    assert.equal(first.value.status, 'dropped_off');
    assert.equal(first.value.kind, 'drop-off');
    assert.equal(first.value.compartment, 'S2');
    assert.deepEqual(s.outbox().at(-1), {
      seq: 1,
      type: 'item-dropped-off',
      payload: {
        itemId: first.value.id,
        kind: 'drop-off',
        reference: 'RET-1',
        compartment: 'S2',
        droppedOffAt: T0,
      },
    });
    assert.deepEqual(
      s.store.markDroppedOff({ reference: 'RET-2', compartment: 'S2', sessionId: 's2' }),
      { ok: false, error: 'compartment-occupied' },
    );
    assert.deepEqual(
      s.store.markDroppedOff({ reference: 'RET-1', compartment: 'S3', sessionId: 's2' }),
      { ok: false, error: 'duplicate-reference' },
    );
    assert.deepEqual(
      s.store.markDroppedOff({
        id: first.value.id,
        reference: 'RET-9',
        compartment: 'S3',
        sessionId: 's2',
      }),
      { ok: false, error: 'duplicate-item' },
    );
    for (const reference of ['RET-3', 'RET-4']) {
      assert.ok(s.store.markDroppedOff({ reference, compartment: 'D1', sessionId: 's3' }).ok);
    }
    assert.equal(s.store.itemsInCompartment('D1').length, 2);
    assert.equal(s.store.compartment('D1')?.uses, 2);
    const retrieved = s.store.markRetrieved(first.value.id, 'staff-1');
    assert.ok(retrieved.ok);
    assert.equal(s.outbox().at(-1)?.payload.previousStatus, 'dropped_off');
  });
});

describe('staff', () => {
  test('cards and courier codes find active staff only', (t) => {
    const s = openTestStore(t);
    assert.ok(
      s.store.addStaff({ id: 'staff-1', role: 'staff', card: '04a1b2c3d4e5f6', pin: '1234' }).ok,
    );
    assert.ok(s.store.addStaff({ id: 'courier-1', role: 'courier', code: 'DHL-7781' }).ok);
    assert.equal(s.store.staffByCard('04:A1:B2:C3:D4:E5:F6')?.id, 'staff-1');
    assert.equal(s.store.staffByCard('04A1B2C3D4E5F7'), undefined);
    assert.equal(s.store.staffByCard('not a card'), undefined);
    assert.equal(s.store.staffByCode('dhl 7781')?.role, 'courier');
    assert.equal(s.store.staffByCode('DHL-7782'), undefined);
    assert.deepEqual(s.store.addStaff({ id: 'staff-2', role: 'staff', card: '04A1B2C3D4E5F6' }), {
      ok: false,
      error: 'card-in-use',
    });
    assert.deepEqual(s.store.addStaff({ id: 'courier-2', role: 'courier', code: 'DHL7781' }), {
      ok: false,
      error: 'code-in-use',
    });
    assert.ok(s.store.setStaffActive('staff-1', false, 'supervisor-1').ok);
    assert.equal(s.store.staffByCard('04A1B2C3D4E5F6'), undefined);
    assert.deepEqual(s.store.checkPin('staff-1', '1234'), { ok: false, error: 'wrong-pin' });
    // Re-enrolment with a new card keeps the PIN and reactivates.
    assert.ok(s.store.addStaff({ id: 'staff-1', role: 'supervisor', card: '0A0B0C0D' }).ok);
    assert.equal(s.store.staffByCard('0A0B0C0D')?.role, 'supervisor');
    assert.ok(s.store.checkPin('staff-1', '1234').ok);
  });

  test('five wrong PINs lock for 15 minutes, counted in the row', (t) => {
    const s = openTestStore(t);
    s.store.addStaff({ id: 'staff-1', role: 'staff', pin: '4711' });
    const failedPins = () =>
      (
        s.db.prepare("SELECT failed_pins FROM staff WHERE id = 'staff-1'").get() as {
          failed_pins: number;
        }
      ).failed_pins;
    for (let i = 1; i <= 4; i++) {
      assert.deepEqual(s.store.checkPin('staff-1', '0000'), { ok: false, error: 'wrong-pin' });
      assert.equal(failedPins(), i);
    }
    assert.deepEqual(s.store.checkPin('staff-1', '0000'), { ok: false, error: 'locked' });
    assert.deepEqual(
      s.store.checkPin('staff-1', '4711'),
      { ok: false, error: 'locked' },
      'even the right PIN',
    );
    s.clock.now = T0 + PIN_LOCK_MS - 1;
    assert.deepEqual(s.store.checkPin('staff-1', '4711'), { ok: false, error: 'locked' });
    s.clock.now = T0 + PIN_LOCK_MS;
    const member = s.store.checkPin('staff-1', '4711');
    assert.ok(member.ok);
    assert.equal(member.value.lockedUntil, null);
    // A success resets the count: four more wrong ones do not lock.
    for (let i = 0; i < 4; i++) s.store.checkPin('staff-1', '0000');
    assert.ok(s.store.checkPin('staff-1', '4711').ok);
    assert.equal(failedPins(), 0);
    assert.deepEqual(
      auditEntries(s.db)
        .filter((entry) => entry.action.startsWith('staff-pin'))
        .map((entry) => entry.action),
      [
        ...Array(4).fill('staff-pin-wrong'),
        'staff-pin-locked',
        ...Array(4).fill('staff-pin-wrong'),
      ],
    );
    assert.ok(s.logger.entries.some((entry) => entry.event === 'store.staff-pin-locked'));
  });

  test('unknown staff and staff without a PIN get wrong-pin, and nothing is counted', (t) => {
    const s = openTestStore(t);
    s.store.addStaff({ id: 'card-only', role: 'staff', card: '01020304' });
    const audits = s.auditCount();
    assert.deepEqual(s.store.checkPin('ghost', '1234'), { ok: false, error: 'wrong-pin' });
    assert.deepEqual(s.store.checkPin('card-only', '1234'), { ok: false, error: 'wrong-pin' });
    assert.equal(s.auditCount(), audits);
  });
});

describe('door intents', () => {
  test('intended → sent → opened → closed, with a time for each state', (t) => {
    const s = openTestStore(t, BANK);
    const intent = s.store.createIntent({
      compartment: 'S2',
      purpose: 'pickup',
      itemId: null,
      sessionId: 'sess-1',
    });
    assert.equal(intent.state, 'intended');
    assert.equal(intent.createdAt, T0);
    assert.deepEqual(
      s.store.openIntents().map((i) => i.id),
      [intent.id],
    );
    s.clock.now = T0 + 10;
    assert.equal(s.store.setIntentState(intent.id, 'sent').ok, true);
    s.clock.now = T0 + 20;
    assert.equal(s.store.setIntentState(intent.id, 'opened').ok, true);
    s.clock.now = T0 + 30;
    const closed = s.store.setIntentState(intent.id, 'closed');
    assert.ok(closed.ok);
    assert.deepEqual(
      [closed.value.sentAt, closed.value.openedAt, closed.value.closedAt, closed.value.failedAt],
      [T0 + 10, T0 + 20, T0 + 30, null],
    );
    assert.deepEqual(s.store.openIntents(), []);
    assert.deepEqual(s.store.intent(intent.id), closed.value);
    assert.deepEqual(
      s.store.intentsOfSession('sess-1').map((i) => i.state),
      ['closed'],
    );
  });

  test('invalid transitions are refused; repeating the current state is harmless', (t) => {
    const s = openTestStore(t, BANK);
    const intent = s.store.createIntent({ compartment: 'S2', purpose: 'load', staffId: 'staff-1' });
    assert.deepEqual(s.store.setIntentState(intent.id, 'closed'), {
      ok: false,
      error: 'invalid-transition',
    });
    s.store.setIntentState(intent.id, 'sent');
    const audits = s.auditCount();
    assert.equal(s.store.setIntentState(intent.id, 'sent').ok, true);
    assert.equal(s.auditCount(), audits, 'a repeat writes nothing');
    assert.deepEqual(s.store.setIntentState(intent.id, 'intended'), {
      ok: false,
      error: 'invalid-transition',
    });
    const failed = s.store.setIntentState(intent.id, 'failed', { failure: 'not-confirmed' });
    assert.ok(failed.ok);
    assert.equal(failed.value.failure, 'not-confirmed');
    assert.equal(failed.value.failedAt, T0);
    assert.deepEqual(s.store.setIntentState(intent.id, 'opened'), {
      ok: false,
      error: 'invalid-transition',
    });
    assert.deepEqual(s.store.setIntentState('ghost', 'sent'), {
      ok: false,
      error: 'unknown-intent',
    });
    assert.deepEqual(s.store.openIntents(), []);
  });

  test('door events are recorded once per change and linked to the open intent', (t) => {
    const s = openTestStore(t, BANK);
    const intent = s.store.createIntent({
      compartment: 'S2',
      purpose: 'pickup',
      sessionId: 'sess',
    });
    s.store.setIntentState(intent.id, 'sent');
    assert.equal(s.store.recordDoor('S2', 'open', T0 + 100), true);
    assert.equal(s.store.recordDoor('S2', 'open', T0 + 150), false, 'no change, no event');
    assert.equal(s.store.compartment('S2')?.door, 'open');
    s.store.setIntentState(intent.id, 'opened');
    assert.equal(s.store.recordDoor('S2', 'closed', T0 + 200), true);
    s.store.setIntentState(intent.id, 'closed');
    // A door opening without any intent: recorded and logged as suspicious.
    assert.equal(s.store.recordDoor('S3', 'open', T0 + 300), true);
    const events = s.db
      .prepare('SELECT compartment, type, intent_id, at FROM door_events ORDER BY id')
      .all();
    assert.deepEqual(events, [
      { compartment: 'S2', type: 'open', intent_id: intent.id, at: T0 + 100 },
      { compartment: 'S2', type: 'closed', intent_id: intent.id, at: T0 + 200 },
      { compartment: 'S3', type: 'open', intent_id: null, at: T0 + 300 },
    ]);
    assert.deepEqual(
      s.logger.entries
        .filter((e) => e.event === 'store.door-opened-without-intent')
        .map((e) => e.fields),
      [{ compartment: 'S3' }],
    );
    assert.throws(() => s.store.recordDoor('Z9', 'open', T0), /unknown compartment/);
  });
});

describe('each state change: exactly one audit entry and the right outbox event', () => {
  test('ledger of all state-changing methods', (t) => {
    const s = openTestStore(t, BANK);
    let item = '';
    let drop = '';
    let intent = '';
    const waiting = load(s, 'L1');
    const steps: [string, () => unknown, string[], string[]][] = [
      [
        'setDefective',
        () => s.store.setDefective('M1', 'jammed', 'tech-1'),
        ['compartment-defective'],
        ['compartment-state'],
      ],
      [
        'repair',
        () => s.store.setDefective('M1', null, 'tech-1'),
        ['compartment-repaired'],
        ['compartment-state'],
      ],
      [
        'announceItem',
        () => (item = s.store.announceItem({ kind: 'document', reference: 'L-1', code: 'L1' }).id),
        ['item-announced'],
        [],
      ],
      [
        'markLoaded',
        () => s.store.markLoaded(item, 'S2', 'staff-1'),
        ['item-loaded'],
        ['item-ready'],
      ],
      [
        'createIntent',
        () =>
          (intent = s.store.createIntent({
            compartment: 'S2',
            purpose: 'pickup',
            sessionId: 'x',
          }).id),
        ['intent-created'],
        [],
      ],
      ['intent sent', () => s.store.setIntentState(intent, 'sent'), ['intent-sent'], []],
      ['door open', () => s.store.recordDoor('S2', 'open', s.clock.now), ['door-opened'], []],
      ['intent opened', () => s.store.setIntentState(intent, 'opened'), ['intent-opened'], []],
      [
        'markPickedUp',
        () => s.store.markPickedUp([item], 'x'),
        ['item-picked-up'],
        ['item-picked-up'],
      ],
      ['door closed', () => s.store.recordDoor('S2', 'closed', s.clock.now), ['door-closed'], []],
      ['intent closed', () => s.store.setIntentState(intent, 'closed'), ['intent-closed'], []],
      [
        'markDroppedOff',
        () => {
          const r = s.store.markDroppedOff({ reference: 'R', compartment: 'S3', sessionId: 'y' });
          drop = r.ok ? r.value.id : '';
        },
        ['item-dropped-off'],
        ['item-dropped-off'],
      ],
      [
        'markRetrieved',
        () => s.store.markRetrieved(drop, 'staff-1'),
        ['item-retrieved'],
        ['item-retrieved'],
      ],
      [
        'expireDue (reminder)',
        () => s.store.expireDue(waiting.expiresAt! - DAY_MS),
        ['item-expiring-notified'],
        ['item-expiring'],
      ],
      [
        'expireDue (expired)',
        () => s.store.expireDue(waiting.expiresAt!),
        ['item-expired'],
        ['item-expired'],
      ],
      ['expireDue (nothing due)', () => s.store.expireDue(waiting.expiresAt! + 1), [], []],
      [
        'addStaff',
        () => s.store.addStaff({ id: 'st', role: 'staff', pin: '2468' }),
        ['staff-added'],
        [],
      ],
      ['wrong PIN', () => s.store.checkPin('st', '0000'), ['staff-pin-wrong'], []],
      ['right PIN', () => s.store.checkPin('st', '2468'), [], []],
      [
        'setStaffActive',
        () => s.store.setStaffActive('st', false, 'boss'),
        ['staff-deactivated'],
        [],
      ],
      ['setSetting', () => s.store.setSetting('holding-days', '9'), ['setting-changed'], []],
      ['setSetting unchanged', () => s.store.setSetting('holding-days', '9'), [], []],
      [
        'setSetting unaudited',
        () => s.store.setSetting('sync-cursor', '17', { audit: false }),
        [],
        [],
      ],
      ['failed load', () => s.store.markLoaded('ghost', 'S2', 'staff-1'), [], []],
      ['usage', () => s.store.recordUsage({ sessionId: 'x', type: 'session-start' }), [], []],
      [
        'snapshot',
        () => s.store.saveSnapshot('session', 'session', 1, '{"value":"attract"}'),
        [],
        [],
      ],
      ['code failure', () => s.store.recordCodeFailure(s.clock.now), [], []],
    ];
    for (const [name, run, actions, types] of steps) {
      const auditBefore = auditEntries(s.db).length;
      const outboxBefore = s.outbox().length;
      run();
      s.clock.now += 1000;
      const newActions = auditEntries(s.db)
        .slice(auditBefore)
        .map((entry) => entry.action);
      const newTypes = s
        .outbox()
        .slice(outboxBefore)
        .map((event) => event.type);
      assert.deepEqual(newActions, actions, `${name}: audit`);
      assert.deepEqual(newTypes, types, `${name}: outbox`);
    }
    assert.ok(s.store.verifyAudit().ok);
  });

  test('logs name ids and labels, never codes, references or dates of birth', (t) => {
    const s = openTestStore(t, BANK);
    s.store.addStaff({ id: 'staff-1', role: 'staff', pin: '5555', card: 'DEADBEEF' });
    for (let i = 0; i < 5; i++) s.store.checkPin('staff-1', '1111');
    const item = s.store.announceItem({
      kind: 'id-document',
      reference: 'SECRET-REF-1',
      code: 'SECRETCODE',
      secondFactor: '02.03.1944',
    });
    s.store.markLoaded(item.id, 'S2', 'staff-1');
    s.store.expireDue(T0 + 13 * DAY_MS);
    s.store.markPickedUp([item.id], 'sess');
    s.store.recordDoor('S3', 'open', T0);
    const logged = JSON.stringify(s.logger.entries);
    assert.ok(s.logger.entries.length >= 4, 'something was logged');
    for (const secret of ['SECRET-REF-1', 'SECRETCODE', '1944', '1111', '5555', 'DEADBEEF']) {
      assert.ok(!logged.includes(secret), `log contains ${secret}`);
    }
    const audited = JSON.stringify(auditEntries(s.db));
    for (const secret of ['SECRET-REF-1', 'SECRETCODE', '1944', '1111', '5555', 'DEADBEEF']) {
      assert.ok(!audited.includes(secret), `audit contains ${secret}`);
    }
  });
});

describe('lockout counters, usage, snapshots, settings', () => {
  test('wrong codes are counted in a window, cleared on demand, pruned after a day', (t) => {
    const s = openTestStore(t);
    for (const offset of [0, 1000, 2000, 60_000]) s.store.recordCodeFailure(T0 + offset);
    assert.equal(s.store.codeFailuresSince(T0 + 1000), 3);
    assert.deepEqual(s.store.codeFailureTimes(T0 + 1500), [T0 + 2000, T0 + 60_000]);
    s.store.recordCodeFailure(T0 + DAY_MS + 1500);
    assert.equal(s.store.codeFailuresSince(0), 3, 'the two oldest were pruned');
    s.store.clearCodeFailures();
    assert.equal(s.store.codeFailuresSince(0), 0);
  });

  test('usage events carry the session, the service and data', (t) => {
    const s = openTestStore(t);
    s.store.recordUsage({ sessionId: 'a', type: 'session-start' });
    s.clock.now += 500;
    s.store.recordUsage({
      sessionId: 'a',
      type: 'service-done',
      service: 'document-pickup',
      data: { items: 2 },
    });
    const events = s.store.usageEvents();
    assert.deepEqual(
      events.map(({ sessionId, at, type, service, data }) => ({
        sessionId,
        at,
        type,
        service,
        data,
      })),
      [
        { sessionId: 'a', at: T0, type: 'session-start', service: null, data: {} },
        {
          sessionId: 'a',
          at: T0 + 500,
          type: 'service-done',
          service: 'document-pickup',
          data: { items: 2 },
        },
      ],
    );
    assert.equal(s.store.usageEvents(T0 + 1).length, 1);
  });

  test('flow snapshots are saved, replaced, loaded and deleted', (t) => {
    const s = openTestStore(t);
    assert.equal(s.store.loadSnapshot('session'), undefined);
    s.store.saveSnapshot('session', 'session', 1, '{"value":"menu"}');
    s.store.saveSnapshot('session', 'session', 2, '{"value":"pickup"}');
    assert.deepEqual(s.store.loadSnapshot('session'), {
      machine: 'session',
      version: 2,
      snapshot: '{"value":"pickup"}',
    });
    assert.throws(() => s.store.saveSnapshot('session', 'session', 3, 'not json'), SyntaxError);
    assert.equal(s.store.loadSnapshot('session')?.version, 2);
    s.store.deleteSnapshot('session');
    assert.equal(s.store.loadSnapshot('session'), undefined);
  });

  test('settings: read back, overwritten, audited by key only', (t) => {
    const s = openTestStore(t);
    assert.equal(s.store.setting('site'), undefined);
    s.store.setSetting('site', 'Mendig');
    s.store.setSetting('site', 'Polch');
    assert.equal(s.store.setting('site'), 'Polch');
    const entries = auditEntries(s.db).filter((entry) => entry.action === 'setting-changed');
    assert.equal(entries.length, 2);
    assert.ok(!JSON.stringify(entries).includes('Polch'));
  });

  test('the flows can write their own audit entries and events through the store', (t) => {
    const s = openTestStore(t);
    const seq = s.store.audit({
      actor: 'system',
      action: 'code-entry-locked',
      details: { until: 5 },
    });
    assert.equal(auditEntries(s.db).at(-1)?.seq, seq);
    assert.equal(auditEntries(s.db).at(-1)?.at, T0);
    const first = s.store.enqueue('alarm', { kind: 'door-left-open' }, 'alarm-1');
    assert.equal(s.store.enqueue('alarm', { kind: 'door-left-open' }, 'alarm-1'), first);
    assert.equal(s.store.outboxLength(), 1);
    assert.deepEqual(
      s.store.pendingOutbox(T0, 10).map((event) => event.seq),
      [first],
    );
    s.clock.now = T0 + 1;
    assert.ok((s.store.markOutboxFailed(first, 'offline') ?? 0) > T0 + 1);
    assert.deepEqual(s.store.pendingOutbox(T0 + 1, 10), []);
    assert.equal(s.store.markOutboxSent([first]), 1);
    assert.equal(s.store.outboxLength(), 0);
  });
});
