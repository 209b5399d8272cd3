/**
 * The staff flow through the real kiosk core: real SQLite, the board simulator over a pty,
 * a simulated clock. Each test asserts what the staff member sees, what the store holds and
 * what the lock boards were told.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { usagePayloadSchemas } from '@amtomat/admin-sync/protocol';
import type { View } from '../core/views.ts';
import { DAY_MS } from '../store/store.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { FOUR_EYES_SETTING, maskReference } from './staff.flow.ts';
import {
  audited,
  auditRows,
  emptyAndClose,
  enrol,
  lockOf,
  logIn,
  openMaintenance,
  outboxOf,
  PEOPLE,
  placeAndClose,
  scan,
  startLoading,
  tap,
  UNKNOWN_CARD,
  unlocks,
  waitForView,
} from './staff.test-support.ts';

let kiosk: KioskFixture;

const doorOf = (view: View) =>
  view.props.door as {
    compartment: string;
    purpose: string;
    reason: string | null;
    remaining: number;
  } | null;
const loadOf = (view: View) =>
  view.props.load as { created: boolean; fourEyes: boolean; compartment: string | null } | null;

beforeEach(async () => {
  kiosk = await startKiosk();
  enrol(kiosk);
});
afterEach(async () => {
  await kiosk.close();
});

function expire(reference: string, compartment: string) {
  const item = kiosk.store.announceItem({ kind: 'document', reference, code: '774411' });
  assert.ok(kiosk.store.markLoaded(item.id, compartment, 'staff-old').ok);
  kiosk.sim.setItem(0, lockOf(compartment), true);
  return item;
}

describe('staff log-in: card, then PIN', () => {
  test('a staff card and the right PIN open the staff menu; card and PIN show nowhere', async () => {
    await kiosk.waitForScreen('attract');
    tap(kiosk, PEOPLE.staff.card);
    const pin = await kiosk.waitForScreen('staff.pin');
    assert.equal(pin.props.entered, 0);
    kiosk.type(PEOPLE.staff.pin);
    assert.equal(kiosk.core.view().props.entered, 4, 'the PIN shows as its length');
    const snapshot = kiosk.store.loadSnapshot('session')!.snapshot;
    kiosk.press({ type: 'SUBMIT' });
    const menu = await kiosk.waitForScreen('staff.menu');
    assert.equal(menu.props.role, 'staff');
    assert.deepEqual(menu.props.tasks, ['load', 'retrieve']);

    const seen = JSON.stringify(kiosk.views);
    assert.ok(!seen.includes(PEOPLE.staff.card), 'no view carries the card number');
    assert.ok(!seen.includes(PEOPLE.staff.pin), 'no view carries the PIN');
    assert.ok(!snapshot.includes(PEOPLE.staff.pin), 'the typed PIN is not persisted');
    assert.ok(!snapshot.includes(PEOPLE.staff.card), 'the card number is not persisted');
    assert.ok(!kiosk.store.loadSnapshot('session')!.snapshot.includes(PEOPLE.staff.card));
    const login = audited(kiosk, 'staff-login');
    assert.equal(login.length, 1);
    assert.equal(login[0]!.actor, PEOPLE.staff.id);
    assert.ok(!JSON.stringify(auditRows(kiosk)).includes(PEOPLE.staff.card));
  });

  test('an unknown card is refused before any PIN is asked; a courier card logs the courier in', async () => {
    await kiosk.waitForScreen('attract');
    tap(kiosk, UNKNOWN_CARD);
    const unknown = await kiosk.waitForScreen('staff.unknown-card');
    assert.equal(unknown.props.refusal, 'unknown-card');
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('attract');

    tap(kiosk, PEOPLE.courier.card);
    await kiosk.waitForScreen('courier.scan');
    assert.ok(
      !kiosk.views.some(
        (view) => view.screen === 'staff.unknown-card' && view.props.refusal !== 'unknown-card',
      ),
      'no "card not recognised" for a courier',
    );
    assert.ok(!kiosk.views.some((view) => view.screen === 'staff.pin'), 'no PIN for couriers');
    const login = audited(kiosk, 'courier-login');
    assert.deepEqual(
      login.map((row) => [row.actor, row.details.method]),
      [[PEOPLE.courier.id, 'card']],
    );
    const saved = kiosk.store.loadSnapshot('session')?.snapshot ?? '';
    assert.ok(!saved.includes(PEOPLE.courier.card), 'no card number kept');
    kiosk.press({ type: 'FINISH' });
    await kiosk.waitForScreen('attract');

    const refused = audited(kiosk, 'staff-card-refused');
    assert.deepEqual(
      refused.map((row) => row.details.reason),
      ['unknown-card'],
    );
    assert.ok(!JSON.stringify(refused).includes(UNKNOWN_CARD), 'the audit has no card number');
    assert.equal(audited(kiosk, 'staff-login').length, 0);
    assert.ok(!kiosk.views.some((view) => view.screen === 'survey'), 'staff are not surveyed');
  });

  test('a wrong PIN says so; the fifth locks the card, even for the right PIN', async () => {
    await kiosk.waitForScreen('attract');
    tap(kiosk, PEOPLE.staff.card);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await kiosk.waitForScreen('staff.pin');
      kiosk.type('0000');
      kiosk.press({ type: 'SUBMIT' });
      const view = await waitForView(kiosk, 'staff.pin', (v) => v.props.error === 'wrong-pin');
      assert.equal(view.props.entered, 0, 'the wrong PIN is cleared');
    }
    kiosk.type('0000');
    kiosk.press({ type: 'SUBMIT' });
    const locked = await kiosk.waitForScreen('staff.locked');
    assert.equal(locked.props.lockedUntil, kiosk.clock.now() + 15 * 60_000);
    assert.equal(audited(kiosk, 'staff-pin-wrong').length, 4);
    assert.equal(audited(kiosk, 'staff-pin-locked').length, 1);
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('attract');

    // The right PIN does not help now: the card is refused at once.
    tap(kiosk, PEOPLE.staff.card);
    await kiosk.waitForScreen('staff.locked');
    kiosk.press({ type: 'CANCEL' });
    await kiosk.waitForScreen('attract');
    // After the lock the right PIN works.
    kiosk.clock.advance(15 * 60_000 + 1);
    await logIn(kiosk, PEOPLE.staff);
  });

  test('roles: a technician maintains but cannot load; staff cannot open doors at will', async () => {
    const technician = await logIn(kiosk, PEOPLE.technician);
    assert.deepEqual(technician.props.tasks, ['maintenance']);
    kiosk.press({ type: 'START_LOADING' });
    kiosk.press({ type: 'START_RETRIEVAL' });
    assert.equal(kiosk.core.view().screen, 'staff.menu', 'loading and retrieval stay closed');
    kiosk.press({ type: 'START_MAINTENANCE' });
    await kiosk.waitForScreen('staff.maintenance');
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('staff.menu');
    kiosk.press({ type: 'LOGOUT' });
    await kiosk.waitForScreen('attract');

    await logIn(kiosk, PEOPLE.staff);
    kiosk.press({ type: 'START_MAINTENANCE' });
    assert.equal(kiosk.core.view().screen, 'staff.menu');
    assert.equal(unlocks(kiosk), 0);
  });

  test('log-out goes straight home (no survey) and is audited; the visit is a usage record', async () => {
    const menu = await logIn(kiosk, PEOPLE.supervisor);
    // One way out of the menu: "Abmelden"; no "Abbrechen" beside it that does the same.
    assert.ok(menu.allowed.includes('LOGOUT'));
    assert.ok(!menu.allowed.includes('CANCEL'));
    assert.equal(kiosk.core.send({ type: 'CANCEL' }).ok, false, 'refused');
    assert.equal(kiosk.core.view().screen, 'staff.menu');
    kiosk.clock.advance(5000);
    kiosk.press({ type: 'LOGOUT' });
    await kiosk.waitForScreen('attract');
    assert.ok(!kiosk.views.some((view) => view.screen === 'survey'));
    const logout = audited(kiosk, 'staff-logout');
    assert.deepEqual(
      logout.map((row) => row.actor),
      [PEOPLE.supervisor.id],
    );
    const ended = kiosk.store.usageEvents().filter((event) => event.type === 'session-ended');
    assert.equal(ended.length, 1);
    assert.equal(ended[0]!.service, 'staff');
    assert.equal(ended[0]!.data.outcome, 'completed');
    assert.equal(ended[0]!.data.durationMs, 5000);
    assert.ok(!JSON.stringify(kiosk.store.usageEvents()).includes(PEOPLE.supervisor.id));
  });
});

describe('staff session timer', () => {
  /** Time passes as in the terminal: one tick a second. */
  function idle(ms: number) {
    for (let passed = 0; passed < ms; passed += 1000) {
      kiosk.clock.advance(Math.min(1000, ms - passed));
      kiosk.core.tick();
    }
  }

  test('staff screens run on the staff timer (120 s), not the citizen one (90 s)', async () => {
    await logIn(kiosk);
    const since = kiosk.clock.now();
    idle(95_000);
    assert.equal(kiosk.core.view().screen, 'staff.menu', 'the citizen timeout does not apply');
    assert.equal(kiosk.core.view().session.warning, null);
    idle(5_000);
    const warned = kiosk.core.view();
    assert.ok(warned.session.warning, 'warned 20 s before the staff timeout');
    assert.equal(warned.session.warning.endsAt, since + 120_000);
    kiosk.press({ type: 'EXTEND' });
    idle(119_000);
    assert.equal(kiosk.core.view().screen, 'staff.menu', 'extended');
    idle(1_000);
    await kiosk.waitForScreen('attract');
    const ended = kiosk.store.usageEvents().find((event) => event.type === 'session-ended');
    assert.equal(ended?.data.outcome, 'timed-out');
    assert.equal(ended?.service, 'staff');
    // A new card is needed: the next tap asks for the PIN again.
    tap(kiosk, PEOPLE.staff.card);
    await kiosk.waitForScreen('staff.pin');
  });

  test("the timer is configurable (staffTimeoutMs) and a tick is nobody's activity", async () => {
    await kiosk.close();
    kiosk = await startKiosk({ timers: { staffTimeoutMs: 30_000 } });
    enrol(kiosk);
    await logIn(kiosk);
    idle(29_000);
    assert.equal(kiosk.core.view().screen, 'staff.menu');
    idle(1_000);
    await kiosk.waitForScreen('attract');
    // The same holds for a citizen flow on the citizen timer.
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    idle(89_000);
    assert.equal(kiosk.core.view().screen, 'pickup.code');
    idle(1_000);
    await kiosk.waitForScreen('attract');
  });

  test('a staff session never ends while its door stands open', async () => {
    kiosk.store.announceItem({ kind: 'document', reference: 'BB-OPEN', size: 'S' });
    await logIn(kiosk);
    kiosk.press({ type: 'START_LOADING' });
    scan(kiosk, 'BB-OPEN');
    await kiosk.waitForScreen('staff.door-open');
    idle(600_000);
    assert.equal(kiosk.core.view().screen, 'staff.door-open');
    await placeAndClose(kiosk, 'A1');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    idle(120_000);
    await kiosk.waitForScreen('attract');
  });

  test('a staff card tapped during a citizen flow does nothing', async () => {
    await kiosk.close();
    kiosk = await startKiosk({ oneClock: true });
    enrol(kiosk);
    await kiosk.waitForScreen('attract');
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    await kiosk.waitForScreen('pickup.code');
    tap(kiosk, PEOPLE.staff.card);
    await kiosk.run(1000); // the card has been read and handled
    assert.equal(kiosk.core.view().screen, 'pickup.code');
  });
});

describe('loading', () => {
  test('an announced document: scan, door opens on the chosen compartment, close, item ready', async () => {
    const item = kiosk.store.announceItem({
      kind: 'document',
      reference: 'BB-2026-0815',
      recipientRef: 'R-77',
      code: '305511',
      size: 'M',
    });
    await logIn(kiosk);
    await startLoading(kiosk);
    const scannedAt = kiosk.clock.now();
    scan(kiosk, 'BB-2026-0815');
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.deepEqual(
      { compartment: doorOf(open)?.compartment, purpose: doorOf(open)?.purpose },
      { compartment: 'A2', purpose: 'load' },
      'size M, not accessible: the first M compartment',
    );
    assert.equal(kiosk.sim.door(0, 2).open, true);
    assert.equal(kiosk.store.item(item.id)?.status, 'announced', 'not loaded before the close');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 0);

    kiosk.clock.advance(42_000);
    await placeAndClose(kiosk, 'A2');
    const next = await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.deepEqual(next.props.lastLoad, { compartment: 'A2', outcome: 'loaded' });

    const loaded = kiosk.store.item(item.id);
    assert.equal(loaded?.status, 'loaded');
    assert.equal(loaded?.compartment, 'A2');
    assert.equal(loaded?.loadedBy, PEOPLE.staff.id);
    const ready = outboxOf(kiosk, 'item-ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0]!.payload.recipientRef, 'R-77');
    assert.equal(audited(kiosk, 'item-loaded')[0]?.actor, PEOPLE.staff.id);
    const intents = audited(kiosk, 'intent-created');
    assert.equal(intents.at(-1)?.actor, PEOPLE.staff.id, 'the door intent names the staff id');

    const usage = kiosk.store.usageEvents().filter((event) => event.type === 'staff-load');
    assert.equal(usage.length, 1);
    assert.equal(usage[0]!.data.durationMs, kiosk.clock.now() - scannedAt);
    assert.equal(usage[0]!.data.kind, 'document');
    assert.ok(!JSON.stringify(usage).includes(PEOPLE.staff.id), 'no staff id in usage');
    assert.ok(!JSON.stringify(kiosk.views).includes('BB-2026-0815'), 'no reference in views');
    assert.equal(unlocks(kiosk), 1);
  });

  test('a typed reference of an item nobody announced: staff describe it, it is created', async () => {
    await logIn(kiosk);
    await startLoading(kiosk);
    kiosk.type('OBJ-4711');
    assert.equal(kiosk.core.view().props.typed, '••••4711');
    kiosk.press({ type: 'SUBMIT' });
    const describe = await kiosk.waitForScreen('staff.load.describe');
    assert.equal(loadOf(describe)?.created, true);
    kiosk.press({ type: 'CONFIRM' });
    assert.equal(kiosk.core.view().props.error, 'describe-item', 'kind and size are needed');
    kiosk.press({ type: 'CHOOSE_KIND', kind: 'object' });
    kiosk.press({ type: 'CHOOSE_SIZE', size: 'L' });
    kiosk.press({ type: 'CONFIRM' });
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open)?.compartment, 'A4', 'the only L compartment');
    const created = kiosk.store.itemByReference('OBJ-4711');
    assert.ok(created);
    assert.equal(created.kind, 'object');
    assert.equal(created.size, 'L');
    assert.equal(created.status, 'announced');
    assert.equal(audited(kiosk, 'item-created')[0]?.actor, PEOPLE.staff.id);

    await placeAndClose(kiosk, 'A4');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(created.id)?.status, 'loaded');
    const ready = outboxOf(kiosk, 'item-ready');
    assert.equal(ready.length, 1, 'the backend issues the code on item-ready');
    assert.equal(ready[0]!.payload.reference, 'OBJ-4711');
    const usage = kiosk.store.usageEvents().find((event) => event.type === 'staff-load');
    assert.equal(usage?.data.created, true);
  });

  test('a door shut without the item: not loaded, nothing sent, the item waits', async () => {
    const item = kiosk.store.announceItem({ kind: 'document', reference: 'BB-1', size: 'S' });
    await logIn(kiosk);
    await startLoading(kiosk);
    scan(kiosk, 'BB-1');
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open)?.compartment, 'A1');
    kiosk.sim.closeDoor(0, 1);
    const after = await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.deepEqual(after.props.lastLoad, { compartment: 'A1', outcome: 'not-detected' });
    assert.equal(kiosk.store.item(item.id)?.status, 'announced');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 0);
    assert.equal(kiosk.store.usageEvents().filter((e) => e.type === 'staff-load').length, 0);
  });

  test('no compartment free: a clear screen, nothing created, no door', async () => {
    for (const label of ['A1', 'A2', 'A3', 'A4']) {
      kiosk.store.setDefective(label, 'lock', 'system');
    }
    await logIn(kiosk);
    await startLoading(kiosk);
    scan(kiosk, 'NEW-0001');
    await kiosk.waitForScreen('staff.load.describe');
    kiosk.press({ type: 'CHOOSE_KIND', kind: 'document' });
    kiosk.press({ type: 'CHOOSE_SIZE', size: 'S' });
    kiosk.press({ type: 'CONFIRM' });
    const full = await kiosk.waitForScreen('staff.load.no-compartment');
    assert.equal(full.props.noCompartmentSize, 'S');
    assert.equal(kiosk.store.itemByReference('NEW-0001'), undefined, 'nothing created');
    assert.equal(unlocks(kiosk), 0);
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('staff.load.scan');
  });

  test('an item that is already in a compartment cannot be loaded again', async () => {
    const item = kiosk.store.announceItem({ kind: 'document', reference: 'BB-9', size: 'S' });
    kiosk.store.markLoaded(item.id, 'A1', 'staff-old');
    await logIn(kiosk);
    await startLoading(kiosk);
    scan(kiosk, 'BB-9');
    const refused = await waitForView(
      kiosk,
      'staff.load.scan',
      (v) => v.props.error === 'item-not-loadable',
    );
    assert.equal(refused.props.errorDetail, 'loaded');
    assert.equal(unlocks(kiosk), 0);
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1, 'only the original load');
  });

  test('four-eyes for ID documents: a second, different card and its PIN before the door', async () => {
    kiosk.store.setSetting(FOUR_EYES_SETTING, 'true');
    const idCard = kiosk.store.announceItem({ kind: 'id-document', reference: 'PA-1', size: 'S' });
    await logIn(kiosk);
    await startLoading(kiosk);
    scan(kiosk, 'PA-1');
    const second = await kiosk.waitForScreen('staff.load.second-card');
    assert.equal(loadOf(second)?.fourEyes, true);
    assert.equal(unlocks(kiosk), 0, 'no door before the second person');

    tap(kiosk, PEOPLE.staff.card);
    await waitForView(kiosk, 'staff.load.second-card', (v) => v.props.error === 'same-person');
    tap(kiosk, PEOPLE.technician.card);
    await waitForView(kiosk, 'staff.load.second-card', (v) => v.props.error === 'not-allowed');
    tap(kiosk, UNKNOWN_CARD);
    await waitForView(kiosk, 'staff.load.second-card', (v) => v.props.error === 'unknown-card');
    tap(kiosk, PEOPLE.colleague.card);
    await kiosk.waitForScreen('staff.load.second-pin');
    kiosk.type('0000');
    kiosk.press({ type: 'SUBMIT' });
    await waitForView(kiosk, 'staff.load.second-pin', (v) => v.props.error === 'wrong-pin');
    assert.equal(unlocks(kiosk), 0);
    kiosk.type(PEOPLE.colleague.pin);
    kiosk.press({ type: 'SUBMIT' });
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open)?.compartment, 'A1');
    await placeAndClose(kiosk, 'A1');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);

    assert.equal(kiosk.store.item(idCard.id)?.status, 'loaded');
    assert.equal(kiosk.store.item(idCard.id)?.loadedBy, PEOPLE.staff.id);
    const confirmed = audited(kiosk, 'load-four-eyes-confirmed');
    assert.equal(confirmed.length, 1);
    assert.equal(confirmed[0]!.actor, PEOPLE.colleague.id);
    assert.equal(confirmed[0]!.subject, idCard.id);
    assert.equal(audited(kiosk, 'staff-pin-wrong')[0]?.subject, PEOPLE.colleague.id);

    // A plain document needs no second card.
    kiosk.store.announceItem({ kind: 'document', reference: 'BB-2', size: 'S' });
    scan(kiosk, 'BB-2');
    const plain = await kiosk.waitForScreen('staff.door-open');
    assert.equal(loadOf(plain)?.fourEyes, false);
  });

  test('without the four-eyes setting an ID document loads with one card', async () => {
    kiosk.store.announceItem({ kind: 'id-document', reference: 'PA-2', size: 'S' });
    await logIn(kiosk);
    await startLoading(kiosk);
    scan(kiosk, 'PA-2');
    await kiosk.waitForScreen('staff.door-open');
  });
});

describe('retrieval of expired items', () => {
  test('list (references masked), open one by one, confirm each taken out', async () => {
    const first = expire('BB-OLD-000123', 'A2');
    const second = expire('BB-OLD-000456', 'A3');
    const third = expire('BB-OLD-000789', 'A1');
    kiosk.clock.advance(15 * DAY_MS);
    kiosk.core.tick(); // expiry runs with the tick
    assert.equal(kiosk.store.item(first.id)?.status, 'expired');
    await logIn(kiosk);
    kiosk.press({ type: 'START_RETRIEVAL' });
    const list = await kiosk.waitForScreen('staff.retrieve.list');
    const items = list.props.expired as { id: string; reference: string; compartment: string }[];
    assert.deepEqual(
      items.map((item) => item.compartment),
      ['A1', 'A2', 'A3'],
    );
    assert.equal(items[1]!.reference, maskReference('BB-OLD-000123'));
    assert.ok(!JSON.stringify(kiosk.views).includes('BB-OLD-000123'));

    kiosk.press({ type: 'RETRIEVE', itemId: first.id });
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open)?.compartment, 'A2');
    assert.equal(kiosk.store.item(first.id)?.status, 'retrieved', 'retrieved when the door opens');
    await emptyAndClose(kiosk, 'A2');
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.press({ type: 'CONFIRM_TAKEN' });
    const rest = await waitForView(
      kiosk,
      'staff.retrieve.list',
      (v) => (v.props.expired as unknown[]).length === 2,
    );
    assert.equal((rest.props.lastDoor as { outcome: string }).outcome, 'retrieved');

    kiosk.press({ type: 'RETRIEVE_ALL' });
    await waitForView(kiosk, 'staff.door-open', (v) => doorOf(v)?.compartment === 'A1');
    kiosk.press({ type: 'CONFIRM_TAKEN' }); // taken out while the door is open
    await emptyAndClose(kiosk, 'A1');
    const last = await waitForView(
      kiosk,
      'staff.door-open',
      (v) => doorOf(v)?.compartment === 'A3',
    );
    assert.equal(doorOf(last)?.remaining, 0);
    await emptyAndClose(kiosk, 'A3');
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.press({ type: 'CONFIRM_TAKEN' });
    await waitForView(
      kiosk,
      'staff.retrieve.list',
      (v) => (v.props.expired as unknown[]).length === 0,
    );

    for (const item of [first, second, third]) {
      assert.equal(kiosk.store.item(item.id)?.status, 'retrieved');
    }
    assert.equal(outboxOf(kiosk, 'item-retrieved').length, 3);
    assert.equal(unlocks(kiosk), 3);
    const confirmations = audited(kiosk, 'retrieval-confirmed');
    assert.equal(confirmations.length, 3);
    assert.ok(confirmations.every((row) => row.actor === PEOPLE.staff.id));
    assert.ok(audited(kiosk, 'item-retrieved').every((row) => row.actor === PEOPLE.staff.id));
  });

  test('a retrieval round is one usage event in the outbox: its time and items taken out, no staff id', async () => {
    expire('BB-OLD-000123', 'A2');
    expire('BB-OLD-000456', 'A3');
    kiosk.clock.advance(15 * DAY_MS);
    kiosk.core.tick();
    await logIn(kiosk);
    // A look at the list that opens no door is no round.
    kiosk.press({ type: 'START_RETRIEVAL' });
    await kiosk.waitForScreen('staff.retrieve.list');
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('staff.menu');

    const startedAt = kiosk.clock.now();
    kiosk.press({ type: 'START_RETRIEVAL' });
    await waitForView(
      kiosk,
      'staff.retrieve.list',
      (v) => (v.props.expired as unknown[]).length === 2,
    );
    kiosk.clock.advance(20_000);
    kiosk.press({ type: 'RETRIEVE_ALL' });
    await waitForView(kiosk, 'staff.door-open', (v) => doorOf(v)?.compartment === 'A2');
    kiosk.clock.advance(30_000);
    await emptyAndClose(kiosk, 'A2');
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.press({ type: 'CONFIRM_TAKEN' });
    await waitForView(kiosk, 'staff.door-open', (v) => doorOf(v)?.compartment === 'A3');
    kiosk.clock.advance(30_000);
    await emptyAndClose(kiosk, 'A3');
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.press({ type: 'NOT_TAKEN' }); // still inside: no item of this round
    await kiosk.waitForScreen('staff.retrieve.list');
    kiosk.clock.advance(10_000);
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('staff.menu');

    // 20 + 30 + 30 + 10 s from the start to the way back; 1 item taken out of 2 doors.
    const rounds = outboxOf(kiosk, 'usage-staff').filter((e) => e.payload.task === 'retrieve');
    assert.deepEqual(
      rounds.map((e) => e.payload),
      [{ task: 'retrieve', itemKind: null, items: 1, durationMs: 90_000, at: startedAt + 90_000 }],
    );
    // The fleet's strict schema takes it (the one usage.test.ts walks for personal fields).
    assert.ok(usagePayloadSchemas['usage-staff'].safeParse(rounds[0]!.payload).success);
    assert.ok(!JSON.stringify(kiosk.store.usageEvents()).includes(PEOPLE.staff.id));
    assert.ok(!JSON.stringify(rounds).includes(PEOPLE.staff.id));
  });

  test('a round cut off by the staff timeout counts up to the last thing staff did', async () => {
    const item = expire('BB-OLD-000123', 'A2');
    kiosk.clock.advance(15 * DAY_MS);
    kiosk.core.tick();
    await logIn(kiosk);
    const startedAt = kiosk.clock.now();
    kiosk.press({ type: 'START_RETRIEVAL' });
    await kiosk.waitForScreen('staff.retrieve.list');
    kiosk.clock.advance(20_000);
    kiosk.press({ type: 'RETRIEVE', itemId: item.id });
    await kiosk.waitForScreen('staff.door-open');
    await emptyAndClose(kiosk, 'A2');
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.clock.advance(10_000);
    kiosk.press({ type: 'CONFIRM_TAKEN' });
    await kiosk.waitForScreen('staff.retrieve.list');
    // Staff walk away from the list: the session ends after the staff timeout (120 s).
    kiosk.clock.advance(130_000);
    kiosk.core.tick();
    await kiosk.waitForScreen('attract');

    const rounds = outboxOf(kiosk, 'usage-staff').filter((e) => e.payload.task === 'retrieve');
    assert.equal(rounds.length, 1);
    // From the start to the confirmation (20 + 10 s), not to the timeout.
    assert.deepEqual(
      { items: rounds[0]!.payload.items, durationMs: rounds[0]!.payload.durationMs },
      { items: 1, durationMs: 30_000 },
    );
    assert.equal(rounds[0]!.payload.at, startedAt + 160_000, 'recorded when the session ended');
  });

  test('"not taken out": the compartment is blocked until someone has looked', async () => {
    const item = expire('BB-OLD-1', 'A3');
    kiosk.clock.advance(15 * DAY_MS);
    kiosk.core.tick();
    await logIn(kiosk);
    kiosk.press({ type: 'START_RETRIEVAL' });
    await kiosk.waitForScreen('staff.retrieve.list');
    kiosk.press({ type: 'RETRIEVE', itemId: item.id });
    await kiosk.waitForScreen('staff.door-open');
    kiosk.sim.closeDoor(0, 3);
    await kiosk.waitForScreen('staff.retrieve.confirm');
    kiosk.press({ type: 'NOT_TAKEN' });
    const list = await kiosk.waitForScreen('staff.retrieve.list');
    assert.equal((list.props.lastDoor as { outcome: string }).outcome, 'not-taken');
    const compartment = kiosk.store.compartment('A3');
    assert.equal(compartment?.defective, true);
    assert.equal(compartment?.defectReason, 'check-contents');
    assert.equal(audited(kiosk, 'retrieval-not-taken')[0]?.actor, PEOPLE.staff.id);
    assert.equal(audited(kiosk, 'compartment-defective')[0]?.actor, PEOPLE.staff.id);
  });
});

describe('maintenance', () => {
  test('open any door with a reason; the reason and the staff id are audited', async () => {
    const item = expire('BB-KEEP', 'A3');
    await logIn(kiosk, PEOPLE.supervisor);
    await openMaintenance(kiosk);
    kiosk.press({ type: 'OPEN_DOOR', compartment: 'A3', reason: 'item-stuck' });
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.deepEqual(
      { purpose: doorOf(open)?.purpose, reason: doorOf(open)?.reason },
      { purpose: 'maintenance', reason: 'item-stuck' },
    );
    kiosk.sim.closeDoor(0, 3);
    const back = await waitForView(kiosk, 'staff.maintenance', (v) => v.props.lastDoor !== null);
    assert.deepEqual(back.props.lastDoor, {
      compartment: 'A3',
      purpose: 'maintenance',
      outcome: 'closed',
      reason: null,
    });
    const opened = audited(kiosk, 'maintenance-door-open');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.actor, PEOPLE.supervisor.id);
    assert.equal(opened[0]!.subject, 'A3');
    assert.equal(opened[0]!.details.reason, 'item-stuck');
    assert.equal(
      kiosk.store.item(item.id)?.status,
      'loaded',
      'a maintenance opening changes no item',
    );
    assert.equal(unlocks(kiosk), 1);
  });

  test('mark a compartment defective and repaired: loading skips it meanwhile', async () => {
    await logIn(kiosk, PEOPLE.supervisor);
    await openMaintenance(kiosk);
    kiosk.press({ type: 'SET_DEFECTIVE', compartment: 'A1', reason: 'lock' });
    const marked = await waitForView(kiosk, 'staff.maintenance', (v) =>
      (v.props.compartments as { label: string; defective: boolean }[]).some(
        (c) => c.label === 'A1' && c.defective,
      ),
    );
    assert.ok(marked);
    assert.equal(kiosk.store.compartment('A1')?.defectReason, 'lock');
    assert.equal(
      kiosk.store.chooseCompartment({ size: 'S', needsAccessible: true })?.label,
      'A2',
      'the defective one is not chosen',
    );
    kiosk.press({ type: 'SET_REPAIRED', compartment: 'A1' });
    await waitForView(kiosk, 'staff.maintenance', (v) =>
      (v.props.compartments as { label: string; defective: boolean }[]).every((c) => !c.defective),
    );
    assert.equal(kiosk.store.compartment('A1')?.defective, false);
    assert.deepEqual(
      auditRows(kiosk)
        .filter((row) => row.action.startsWith('compartment-'))
        .map((row) => [row.action, row.actor]),
      [
        ['compartment-defective', PEOPLE.supervisor.id],
        ['compartment-repaired', PEOPLE.supervisor.id],
      ],
    );
    assert.equal(outboxOf(kiosk, 'compartment-state').length, 2);
    // Unknown compartments are not for the UI to invent.
    kiosk.press({ type: 'SET_DEFECTIVE', compartment: 'Z9', reason: 'lock' });
    assert.equal(kiosk.store.compartment('Z9'), undefined);
  });

  test('door test: the door opens and is closed again; the result is audited', async () => {
    await logIn(kiosk, PEOPLE.technician);
    await openMaintenance(kiosk);
    kiosk.press({ type: 'DOOR_TEST', compartment: 'A4' });
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open)?.purpose, 'door-test');
    assert.equal(kiosk.sim.door(0, 4).open, true);
    kiosk.sim.closeDoor(0, 4);
    const back = await waitForView(kiosk, 'staff.maintenance', (v) => v.props.lastDoor !== null);
    assert.equal((back.props.lastDoor as { outcome: string }).outcome, 'passed');
    const test = audited(kiosk, 'door-test');
    assert.equal(test.length, 1);
    assert.equal(test[0]!.actor, PEOPLE.technician.id);
    assert.equal(test[0]!.details.result, 'passed');
    assert.equal(kiosk.store.openIntents().length, 0);
  });
});
