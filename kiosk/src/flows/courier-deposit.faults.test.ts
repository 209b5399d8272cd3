/**
 * Hardware faults during a courier deposit, one test each, on the real core with the
 * lock-board simulator over a pty: what the courier sees (screen and props) and what the
 * store holds (the parcel, the outbox, the audit).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import {
  alarms,
  auditEntries,
  depositInSize,
  depositUsage,
  itemReadyFor,
  lockOf,
  loginWithCard,
  openDoorFor,
  parcelsWithReference,
  prepareStation,
  putParcel,
  scanLabel,
  unlocksSent,
  visitEnded,
  waitForView,
} from './courier-deposit.testing.ts';

let kiosk: KioskFixture;

/** Faults on one clock: what must not happen is checked over simulated time, not a sleep. */
async function start(options: Parameters<typeof startKiosk>[0] = {}) {
  kiosk = await startKiosk({ ...options, oneClock: true });
  prepareStation(kiosk);
  return kiosk;
}

/** Audit entries of one action, with their subject. */
const audited = (action: string) => auditEntries(kiosk).filter((entry) => entry.action === action);

function theParcel(reference: string) {
  const parcels = parcelsWithReference(kiosk, reference);
  assert.equal(parcels.length, 1, 'exactly one parcel item for the label');
  return parcels[0]!;
}

describe('courier deposit: hardware faults', () => {
  afterEach(async () => {
    await kiosk.close();
  });

  test('jammed lock: the courier is told, the parcel stays announced, staff are alerted, no second unlock of that door; the next try gets another compartment', async () => {
    await start();
    kiosk.sim.jam(0, lockOf('A2'));
    await loginWithCard(kiosk);
    await scanLabel(kiosk, 'PARCEL-JAM');
    kiosk.press({ type: 'SELECT_SIZE', size: 'M' });

    const failed = await kiosk.waitForScreen('courier.door-failed');
    assert.equal(failed.props.reason, 'jammed');
    assert.equal(failed.props.compartment, 'A2');
    const parcel = theParcel('PARCEL-JAM');
    assert.equal(parcel.status, 'announced');
    assert.equal(parcel.compartment, null);
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 0, 'nothing is announced to anyone');
    assert.ok(alarms(kiosk).includes('door-jammed'), 'staff get the alarm');
    assert.deepEqual(
      audited('door-failed').map((entry) => [entry.actor, entry.subject, entry.details.reason]),
      [['courier-7', 'A2', 'jammed']],
      'the failure is audited with the courier',
    );
    await kiosk.run(3000); // three seconds of polls of the jammed door
    assert.equal(unlocksSent(kiosk), 1, 'the jammed door is not unlocked again by itself');

    // Next parcel: the same label again; the jammed compartment is not offered again.
    kiosk.press({ type: 'NEXT_PARCEL' });
    const scan = await kiosk.waitForScreen('courier.scan');
    assert.equal(scan.props.last, 'door-failed');
    const size = await scanLabel(kiosk, 'PARCEL-JAM');
    const sizes = size.props.sizes as { size: string; free: number }[];
    assert.equal(sizes.find((entry) => entry.size === 'M')?.free, 1, 'A2 no longer counts');
    assert.equal(await depositInSize(kiosk, 'M'), 'A3');
    assert.equal(theParcel('PARCEL-JAM').id, parcel.id, 'the same parcel item, not a second one');
    assert.equal(theParcel('PARCEL-JAM').compartment, 'A3');
    assert.equal(kiosk.sim.door(0, lockOf('A2')).unlocks, 1, 'A2 was unlocked once in all');
    assert.deepEqual(
      audited('item-loaded').map((entry) => [entry.actor, entry.subject]),
      [['courier-7', parcel.id]],
    );
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('silent board: the door does not open, the courier is told, the parcel stays announced, an alarm goes out', async () => {
    await start();
    await loginWithCard(kiosk);
    await scanLabel(kiosk, 'PARCEL-SILENT');
    kiosk.sim.faults.silentBoards.add(0);
    kiosk.press({ type: 'SELECT_SIZE', size: 'S' });

    const failed = await kiosk.waitForScreen('courier.door-failed');
    assert.equal(failed.props.reason, 'board-silent');
    assert.equal(failed.props.compartment, 'A1');
    assert.equal(kiosk.sim.door(0, 1).open, false);
    const parcel = theParcel('PARCEL-SILENT');
    assert.equal(parcel.status, 'announced');
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 0);
    assert.ok(alarms(kiosk).includes('door-board-silent'));
    assert.equal(audited('door-failed')[0]?.details.reason, 'board-silent');
    assert.equal(kiosk.store.openIntents().length, 0, 'the intent is settled as failed');

    kiosk.press({ type: 'FINISH' });
    assert.deepEqual(await visitEnded(kiosk), { outcome: 'failed', reason: 'door-board-silent' });
    assert.equal(depositUsage(kiosk).length, 0);
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('door left open: an alarm goes out, the session does not end while the door is open, closing it completes the deposit', async () => {
    await start({ lockerTiming: { leftOpenMs: 1000 } });
    const open = await openDoorFor(kiosk, 'PARCEL-OPEN', 'L');
    assert.equal(open.props.compartment, 'A4');
    assert.equal(typeof open.props.doorOpenedAt, 'number', 'the UI can time its hint');
    await putParcel(kiosk, 'A4');

    await kiosk.until('the left-open alarm', () => alarms(kiosk).includes('door-left-open'));
    // Far past the inactivity timeout: the session stays, the door is still open.
    kiosk.clock.advance(10 * 60_000);
    await kiosk.settle(); // the core's tick and the locker's poll at that time have run
    assert.equal(kiosk.core.view().screen, 'courier.deposit-and-close');
    assert.equal(theParcel('PARCEL-OPEN').status, 'announced', 'not ready before the door shuts');

    kiosk.sim.closeDoor(0, lockOf('A4'));
    const done = await kiosk.waitForScreen('courier.deposited');
    assert.equal(done.props.deposited, 1);
    const parcel = theParcel('PARCEL-OPEN');
    assert.equal(parcel.status, 'loaded');
    assert.equal(parcel.compartment, 'A4');
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 1);
    assert.equal(alarms(kiosk).filter((kind) => kind === 'door-left-open').length, 1);
    assert.deepEqual(
      audited('door-left-open').map((entry) => entry.subject),
      ['A4'],
    );
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('forced open: audited and alarmed; the forced compartment is not offered, the courier gets the next size', async () => {
    await start();
    await loginWithCard(kiosk);
    kiosk.sim.forceOpen(0, lockOf('A1'));
    await kiosk.until('the forced-open alarm', () => alarms(kiosk).includes('door-forced-open'));
    assert.equal(kiosk.store.compartment('A1')?.door, 'open');
    assert.deepEqual(
      audited('door-forced-open').map((entry) => entry.subject),
      ['A1'],
    );
    assert.equal(kiosk.core.view().screen, 'courier.scan', 'the courier carries on');

    const size = await scanLabel(kiosk, 'PARCEL-FORCED');
    const sizes = size.props.sizes as { size: string; free: number; available: boolean }[];
    assert.deepEqual(
      sizes.map(({ size, available }) => [size, available]),
      [
        ['S', false],
        ['M', true],
        ['L', true],
        ['XL', false],
      ],
    );
    kiosk.press({ type: 'SELECT_SIZE', size: 'S' });
    const full = await kiosk.waitForScreen('courier.size-full');
    assert.equal(full.props.requested, 'S');
    assert.equal(full.props.offer, 'M');
    kiosk.press({ type: 'TAKE_OFFER' });
    const open = await kiosk.waitForScreen('courier.deposit-and-close');
    assert.equal(open.props.compartment, 'A2');
    await putParcel(kiosk, 'A2');
    kiosk.sim.closeDoor(0, lockOf('A2'));
    await kiosk.waitForScreen('courier.deposited');

    assert.equal(kiosk.sim.door(0, lockOf('A1')).unlocks, 0, 'the forced door was never unlocked');
    const parcel = theParcel('PARCEL-FORCED');
    assert.equal(parcel.compartment, 'A2');
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 1);
    assert.equal(depositUsage(kiosk)[0]?.data.size, 'M');
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('adapter unplugged: the door cannot open, the courier is told, the parcel stays announced, an alarm goes out', async () => {
    await start();
    await loginWithCard(kiosk);
    await scanLabel(kiosk, 'PARCEL-UNPLUGGED');
    await kiosk.sim.unplug();
    kiosk.press({ type: 'SELECT_SIZE', size: 'M' });

    const failed = await waitForView(kiosk, (view) => view.screen === 'courier.door-failed');
    assert.equal(failed.screen, 'courier.door-failed');
    assert.ok(
      ['port-closed', 'board-silent'].includes(String(failed.props.reason)),
      `reason ${failed.props.reason}`,
    );
    assert.equal(unlocksSent(kiosk), 0, 'no unlock reached the board');
    const parcel = theParcel('PARCEL-UNPLUGGED');
    assert.equal(parcel.status, 'announced');
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 0);
    assert.ok(alarms(kiosk).some((kind) => kind === `door-${failed.props.reason}`));
    assert.equal(audited('door-failed')[0]?.subject, 'A2');
    assert.equal(kiosk.store.openIntents().length, 0);
    assert.ok(kiosk.store.verifyAudit().ok);
  });

  test('adapter unplugged while the door is open: the courier is still asked to close it; once the adapter is back the deposit completes', async () => {
    await start();
    await openDoorFor(kiosk, 'PARCEL-REPLUG', 'L');
    await putParcel(kiosk, 'A4');
    await kiosk.sim.unplug();
    kiosk.sim.closeDoor(0, lockOf('A4'));
    await kiosk.run(10_000); // reopen attempts fail meanwhile: the adapter is gone
    assert.equal(kiosk.core.view().screen, 'courier.deposit-and-close', 'nothing is assumed');
    assert.equal(theParcel('PARCEL-REPLUG').status, 'announced');
    assert.equal(kiosk.store.openIntents().length, 1, 'the door intent stays open');

    await kiosk.sim.replug();
    await kiosk.waitForScreen('courier.deposited', 8000);
    const parcel = theParcel('PARCEL-REPLUG');
    assert.equal(parcel.status, 'loaded');
    assert.equal(itemReadyFor(kiosk, parcel.id).length, 1);
    assert.equal(kiosk.sim.door(0, lockOf('A4')).unlocks, 1, 'one unlock in all');
    assert.ok(kiosk.store.verifyAudit().ok);
  });
});
