/**
 * Courier deposit through the kiosk core (real SQLite, simulator over a pty): the points the
 * model-based paths do not pin down in detail — login by code and the lockout, what is kept
 * of the courier, announced parcels, the usage record, the full station, the parcel the
 * sensor did not see.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { LOCKOUT } from '../core/lockout.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import {
  alarms,
  arrangeFree,
  auditEntries,
  COURIER,
  depositInSize,
  depositUsage,
  itemReadyFor,
  lockOf,
  loginWithCard,
  NEAREST_STATION,
  openDoorFor,
  outbox,
  parcelsWithReference,
  prepareStation,
  putParcel,
  STAFF,
  scanLabel,
  unlocksSent,
  visitEnded,
  WRONG_CODE,
  waitForView,
} from './courier-deposit.testing.ts';

let kiosk: KioskFixture;

async function start(options: { nearest?: string | null; oneClock?: boolean } = {}) {
  kiosk = await startKiosk({ oneClock: options.oneClock ?? false });
  prepareStation(kiosk, options);
  await kiosk.waitForScreen('attract');
  kiosk.press({ type: 'CHOOSE', service: 'courier-deposit' });
  await kiosk.waitForScreen('courier.login');
}

async function typeCode(code: string) {
  kiosk.type(code);
  kiosk.press({ type: 'SUBMIT' });
}

const loginError = () =>
  waitForView(kiosk, (view) => view.screen === 'courier.login' && view.props.error !== null);

async function deposit(reference: string, size: 'S' | 'M' | 'L') {
  await scanLabel(kiosk, reference);
  return depositInSize(kiosk, size);
}

describe('courier deposit', () => {
  afterEach(async () => {
    await kiosk.close();
  });

  test('the start screen offers the courier service apart from the citizens’; login with the typed courier code', async () => {
    kiosk = await startKiosk();
    prepareStation(kiosk);
    await kiosk.waitForScreen('attract');
    const start = kiosk.core.view().props as { services: string[]; courierServices: string[] };
    assert.deepEqual(start.courierServices, ['courier-deposit']);
    assert.ok(!start.services.includes('courier-deposit'));
    kiosk.press({ type: 'CHOOSE', service: 'courier-deposit' });
    await kiosk.waitForScreen('courier.login');
    kiosk.type(COURIER.code.slice(0, 3));
    assert.equal(kiosk.core.view().props.entered, 3, 'the code shows only as its length');
    kiosk.press({ type: 'SUBMIT' });
    assert.equal(kiosk.core.view().props.error, 'incomplete-code');
    kiosk.type(COURIER.code.slice(3));
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('courier.scan');
    const login = auditEntries(kiosk).filter((entry) => entry.action === 'courier-login');
    assert.deepEqual(
      login.map((entry) => [entry.actor, entry.details.method]),
      [[COURIER.id, 'code']],
    );
    // After login only the courier's id is kept; never the code, in no view, no snapshot.
    const saved = kiosk.store.loadSnapshot('session')?.snapshot ?? '';
    assert.ok(saved.includes(COURIER.id));
    assert.ok(!saved.includes(COURIER.code));
    assert.ok(!JSON.stringify(kiosk.views).includes(COURIER.code));
  });

  test('a wrong code says so and counts toward the terminal lockout; locked, even the right code is refused', async () => {
    await start({ oneClock: true });
    await typeCode(WRONG_CODE);
    const wrong = await loginError();
    assert.equal(wrong.props.error, 'wrong-code');
    assert.equal(wrong.props.entered, 0, 'the entry is cleared');
    assert.equal(kiosk.store.codeFailuresSince(0), 1, 'counted toward the lockout');

    for (let attempt = 1; attempt < LOCKOUT.maxFailures; attempt++) {
      kiosk.clock.advance(1000);
      await typeCode(WRONG_CODE);
      await waitForView(kiosk, () => kiosk.store.codeFailuresSince(0) === attempt + 1);
    }
    const locked = await waitForView(kiosk, (view) => view.props.error === 'locked');
    assert.equal(locked.props.error, 'locked');
    assert.ok((locked.props.lockedUntil as number) > kiosk.clock.now());
    assert.deepEqual(alarms(kiosk), ['code-brute-force']);

    kiosk.clock.advance(1000);
    await typeCode(COURIER.code);
    await kiosk.settle(); // the code check has run
    assert.equal(kiosk.core.view().screen, 'courier.login', 'the right code waits for the lock');
    assert.equal(kiosk.core.view().props.error, 'locked');

    kiosk.clock.set((locked.props.lockedUntil as number) + 1);
    await typeCode(COURIER.code);
    await kiosk.waitForScreen('courier.scan');
  });

  test('a wrong card (unknown, or a staff card) is refused with a clear message and does not count as a wrong code', async () => {
    await start({ oneClock: true });
    assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: '04DEADBEEF' }).ok);
    assert.equal((await loginError()).props.error, 'wrong-card');
    assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: STAFF.card }).ok);
    await kiosk.settle(); // the card check has run
    assert.equal(kiosk.core.view().props.error, 'wrong-card', 'staff are not couriers');
    assert.equal(kiosk.store.codeFailuresSince(0), 0);
    const refused = auditEntries(kiosk).filter((entry) => entry.action === 'courier-login-refused');
    assert.equal(refused.length, 2);
    assert.ok(!JSON.stringify(auditEntries(kiosk)).includes(STAFF.card), 'no card uid audited');
    assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: COURIER.card }).ok);
    await kiosk.waitForScreen('courier.scan');
    const saved = kiosk.store.loadSnapshot('session')?.snapshot ?? '';
    assert.ok(!saved.includes(COURIER.card) && !saved.includes(STAFF.card), 'no uid persisted');
  });

  test('a new parcel: announced with the label as its reference, loaded on close, item-ready with the recipient reference, one usage record', async () => {
    await start();
    await loginWithCard(kiosk);
    kiosk.clock.advance(5_000);
    const size = await scanLabel(kiosk, 'JJD0001234567');
    assert.deepEqual(
      (size.props.sizes as { size: string; free: number; available: boolean }[]).map(
        ({ size, free, available }) => [size, free, available],
      ),
      [
        ['S', 1, true],
        ['M', 2, true],
        ['L', 1, true],
        ['XL', 0, false],
      ],
    );
    assert.deepEqual(parcelsWithReference(kiosk, 'JJD0001234567'), [], 'nothing announced yet');
    kiosk.press({ type: 'SELECT_SIZE', size: 'M' });
    const open = await kiosk.waitForScreen('courier.deposit-and-close');
    kiosk.clock.advance(40_000);
    await putParcel(kiosk, String(open.props.compartment));
    kiosk.sim.closeDoor(0, lockOf(String(open.props.compartment)));
    const done = await kiosk.waitForScreen('courier.deposited');
    assert.equal(done.props.deposited, 1);

    const [parcel] = parcelsWithReference(kiosk, 'JJD0001234567');
    assert.ok(parcel);
    assert.equal(parcel.status, 'loaded');
    assert.equal(parcel.loadedBy, COURIER.id);
    assert.equal(parcel.size, 'M');
    const ready = itemReadyFor(kiosk, parcel.id);
    assert.equal(ready.length, 1);
    assert.equal(ready[0]!.payload.reference, 'JJD0001234567');
    assert.equal(ready[0]!.payload.recipientRef, 'JJD0001234567');
    assert.equal(ready[0]!.payload.compartment, open.props.compartment);
    const usage = depositUsage(kiosk);
    assert.equal(usage.length, 1);
    assert.equal(usage[0]!.service, 'courier-deposit');
    assert.deepEqual(usage[0]!.data, { durationMs: 40_000, size: 'M' }, 'no ids, no reference');

    kiosk.press({ type: 'FINISH' });
    assert.deepEqual(await visitEnded(kiosk), { outcome: 'completed', reason: null });
    // No log line names the label.
    assert.ok(!JSON.stringify(kiosk.logger.entries).includes('JJD0001234567'));
  });

  test('an announced parcel is used (no second item), its size suggested; a deposited label is refused', async () => {
    await start();
    const announced = kiosk.store.announceItem({
      kind: 'parcel',
      reference: 'PKG-ANNOUNCED',
      recipientRef: 'R-88',
      size: 'L',
    });
    await loginWithCard(kiosk);
    const size = await scanLabel(kiosk, 'PKG-ANNOUNCED');
    assert.equal(size.props.announcedSize, 'L');
    assert.equal(await depositInSize(kiosk, 'L'), 'A4');
    assert.deepEqual(
      parcelsWithReference(kiosk, 'PKG-ANNOUNCED').map((item) => item.id),
      [announced.id],
    );
    assert.equal(itemReadyFor(kiosk, announced.id)[0]?.payload.recipientRef, 'R-88');

    kiosk.press({ type: 'NEXT_PARCEL' });
    await kiosk.waitForScreen('courier.scan');
    assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: 'PKG-ANNOUNCED', symbology: 'C' }).ok);
    const refused = await waitForView(kiosk, (view) => view.props.error !== null);
    assert.equal(refused.screen, 'courier.scan');
    assert.equal(refused.props.error, 'already-deposited');
    assert.equal(unlocksSent(kiosk), 1);
  });

  test('a typed label works like a scanned one; several parcels in one visit', async () => {
    await start();
    await loginWithCard(kiosk);
    kiosk.type('PKG42');
    assert.equal(kiosk.core.view().props.typed, 'PKG42');
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('courier.size');
    await depositInSize(kiosk, 'S');
    kiosk.press({ type: 'NEXT_PARCEL' });
    await kiosk.waitForScreen('courier.scan');
    await deposit('PKG43', 'M');
    kiosk.press({ type: 'NEXT_PARCEL' });
    await kiosk.waitForScreen('courier.scan');
    const third = await deposit('PKG44', 'M');
    assert.equal(kiosk.core.view().props.deposited, 3);
    assert.equal(third, 'A3', 'the second M compartment');
    assert.equal(outbox(kiosk).filter((event) => event.type === 'item-ready').length, 3);
    assert.deepEqual(
      depositUsage(kiosk).map((event) => event.data.size),
      ['S', 'M', 'M'],
    );
  });

  test('a label is one parcel however it is written: PKG-2002 typed with its dash, PKG2002 without, scanned as pkg.2002', async () => {
    await start();
    const announced = kiosk.store.announceItem({
      kind: 'parcel',
      reference: 'PKG-2002',
      recipientRef: 'R-2002',
      size: 'M',
    });
    await loginWithCard(kiosk);
    kiosk.type('PKG2002');
    kiosk.press({ type: 'SUBMIT' });
    const size = await kiosk.waitForScreen('courier.size');
    assert.equal(size.props.announcedSize, 'M', 'typed without the dash: the announced parcel');
    await depositInSize(kiosk, 'M');
    assert.deepEqual(
      parcelsWithReference(kiosk, 'PKG-2002').map((item) => [item.id, item.status]),
      [[announced.id, 'loaded']],
      'one item, its reference as printed',
    );

    kiosk.press({ type: 'NEXT_PARCEL' });
    await kiosk.waitForScreen('courier.scan');
    kiosk.type('PKG-2002');
    assert.equal(kiosk.core.view().props.typed, 'PKG-2002', 'the dash can be typed');
    kiosk.press({ type: 'SUBMIT' });
    const typed = await waitForView(kiosk, (view) => view.props.error !== null);
    assert.equal(typed.props.error, 'already-deposited');
    kiosk.type('X'); // typing clears the error
    assert.equal(kiosk.core.view().props.error, null);
    assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: 'pkg.2002', symbology: 'C' }).ok);
    const scanned = await waitForView(
      kiosk,
      (view) => view.screen === 'courier.scan' && view.props.error === 'already-deposited',
    );
    assert.equal(scanned.props.typed, '');
    assert.equal(unlocksSent(kiosk), 1, 'no second door for the same parcel');
  });

  test('the sensor does not see the parcel: not-seen, nothing sent, no automatic reopening; opening again is explicit', async () => {
    await start({ oneClock: true });
    await openDoorFor(kiosk, 'PKG-EMPTY', 'S');
    kiosk.sim.closeDoor(0, lockOf('A1')); // closed without the parcel inside
    const notSeen = await kiosk.waitForScreen('courier.not-seen');
    assert.equal(notSeen.props.compartment, 'A1');
    const [parcel] = parcelsWithReference(kiosk, 'PKG-EMPTY');
    assert.equal(parcel?.status, 'announced', 'the parcel stays announced');
    assert.equal(itemReadyFor(kiosk, parcel!.id).length, 0, 'nothing is sent');
    assert.equal(depositUsage(kiosk).length, 0);
    await kiosk.run(3000); // three seconds of polls of the closed, empty compartment
    assert.equal(unlocksSent(kiosk), 1, 'the door does not open again by itself');
    assert.equal(kiosk.core.send({ type: 'NEXT_PARCEL' }).ok, false, 'not offered here');

    kiosk.press({ type: 'OPEN_AGAIN' });
    await kiosk.waitForScreen('courier.deposit-and-close');
    assert.equal(unlocksSent(kiosk), 2);
    assert.equal(kiosk.core.send({ type: 'CANCEL' }).ok, false, 'no leaving an open door');
    await putParcel(kiosk, 'A1');
    kiosk.sim.closeDoor(0, lockOf('A1'));
    await kiosk.waitForScreen('courier.deposited');
    assert.equal(parcelsWithReference(kiosk, 'PKG-EMPTY')[0]?.status, 'loaded');
    assert.equal(itemReadyFor(kiosk, parcel!.id).length, 1);
  });

  test('cancelling a parcel the sensor did not see keeps it announced and goes on with the next', async () => {
    await start();
    await openDoorFor(kiosk, 'PKG-GIVE-UP', 'L');
    kiosk.sim.closeDoor(0, lockOf('A4'));
    await kiosk.waitForScreen('courier.not-seen');
    kiosk.press({ type: 'CANCEL' });
    const scan = await kiosk.waitForScreen('courier.scan');
    assert.equal(scan.props.last, 'cancelled');
    assert.equal(parcelsWithReference(kiosk, 'PKG-GIVE-UP')[0]?.status, 'announced');
    assert.equal(kiosk.store.freeCompartments({ size: 'L' }).length, 1, 'A4 is free again');
  });

  test('no compartment of the size free: said so, the next larger size offered; none at all: the nearest station', async () => {
    await start();
    await loginWithCard(kiosk);
    arrangeFree(kiosk, { S: 0, M: 1, L: 0, XL: 0 });
    const size = await scanLabel(kiosk, 'PKG-BIG');
    const sizes = size.props.sizes as { size: string; available: boolean }[];
    assert.deepEqual(
      sizes.filter((entry) => entry.available).map((entry) => entry.size),
      ['M'],
    );
    kiosk.press({ type: 'SELECT_SIZE', size: 'S' });
    let full = await kiosk.waitForScreen('courier.size-full');
    assert.equal(full.props.offer, 'M');
    kiosk.press({ type: 'BACK' });
    await kiosk.waitForScreen('courier.size');
    kiosk.press({ type: 'SELECT_SIZE', size: 'L' });
    full = await kiosk.waitForScreen('courier.size-full');
    assert.equal(full.props.offer, null, 'nothing larger is free');
    assert.equal(kiosk.core.send({ type: 'TAKE_OFFER' }).ok, true);
    assert.equal(kiosk.core.view().screen, 'courier.size-full', 'no offer to take');
    kiosk.press({ type: 'CANCEL' });
    assert.deepEqual(await visitEnded(kiosk), { outcome: 'abandoned', reason: null });
    assert.deepEqual(parcelsWithReference(kiosk, 'PKG-BIG'), [], 'nothing left behind');

    arrangeFree(kiosk, { S: 0, M: 0, L: 0, XL: 0 });
    await loginWithCard(kiosk);
    assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: 'PKG-NOROOM', symbology: 'C' }).ok);
    const station = await kiosk.waitForScreen('courier.full');
    assert.equal(station.props.nearest, NEAREST_STATION);
    kiosk.press({ type: 'FINISH' });
    assert.deepEqual(await visitEnded(kiosk), { outcome: 'abandoned', reason: null });
    assert.equal(unlocksSent(kiosk), 0);
  });

  test('a full station without a configured neighbour names none', async () => {
    await start({ nearest: null });
    arrangeFree(kiosk, { S: 0, M: 0, L: 0, XL: 0 });
    assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: COURIER.card }).ok);
    await kiosk.waitForScreen('courier.scan');
    assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: 'PKG-X', symbology: 'C' }).ok);
    const station = await kiosk.waitForScreen('courier.full');
    assert.equal(station.props.nearest, null);
  });

  test('a restart while the door stands open: the restored session learns the door closed; the sensor decides, nothing opens again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'courier-restart-'));
    try {
      kiosk = await startKiosk({ dir });
      prepareStation(kiosk);
      await openDoorFor(kiosk, 'PKG-RESTART', 'M');
      await kiosk.close();

      // The terminal comes back; meanwhile the door was shut (the new board reports it
      // closed, and its sensor reports the compartment empty).
      kiosk = await startKiosk({ dir });
      const view = await kiosk.waitForScreen('courier.not-seen');
      assert.equal(view.props.compartment, 'A2');
      assert.equal(unlocksSent(kiosk), 0, 'recovery never unlocks');
      const [parcel] = parcelsWithReference(kiosk, 'PKG-RESTART');
      assert.equal(parcel?.status, 'announced');
      assert.equal(itemReadyFor(kiosk, parcel!.id).length, 0);
      assert.equal(kiosk.store.openIntents().length, 0);
      kiosk.press({ type: 'OPEN_AGAIN' });
      await kiosk.waitForScreen('courier.deposit-and-close');
      await putParcel(kiosk, 'A2');
      kiosk.sim.closeDoor(0, lockOf('A2'));
      await kiosk.waitForScreen('courier.deposited');
      assert.equal(itemReadyFor(kiosk, parcel!.id).length, 1);
    } finally {
      await kiosk.close();
      kiosk = await startKiosk(); // afterEach closes one
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the backend announces the parcel while the courier chooses a size: its item is used, not a second one', async () => {
    await start();
    await loginWithCard(kiosk);
    await scanLabel(kiosk, 'PKG-SYNCED');
    const synced = kiosk.store.announceItem({
      kind: 'parcel',
      reference: 'PKG-SYNCED',
      recipientRef: 'R-SYNC',
    });
    await deposit('PKG-SYNCED', 'S');
    assert.deepEqual(
      parcelsWithReference(kiosk, 'PKG-SYNCED').map((item) => [item.id, item.status]),
      [[synced.id, 'loaded']],
    );
    assert.equal(itemReadyFor(kiosk, synced.id)[0]?.payload.recipientRef, 'R-SYNC');
  });

  test('the same label deposited meanwhile (a race with another terminal user): refused, nothing opens', async () => {
    await start();
    await loginWithCard(kiosk);
    await scanLabel(kiosk, 'PKG-TWICE');
    // Meanwhile the same parcel was deposited elsewhere in this station's records.
    const other = kiosk.store.announceItem({ kind: 'parcel', reference: 'PKG-TWICE' });
    assert.ok(kiosk.store.markLoaded(other.id, 'A4', 'courier-other').ok);
    kiosk.press({ type: 'SELECT_SIZE', size: 'S' });
    const refused = await waitForView(kiosk, (view) => view.screen === 'courier.scan');
    assert.equal(refused.props.error, 'reference-in-use');
    assert.equal(unlocksSent(kiosk), 0);
    assert.equal(parcelsWithReference(kiosk, 'PKG-TWICE').length, 1);
  });
});
