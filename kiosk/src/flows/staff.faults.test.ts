/**
 * Hardware faults while staff load, retrieve or test doors: a jammed lock, a silent board,
 * a door left open, a door forced open, the USB adapter pulled. Each test asserts what the
 * staff member sees (screen + props), what the store holds (item status, outbox, audit) and
 * that no door is unlocked a second time on its own.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { View } from '../core/views.ts';
import { DAY_MS } from '../store/store.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import {
  audited,
  enrol,
  lockOf,
  logIn,
  openMaintenance,
  outboxOf,
  PEOPLE,
  placeAndClose,
  scan,
  startLoading,
  waitForView,
} from './staff.test-support.ts';

let kiosk: KioskFixture;

afterEach(async () => {
  await kiosk.close();
});

/** Faults on one clock: what must not happen is checked over simulated time, not a sleep. */
async function start(options: Parameters<typeof startKiosk>[0] = {}) {
  kiosk = await startKiosk({ ...options, oneClock: true });
  enrol(kiosk);
}

const lastDoor = (view: View) =>
  view.props.lastDoor as { compartment: string; purpose: string; outcome: string; reason: string };
const doorOf = (view: View) =>
  view.props.door as { compartment: string; purpose: string; openedAt: number | null };
const unlocksOf = (label: string) =>
  kiosk.sim.received.filter(
    (received) =>
      received.command.kind === 'unlock' &&
      'lock' in received.command &&
      received.command.lock === lockOf(label),
  ).length;

/** Logged in, on the loading screen, an announced M document scanned. */
async function scanDocument(reference = 'BB-FAULT', size: 'S' | 'M' = 'M') {
  const item = kiosk.store.announceItem({ kind: 'document', reference, size });
  if (kiosk.core.view().screen !== 'staff.load.scan') {
    await logIn(kiosk);
    await startLoading(kiosk);
  }
  scan(kiosk, reference);
  return item;
}

describe('staff loading under hardware faults', () => {
  test('jammed lock: staff see the failure, the item waits, an alarm goes out; they mark the compartment defective and the next load goes elsewhere', async () => {
    await start();
    kiosk.sim.jam(0, lockOf('A2'));
    const item = await scanDocument();
    const failed = await kiosk.waitForScreen('staff.door-failed');
    assert.deepEqual(lastDoor(failed), {
      compartment: 'A2',
      purpose: 'load',
      outcome: 'failed',
      reason: 'jammed',
    });
    assert.equal(kiosk.store.item(item.id)?.status, 'announced');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 0);
    assert.deepEqual(
      outboxOf(kiosk, 'alarm').map((event) => event.payload),
      [{ kind: 'door-jammed', compartment: 'A2' }],
    );
    assert.equal(audited(kiosk, 'door-failed')[0]?.actor, PEOPLE.staff.id);
    assert.equal(unlocksOf('A2'), 1, 'one unlock, no automatic second one');

    kiosk.press({ type: 'MARK_DEFECTIVE' });
    await kiosk.until('defective', () => kiosk.store.compartment('A2')?.defective === true);
    assert.equal(kiosk.store.compartment('A2')?.defectReason, 'door-jammed');
    kiosk.press({ type: 'MARK_DEFECTIVE' }); // once is enough
    kiosk.press({ type: 'CONTINUE' });
    await kiosk.waitForScreen('staff.load.scan');
    scan(kiosk, 'BB-FAULT');
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open).compartment, 'A3');
    await placeAndClose(kiosk, 'A3');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(item.id)?.compartment, 'A3');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1);
    assert.equal(unlocksOf('A2'), 1, 'the jammed door was not tried again');
    assert.equal(audited(kiosk, 'compartment-defective').length, 1);
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('silent board: the door cannot be confirmed, staff are told, nothing is loaded', async () => {
    await start();
    kiosk.sim.faults.silentBoards.add(0);
    const item = await scanDocument();
    const failed = await kiosk.waitForScreen('staff.door-failed');
    assert.equal(lastDoor(failed).reason, 'board-silent');
    assert.equal(lastDoor(failed).compartment, 'A2');
    assert.equal(kiosk.store.item(item.id)?.status, 'announced');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 0);
    assert.ok(outboxOf(kiosk, 'alarm').some((event) => event.payload.kind === 'door-board-silent'));
    assert.equal(kiosk.store.openIntents().length, 0, 'the intent is settled as failed');
    assert.equal(kiosk.sim.door(0, 2).open, false);

    // The board answers again: the next attempt is a new, explicit one.
    kiosk.sim.faults.silentBoards.delete(0);
    kiosk.press({ type: 'CONTINUE' });
    await kiosk.waitForScreen('staff.load.scan');
    scan(kiosk, 'BB-FAULT');
    await kiosk.waitForScreen('staff.door-open');
    await placeAndClose(kiosk, 'A2');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(item.id)?.status, 'loaded');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1);
  });

  test('door left open: an alarm goes out, the staff screen keeps asking to close, the session waits', async () => {
    await start({ lockerTiming: { leftOpenMs: 1000 } });
    const item = await scanDocument();
    const open = await kiosk.waitForScreen('staff.door-open');
    assert.equal(doorOf(open).compartment, 'A2');
    assert.equal(doorOf(open).openedAt, kiosk.clock.now());
    await kiosk.until(
      'the left-open alarm',
      () => outboxOf(kiosk, 'alarm').some((event) => event.payload.kind === 'door-left-open'),
      5000,
    );
    const alarm = outboxOf(kiosk, 'alarm').find((e) => e.payload.kind === 'door-left-open');
    assert.equal(alarm?.payload.compartment, 'A2');
    assert.equal(audited(kiosk, 'door-left-open')[0]?.subject, 'A2');
    // The staff timer does not end a session whose door is open.
    for (let i = 0; i < 600; i++) {
      kiosk.clock.advance(1000);
      kiosk.core.tick();
    }
    const still = kiosk.core.view();
    assert.equal(still.screen, 'staff.door-open');
    assert.equal(doorOf(still).purpose, 'load');
    assert.equal(kiosk.store.item(item.id)?.status, 'announced');

    await placeAndClose(kiosk, 'A2');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(item.id)?.status, 'loaded');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1);
  });

  test('a door forced open meanwhile: audited and alarmed, visible in maintenance, the load is not disturbed', async () => {
    await start();
    await logIn(kiosk, PEOPLE.supervisor);
    await startLoading(kiosk);
    const item = await scanDocument();
    await kiosk.waitForScreen('staff.door-open');
    kiosk.sim.forceOpen(0, lockOf('A3'));
    await kiosk.until('the forced-open alarm', () =>
      outboxOf(kiosk, 'alarm').some((event) => event.payload.kind === 'door-forced-open'),
    );
    assert.equal(audited(kiosk, 'door-forced-open')[0]?.subject, 'A3');
    const during = kiosk.core.view();
    assert.equal(during.screen, 'staff.door-open', 'the staff member still loads A2');
    assert.equal(doorOf(during).compartment, 'A2');

    await placeAndClose(kiosk, 'A2');
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(item.id)?.compartment, 'A2');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1);
    assert.equal(unlocksOf('A3'), 0);
    assert.equal(kiosk.store.itemsInCompartment('A3').length, 0);

    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('staff.menu');
    const maintenance = await openMaintenance(kiosk);
    const a3 = (maintenance.props.compartments as { label: string; door: string }[]).find(
      (c) => c.label === 'A3',
    );
    assert.equal(a3?.door, 'open', 'the forced door shows open for staff to check');
  });

  test('adapter unplugged: the door cannot open, staff are told; after the replug the load completes, also across a second unplug while the door is open', async () => {
    await start();
    await logIn(kiosk);
    await startLoading(kiosk);
    await kiosk.sim.unplug();
    await kiosk.until('the bus notices', () => kiosk.locker.bus('main')?.state !== 'open');
    const item = await scanDocument();
    const failed = await kiosk.waitForScreen('staff.door-failed');
    assert.equal(lastDoor(failed).reason, 'port-closed');
    assert.equal(kiosk.store.item(item.id)?.status, 'announced');
    assert.ok(outboxOf(kiosk, 'alarm').some((event) => event.payload.kind === 'door-port-closed'));
    assert.equal(unlocksOf('A2'), 0, 'nothing reached the board');

    await kiosk.sim.replug();
    await kiosk.until('the bus reopens', () => kiosk.locker.bus('main')?.state === 'open', 8000);
    kiosk.press({ type: 'CONTINUE' });
    await kiosk.waitForScreen('staff.load.scan');
    scan(kiosk, 'BB-FAULT');
    await kiosk.waitForScreen('staff.door-open');

    // Pulled again while the door stands open: the close is not seen until it is back.
    kiosk.sim.setItem(0, lockOf('A2'), true);
    await kiosk.until('the item sensor', () => kiosk.locker.door('A2')?.itemPresent === true);
    await kiosk.sim.unplug();
    await kiosk.until('the bus notices', () => kiosk.locker.bus('main')?.state !== 'open');
    kiosk.sim.closeDoor(0, lockOf('A2'));
    await kiosk.run(10_000); // reopen attempts fail meanwhile: the adapter is gone
    assert.equal(kiosk.core.view().screen, 'staff.door-open', 'still asked to close');
    assert.equal(kiosk.store.item(item.id)?.status, 'announced', 'not loaded unseen');
    await kiosk.sim.replug();
    await waitForView(kiosk, 'staff.load.scan', (v) => v.props.lastLoad !== null);
    assert.equal(kiosk.store.item(item.id)?.status, 'loaded');
    assert.equal(outboxOf(kiosk, 'item-ready').length, 1);
    assert.equal(unlocksOf('A2'), 1);
  });
});

describe('retrieval and door test under hardware faults', () => {
  test('jam during retrieval: the expired item stays expired and in place', async () => {
    await start();
    const item = kiosk.store.announceItem({ kind: 'document', reference: 'BB-OLD-7', size: 'S' });
    kiosk.store.markLoaded(item.id, 'A1', 'staff-old');
    kiosk.clock.advance(15 * DAY_MS);
    kiosk.core.tick();
    kiosk.sim.jam(0, lockOf('A1'));
    await logIn(kiosk);
    kiosk.press({ type: 'START_RETRIEVAL' });
    await waitForView(
      kiosk,
      'staff.retrieve.list',
      (v) => (v.props.expired as unknown[]).length === 1,
    );
    kiosk.press({ type: 'RETRIEVE_ALL' });
    const failed = await kiosk.waitForScreen('staff.door-failed');
    assert.equal(lastDoor(failed).purpose, 'retrieve');
    assert.equal(lastDoor(failed).reason, 'jammed');
    assert.equal(kiosk.store.item(item.id)?.status, 'expired');
    assert.equal(outboxOf(kiosk, 'item-retrieved').length, 0);
    kiosk.press({ type: 'CONTINUE' });
    const list = await kiosk.waitForScreen('staff.retrieve.list');
    assert.equal((list.props.expired as unknown[]).length, 1, 'still on the list');
  });

  test('door test on a jammed door: failed, audited as failed, the door can be marked defective', async () => {
    await start();
    kiosk.sim.jam(0, lockOf('A4'));
    await logIn(kiosk, PEOPLE.technician);
    await openMaintenance(kiosk);
    kiosk.press({ type: 'DOOR_TEST', compartment: 'A4' });
    const failed = await kiosk.waitForScreen('staff.door-failed');
    assert.equal(lastDoor(failed).purpose, 'door-test');
    const test = audited(kiosk, 'door-test');
    assert.equal(test.length, 1);
    assert.deepEqual(test[0]!.details, { result: 'failed', reason: 'jammed' });
    assert.equal(test[0]!.actor, PEOPLE.technician.id);
    kiosk.press({ type: 'MARK_DEFECTIVE' });
    kiosk.press({ type: 'CONTINUE' });
    const back = await waitForView(kiosk, 'staff.maintenance', (v) =>
      (v.props.compartments as { label: string; defective: boolean }[]).some(
        (c) => c.label === 'A4' && c.defective,
      ),
    );
    assert.equal(lastDoor(back).outcome, 'failed');
    assert.equal(kiosk.store.compartment('A4')?.defectReason, 'door-jammed');
  });
});
