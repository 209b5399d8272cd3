/**
 * Parcel pickup at a real terminal (kiosk core, real SQLite file, lock-board simulator over a
 * pty): what documents and the shared lockout mean for it, one-after-another and together,
 * and one test per hardware fault — what the citizen sees (screen and props) and what the
 * store holds (parcels, door intents, outbox, audit).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { LOCKOUT } from '../core/lockout.ts';
import { DAY_MS } from '../store/store.ts';
import type { Item } from '../store/types.ts';
import { type KioskFixture, openTestStore, startKiosk } from '../testing/kiosk-fixture.ts';
import {
  alarmsOf,
  allOutbox,
  auditTrail,
  lockOf,
  unlockedLocks,
  waitForView,
} from './model-walk.testing.ts';
import { OPEN_TOGETHER_SETTING } from './parcel-pickup.flow.ts';
import { DEFAULT_TIMERS, SESSION_MACHINE_VERSION } from './session.machine.ts';

const CODE = 'H4K9W2';
const OTHER_CODE = '771203';

let kiosk: KioskFixture | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

async function terminal(options: Parameters<typeof startKiosk>[0] = {}): Promise<KioskFixture> {
  kiosk = await startKiosk(options);
  await kiosk.waitForScreen('attract');
  return kiosk;
}

let parcels = 0;
/** A parcel a courier deposited into `compartment`, seen there by the item sensor. */
function deposit(k: KioskFixture, compartment: string, code = CODE): Item {
  parcels += 1;
  const item = k.store.announceItem({
    kind: 'parcel',
    reference: `PARCEL-${parcels}`,
    recipientRef: `recipient-${code}`,
    code,
  });
  assert.ok(k.store.markLoaded(item.id, compartment, 'courier-1').ok);
  k.sim.setItem(0, lockOf(compartment), true);
  return item;
}

function startPickup(k: KioskFixture) {
  k.press({ type: 'CHOOSE', service: 'parcel-pickup' });
}

/** The citizen shuts the door after taking what was inside. */
function takeAndClose(k: KioskFixture, compartment: string) {
  k.sim.setItem(0, lockOf(compartment), false);
  k.sim.closeDoor(0, lockOf(compartment));
}

const languageEvents = (k: KioskFixture) =>
  allOutbox(k)
    .filter((event) => event.type === 'item-language')
    .map((event) => event.payload as { itemId: string; reference: string; language: string });

const audited = (k: KioskFixture, action: string) =>
  auditTrail(k).filter((entry) => entry.action === action);

/** A code the terminal refuses; the citizen goes back home. */
async function refusedThenHome(k: KioskFixture, code: string) {
  startPickup(k);
  k.type(code);
  k.press({ type: 'SUBMIT' });
  await waitForView(k, 'parcel.code', (props) => props.error === 'wrong-code');
  k.press({ type: 'BACK' });
  k.press({ type: 'FINISH' });
  await k.waitForScreen('attract');
}

async function survey(k: KioskFixture, timeoutMs = 4000) {
  const view = await k.waitForScreen('survey', timeoutMs);
  return { outcome: view.props.outcome, reason: view.props.reason };
}

describe('parcel pickup: codes', () => {
  test('documents never open in the parcel pickup, and parcels never in the document pickup', async () => {
    const k = await terminal();
    const document = k.store.announceItem({
      kind: 'document',
      reference: 'DOC-1',
      code: OTHER_CODE,
      secondFactor: '1970-05-06',
    });
    assert.ok(k.store.markLoaded(document.id, 'A3', 'staff-1').ok);
    const parcel = deposit(k, 'A2');

    await refusedThenHome(k, OTHER_CODE);
    k.press({ type: 'CHOOSE', service: 'document-pickup' });
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await waitForView(k, 'pickup.code', (props) => props.error === 'wrong-code');

    assert.deepEqual(unlockedLocks(k), []);
    assert.equal(k.store.item(document.id)?.status, 'loaded');
    assert.equal(k.store.item(parcel.id)?.status, 'loaded');
  });

  test('wrong codes in both pickups count toward one lockout; while it lasts even the right parcel code is refused', async () => {
    const k = await terminal();
    const parcel = deposit(k, 'A2');
    k.press({ type: 'CHOOSE', service: 'document-pickup' });
    for (let attempt = 0; attempt < LOCKOUT.maxFailures - 1; attempt++) {
      k.type(`90000${attempt}`);
      k.press({ type: 'SUBMIT' });
      await waitForView(k, 'pickup.code', (props) => props.error === 'wrong-code');
    }
    k.press({ type: 'BACK' });
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');

    startPickup(k);
    k.type('000000');
    k.press({ type: 'SUBMIT' });
    const locked = await waitForView(k, 'parcel.code', (props) => props.error === 'locked');
    assert.equal(locked.props.lockedUntil, k.clock.now() + LOCKOUT.baseLockMs);
    assert.deepEqual(alarmsOf(k), ['code-brute-force:-'], 'one alarm for the lock');

    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await waitForView(k, 'parcel.code', (props) => props.error === 'locked' && props.entered === 0);
    assert.equal(k.store.item(parcel.id)?.status, 'loaded');

    k.clock.advance(LOCKOUT.baseLockMs + 1);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('parcel.take-and-close');
    assert.equal(k.store.item(parcel.id)?.status, 'picked_up');
  });

  test('the code of a collected or an expired parcel never works again', async () => {
    const k = await terminal();
    const collected = deposit(k, 'A2');
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('parcel.take-and-close');
    takeAndClose(k, 'A2');
    await k.waitForScreen('survey');
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    const expired = deposit(k, 'A3', OTHER_CODE);
    k.clock.advance(15 * DAY_MS);
    k.core.tick();
    assert.equal(k.store.item(expired.id)?.status, 'expired');

    for (const code of [CODE, OTHER_CODE]) await refusedThenHome(k, code);
    assert.equal(k.store.item(collected.id)?.status, 'picked_up');
    assert.deepEqual(unlockedLocks(k), [lockOf('A2')], 'one unlock, for the first pickup');
  });

  test('several parcels in two compartments open one after another by default', async () => {
    const k = await terminal();
    const first = deposit(k, 'A2');
    const second = deposit(k, 'A3');
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    const one = await waitForView(k, 'parcel.take-and-close', (p) => p.compartment === 'A2');
    assert.deepEqual(one.props.compartments, ['A2']);
    assert.equal(one.props.remainingDoors, 1);
    assert.equal(one.props.parcels, 1, 'the parcels behind this door, not all of the code');
    assert.equal(k.sim.door(0, lockOf('A3')).open, false, 'the second door waits');
    assert.deepEqual(unlockedLocks(k), [lockOf('A2')]);
    assert.equal(k.store.item(first.id)?.status, 'picked_up');
    assert.equal(k.store.item(second.id)?.status, 'loaded');

    takeAndClose(k, 'A2');
    const two = await waitForView(k, 'parcel.take-and-close', (p) => p.compartment === 'A3');
    assert.equal(two.props.remainingDoors, 0);
    assert.equal(two.props.parcels, 1);
    assert.equal(k.store.item(second.id)?.status, 'picked_up');
    takeAndClose(k, 'A3');
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
    assert.deepEqual(unlockedLocks(k), [lockOf('A2'), lockOf('A3')]);
  });

  test('a code used in Turkish tells the fleet the language of its parcels, and nothing for a wrong code', async () => {
    const k = await terminal();
    const first = deposit(k, 'A2');
    const second = deposit(k, 'A3');
    const other = deposit(k, 'A4', OTHER_CODE);
    startPickup(k);
    k.press({ type: 'SET_LANGUAGE', language: 'tr' });
    k.type('999999');
    k.press({ type: 'SUBMIT' });
    await waitForView(k, 'parcel.code', (p) => p.error === 'wrong-code');
    assert.deepEqual(languageEvents(k), []);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await waitForView(k, 'parcel.take-and-close', (p) => p.compartment === 'A2');
    // The fleet keeps it per item and sends the reminders in Turkish (notifications tests).
    assert.deepEqual(languageEvents(k), [
      { itemId: first.id, reference: first.reference, language: 'tr' },
      { itemId: second.id, reference: second.reference, language: 'tr' },
    ]);
    assert.ok(!languageEvents(k).some((event) => event.itemId === other.id));
  });

  test(`all together with ${OPEN_TOGETHER_SETTING} = true: both open at once, done when both are shut`, async () => {
    const k = await terminal();
    k.store.setSetting(OPEN_TOGETHER_SETTING, 'true');
    const parcelsIn = [deposit(k, 'A2'), deposit(k, 'A3')];
    startPickup(k);
    k.core.deviceInput({ type: 'SCAN', text: CODE.toLowerCase(), symbology: 'QR' });
    const open = await waitForView(k, 'parcel.take-and-close');
    assert.deepEqual(open.props.compartments, ['A2', 'A3']);
    assert.equal(open.props.remainingDoors, 0);
    assert.equal(open.props.parcels, 2, 'both doors are open: both parcels');
    assert.equal(k.sim.door(0, lockOf('A2')).open && k.sim.door(0, lockOf('A3')).open, true);
    for (const parcel of parcelsIn) assert.equal(k.store.item(parcel.id)?.status, 'picked_up');

    takeAndClose(k, 'A3');
    await waitForView(k, 'parcel.take-and-close', (p) => String(p.compartments) === 'A2');
    takeAndClose(k, 'A2');
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
    assert.deepEqual(unlockedLocks(k).sort(), [lockOf('A2'), lockOf('A3')]);
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    const ended = k.store.usageEvents().find((event) => event.type === 'session-ended');
    assert.equal(ended?.data.steps, 'code,scanned,door,take-and-close,done', 'a QR code counted');
  });
});

describe('parcel pickup: hardware faults', () => {
  test('jammed lock: the citizen is told, the parcel stays, staff are alerted, no second unlock', async () => {
    const k = await terminal({ oneClock: true });
    const parcel = deposit(k, 'A2');
    k.sim.jam(0, lockOf('A2'));
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-jammed' });
    await k.run(3000); // three seconds of polls of the jammed door
    assert.equal(k.store.item(parcel.id)?.status, 'loaded', 'the parcel waits for a later pickup');
    assert.deepEqual(alarmsOf(k), ['door-jammed:A2']);
    assert.deepEqual(
      audited(k, 'door-failed').map((entry) => [entry.subject, entry.details.reason]),
      [['A2', 'jammed']],
    );
    assert.deepEqual(unlockedLocks(k), [lockOf('A2')], 'one unlock, not repeated');
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(k.store.verifyAudit().ok);
  });

  test('silent board: the door cannot open, the citizen is told, the parcel stays, staff are alerted', async () => {
    const k = await terminal({ oneClock: true });
    const parcel = deposit(k, 'A2');
    startPickup(k);
    k.type(CODE);
    k.sim.faults.silentBoards.add(0);
    k.press({ type: 'SUBMIT' });
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-board-silent' });
    assert.equal(k.sim.door(0, lockOf('A2')).open, false);
    assert.equal(k.store.item(parcel.id)?.status, 'loaded');
    assert.deepEqual(alarmsOf(k), ['door-board-silent:A2']);
    assert.deepEqual(k.store.openIntents(), [], 'the intent is settled as failed');
    assert.deepEqual(
      audited(k, 'door-failed').map((entry) => [entry.subject, entry.details.reason]),
      [['A2', 'board-silent']],
    );
    assert.ok(k.store.verifyAudit().ok);
  });

  test('door left open: an alarm for staff, the citizen is still asked to close it, the session does not end', async () => {
    const k = await terminal({ lockerTiming: { leftOpenMs: 1000 }, oneClock: true });
    const parcel = deposit(k, 'A2');
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('parcel.take-and-close');
    assert.equal(k.store.item(parcel.id)?.status, 'picked_up', 'taken when the door opened');

    await k.until('the left-open alarm', () => alarmsOf(k).includes('door-left-open:A2'), 4000);
    assert.deepEqual(
      audited(k, 'door-left-open').map((entry) => entry.subject),
      ['A2'],
    );
    // Long past the inactivity limit: the door is open, so the session waits.
    k.clock.advance(DEFAULT_TIMERS.inactivityMs * 3);
    await k.settle(); // the core's tick and the locker's poll at that time have run
    const still = k.core.view();
    assert.equal(still.screen, 'parcel.take-and-close');
    assert.equal(still.props.compartment, 'A2');
    assert.deepEqual(
      k.store.openIntents().map((intent) => intent.state),
      ['opened'],
    );

    takeAndClose(k, 'A2');
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
    assert.deepEqual(alarmsOf(k), ['door-left-open:A2'], 'one alarm');
    assert.equal(k.store.compartment('A2')?.door, 'closed');
  });

  test("forced open: another person's compartment is forced while a citizen types; alarm and audit, nothing is picked up, the citizen goes on", async () => {
    const k = await terminal({ oneClock: true });
    const mine = deposit(k, 'A2');
    const theirs = deposit(k, 'A3', OTHER_CODE);
    startPickup(k);
    k.type(CODE.slice(0, 3));
    k.sim.forceOpen(0, lockOf('A3'));
    await k.until('the forced-open alarm', () => alarmsOf(k).includes('door-forced-open:A3'));
    assert.deepEqual(
      audited(k, 'door-forced-open').map((entry) => entry.subject),
      ['A3'],
    );
    assert.equal(k.store.item(theirs.id)?.status, 'loaded', 'a forced door is no pickup');
    assert.equal(k.store.compartment('A3')?.door, 'open');
    await k.run(1000);
    const view = k.core.view();
    assert.equal(view.screen, 'parcel.code');
    assert.equal(view.props.entered, 3, 'what was typed is kept');

    k.type(CODE.slice(3));
    k.press({ type: 'SUBMIT' });
    const open = await k.waitForScreen('parcel.take-and-close');
    assert.equal(open.props.compartment, 'A2');
    takeAndClose(k, 'A2');
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
    assert.equal(k.store.item(mine.id)?.status, 'picked_up');
    assert.deepEqual(unlockedLocks(k), [lockOf('A2')], 'the forced door was never unlocked');
  });

  test('adapter unplugged before the door opens: failed door-port-closed, the parcel stays; after the replug the code works', async () => {
    const k = await terminal({ oneClock: true });
    const parcel = deposit(k, 'A2');
    startPickup(k);
    k.type(CODE);
    await k.sim.unplug();
    await k.until('the bus notices', () => k.locker.bus('main')?.state !== 'open');
    k.press({ type: 'SUBMIT' });
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-port-closed' });
    assert.equal(k.store.item(parcel.id)?.status, 'loaded');
    assert.deepEqual(alarmsOf(k), ['door-port-closed:A2']);
    assert.deepEqual(unlockedLocks(k), [], 'nothing reached the board');
    assert.deepEqual(k.store.openIntents(), []);

    await k.sim.replug();
    await k.until('the bus reopens', () => k.locker.bus('main')?.state === 'open', 8000);
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('parcel.take-and-close');
    assert.equal(k.store.item(parcel.id)?.status, 'picked_up');
  });

  test('adapter unplugged while the door is open: the close is not assumed; after the replug it is seen and the pickup ends', async () => {
    const k = await terminal({ oneClock: true });
    const parcel = deposit(k, 'A2');
    startPickup(k);
    k.type(CODE);
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('parcel.take-and-close');
    await k.sim.unplug();
    await k.until('the bus notices', () => k.locker.bus('main')?.state !== 'open');
    takeAndClose(k, 'A2');
    await k.run(10_000); // reopen attempts fail meanwhile: the adapter is gone
    assert.equal(k.core.view().screen, 'parcel.take-and-close', 'nothing is assumed');
    assert.deepEqual(
      k.store.openIntents().map((intent) => intent.state),
      ['opened'],
    );

    await k.sim.replug();
    assert.deepEqual(await survey(k, 8000), { outcome: 'completed', reason: null });
    assert.equal(k.store.item(parcel.id)?.status, 'picked_up');
    assert.deepEqual(unlockedLocks(k), [lockOf('A2')], 'one unlock in all');
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(k.store.verifyAudit().ok);
  });
});

describe('parcel pickup: restart', () => {
  test('restarted while the first of two doors stands open: its restored door is told it closed, the second opens, no door twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-parcel-restart-'));
    try {
      const first = await terminal({ dir });
      const parcelsIn = [deposit(first, 'A2'), deposit(first, 'A3')];
      startPickup(first);
      first.type(CODE);
      first.press({ type: 'SUBMIT' });
      await waitForView(first, 'parcel.take-and-close', (p) => p.compartment === 'A2');
      assert.deepEqual(unlockedLocks(first), [lockOf('A2')]);
      await first.close(); // the door child of A2 is persisted with the session

      // The new simulator's doors are shut: recovery finds A2 closed, the session is told so.
      const k = await startKiosk({ dir });
      kiosk = k;
      k.sim.setItem(0, lockOf('A3'), true);
      const two = await waitForView(k, 'parcel.take-and-close', (p) => p.compartment === 'A3');
      assert.equal(two.props.remainingDoors, 0);
      takeAndClose(k, 'A3');
      assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
      assert.deepEqual(unlockedLocks(k), [lockOf('A3')], 'A2 was not unlocked again');
      for (const parcel of parcelsIn) assert.equal(k.store.item(parcel.id)?.status, 'picked_up');
      assert.deepEqual(k.store.openIntents(), []);
      assert.ok(k.store.verifyAudit().ok);
    } finally {
      await kiosk?.close();
      kiosk = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a session saved by the version before is not restored: the terminal starts afresh and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-parcel-old-'));
    try {
      const first = await terminal({ dir });
      deposit(first, 'A2');
      startPickup(first);
      first.type(CODE);
      first.press({ type: 'SUBMIT' });
      await first.waitForScreen('parcel.take-and-close');
      await first.close();
      const saved = openTestStore({ dir, clock: systemClock, logger: memoryLogger() });
      const snapshot = saved.store.loadSnapshot('session');
      assert.ok(snapshot);
      saved.store.saveSnapshot(
        'session',
        'session',
        SESSION_MACHINE_VERSION - 1,
        snapshot.snapshot,
      );
      saved.db.close();

      const k = await startKiosk({ dir });
      kiosk = k;
      await k.waitForScreen('attract');
      assert.ok(
        k.logger.entries.some((entry) => entry.event === 'core.snapshot_version_mismatch'),
        'the mismatch is logged',
      );
      assert.deepEqual(unlockedLocks(k), [], 'nothing is unlocked again');
      assert.deepEqual(k.store.openIntents(), [], 'the open door was settled by recovery');
    } finally {
      await kiosk?.close();
      kiosk = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
