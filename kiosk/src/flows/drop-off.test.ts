/**
 * Drop-off / returns at a real terminal (kiosk core, real SQLite file, lock-board simulator
 * over a pty): the receipt, a shared drop-off compartment, a full or missing one, a reference
 * dropped off before or left behind by an interrupted visit, and one test per hardware fault
 * — what the citizen sees (screen and props) and what the store holds (the drop-off, door
 * intents, outbox, audit).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '@amtomat/basics';
import { folderPrinter } from '../receipts/folder-printer.ts';
import { createReceipts } from '../receipts/receipts.ts';
import type { Item } from '../store/types.ts';
import { type KioskFixture, startKiosk, TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { FULL_ADVICE, receiptNumberOf } from './drop-off.flow.ts';
import {
  alarmsOf,
  allOutbox,
  auditTrail,
  eventually,
  lockOf,
  putIn,
  unlockedLocks,
  waitForView,
} from './model-walk.testing.ts';
import { DEFAULT_TIMERS } from './session.machine.ts';

const DROP_OFF = 'A4';
const LABEL = 'RL-2025-0815-4711';
const REFERENCE = 'RL202508154711';

let kiosk: KioskFixture | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

/** A terminal whose A4 is the drop-off compartment (unless `dropOff` is false). */
async function terminal(
  options: Parameters<typeof startKiosk>[0] & { dropOff?: boolean } = {},
): Promise<KioskFixture> {
  const { dropOff = true, ...fixture } = options;
  kiosk = await startKiosk(fixture);
  await kiosk.waitForScreen('attract');
  if (dropOff) {
    const config = TEST_COMPARTMENTS.find((candidate) => candidate.label === DROP_OFF)!;
    kiosk.store.upsertCompartments([{ ...config, purpose: 'drop-off', bus: 'main', board: 0 }]);
  }
  return kiosk;
}

function startDropOff(k: KioskFixture) {
  k.press({ type: 'CHOOSE', service: 'drop-off' });
}

const scan = (k: KioskFixture, text: string) =>
  assert.ok(k.core.deviceInput({ type: 'SCAN', text, symbology: 'C39' }).ok);

/** The drop-off of this reference as the store has it. */
const theDropOff = (k: KioskFixture, reference = REFERENCE): Item | undefined =>
  k.store.itemByReference(reference);

const audited = (k: KioskFixture, action: string) =>
  auditTrail(k).filter((entry) => entry.action === action);

const outboxOf = (k: KioskFixture, type: string) =>
  allOutbox(k).filter((event) => event.type === type);

async function survey(k: KioskFixture, timeoutMs = 4000) {
  const view = await k.waitForScreen('survey', timeoutMs);
  return { outcome: view.props.outcome, reason: view.props.reason };
}

/** Scans the label and waits for the open door. */
async function upToTheOpenDoor(k: KioskFixture, label = LABEL) {
  startDropOff(k);
  scan(k, label);
  return waitForView(k, 'drop-off.put-in-and-close');
}

describe('drop-off: the visit', () => {
  test('scan, door, put in and close: receipt with number, time and masked reference; recorded with the close', async () => {
    const k = await terminal();
    const open = await upToTheOpenDoor(k);
    assert.equal(open.props.compartment, DROP_OFF);
    assert.equal(open.props.reference, '**********4711');
    const announced = theDropOff(k);
    assert.equal(announced?.status, 'announced', 'announced before the door opened');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 0, 'nothing sent before the close');

    await putIn(k, DROP_OFF);
    k.clock.advance(20_000); // the time it takes
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    const receipt = await k.waitForScreen('drop-off.receipt');
    const item = theDropOff(k)!;
    assert.equal(item.status, 'dropped_off');
    assert.equal(item.compartment, DROP_OFF);
    assert.equal(item.loadedAt, k.clock.now());
    assert.deepEqual(
      {
        receiptNumber: receipt.props.receiptNumber,
        droppedOffAt: receipt.props.droppedOffAt,
        reference: receipt.props.reference,
      },
      {
        receiptNumber: receiptNumberOf(item.id),
        droppedOffAt: k.clock.now(),
        reference: '**********4711',
      },
    );
    assert.match(String(receipt.props.receiptNumber), /^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    const [event] = outboxOf(k, 'item-dropped-off');
    assert.deepEqual(event?.payload, {
      itemId: item.id,
      kind: 'drop-off',
      reference: REFERENCE,
      compartment: DROP_OFF,
      droppedOffAt: k.clock.now(),
    });
    // The drop-off is written in the same transaction as the door's close: its audit entry
    // sits between the close of the door and of its intent.
    const trail = auditTrail(k).map((entry) => entry.action);
    const closed = trail.indexOf('door-closed');
    assert.deepEqual(trail.slice(closed, closed + 3), [
      'door-closed',
      'intent-closed',
      'item-dropped-off',
    ]);

    k.press({ type: 'CONFIRM' });
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    const ended = k.store.usageEvents().find((usage) => usage.type === 'session-ended');
    assert.equal(ended?.service, 'drop-off');
    assert.equal(ended?.data.outcome, 'completed');
    assert.ok(!JSON.stringify(k.store.usageEvents()).includes('4711'), 'no reference in usage');
    assert.ok(!JSON.stringify(k.logger.entries).includes('4711'), 'nor in the logs');
  });

  test('"print receipt": the receipt number and compartment on paper, not the reference', async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'amtomat-receipts-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const receipts = createReceipts({
      printer: folderPrinter(folder),
      terminal: 'Rathaus Mayen',
      timeZone: 'Europe/Berlin',
      now: () => Date.UTC(2026, 11, 6, 8, 30),
      logger: silentLogger,
    });
    const k = await terminal({ receipts });
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    const receipt = await k.waitForScreen('drop-off.receipt');
    assert.equal(receipt.props.printer, true);
    k.press({ type: 'PRINT' });
    await k.until('printed', () => k.core.view().props.print === 'printed');
    const [file] = readdirSync(folder);
    const text = pdfText(join(folder, file!));
    assert.match(text, new RegExp(String(receipt.props.receiptNumber)));
    assert.match(text, /Unterlagen abgegeben/);
    assert.match(text, new RegExp(`Fach ${DROP_OFF}`));
    assert.ok(!text.includes('4711'), 'no part of the reference on paper');
    k.press({ type: 'CONFIRM' });
    assert.deepEqual(await survey(k), { outcome: 'completed', reason: null });
  });

  test('walking away from the receipt: the visit counts as completed (walked away), not timed out', async () => {
    const k = await terminal();
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await k.waitForScreen('drop-off.receipt');
    k.clock.advance(DEFAULT_TIMERS.inactivityMs + 1000);
    k.core.tick();
    await k.waitForScreen('attract');
    const ended = k.store.usageEvents().find((usage) => usage.type === 'session-ended');
    assert.deepEqual(
      { outcome: ended?.data.outcome, reason: ended?.data.reason },
      { outcome: 'completed', reason: 'walked-away' },
    );
    assert.equal(theDropOff(k)?.status, 'dropped_off');
  });

  test('a typed reference works like a scanned one; the drop-off compartment collects several drop-offs', async () => {
    const k = await terminal();
    for (const [index, reference] of ['FORM1234', 'OLDPASS998877'].entries()) {
      startDropOff(k);
      k.type(reference);
      const typing = k.core.view();
      assert.equal(typing.props.entered, reference.length);
      assert.equal(
        typing.props.reference,
        `${'*'.repeat(reference.length - 4)}${reference.slice(-4)}`,
      );
      k.press({ type: 'SUBMIT' });
      await waitForView(k, 'drop-off.put-in-and-close');
      await putIn(k, DROP_OFF);
      k.sim.closeDoor(0, lockOf(DROP_OFF));
      await k.waitForScreen('drop-off.receipt');
      k.press({ type: 'CONFIRM' });
      await k.waitForScreen('survey');
      k.press({ type: 'FINISH' });
      await k.waitForScreen('attract');
      assert.equal(k.store.itemsInCompartment(DROP_OFF).length, index + 1);
    }
    assert.equal(k.store.compartment(DROP_OFF)?.uses, 2);
    assert.deepEqual(unlockedLocks(k), [lockOf(DROP_OFF), lockOf(DROP_OFF)]);
  });

  test('a reference already dropped off is refused on the reference screen; nothing opens', async () => {
    const k = await terminal();
    assert.ok(
      k.store.markDroppedOff({ reference: REFERENCE, compartment: DROP_OFF, sessionId: 'before' })
        .ok,
    );
    startDropOff(k);
    scan(k, LABEL);
    const refused = await waitForView(
      k,
      'drop-off.reference',
      (props) => props.error === 'already-dropped-off',
    );
    assert.equal(refused.props.entered, 0);
    assert.deepEqual(unlockedLocks(k), []);
    assert.equal(k.store.itemsWithStatus('announced').length, 0);
  });

  test('no drop-off compartment at all: the full screen with advice, outcome failed no-compartment; pickup compartments are never used', async () => {
    const k = await terminal({ dropOff: false });
    startDropOff(k);
    k.type('RETURN42');
    k.press({ type: 'SUBMIT' });
    const full = await k.waitForScreen('drop-off.full');
    assert.deepEqual(full.props.advice, FULL_ADVICE);
    assert.equal(full.props.compartment, null);
    k.press({ type: 'CONFIRM' });
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'no-compartment' });
    assert.deepEqual(unlockedLocks(k), []);
    assert.equal(k.store.itemByReference('RETURN42'), undefined, 'no drop-off was announced');
  });

  test('a drop-off left announced by an interrupted visit does not block the reference', async () => {
    const k = await terminal();
    const stale = k.store.announceItem({ kind: 'drop-off', reference: REFERENCE });
    await upToTheOpenDoor(k);
    assert.equal(k.store.item(stale.id)?.status, 'cancelled');
    assert.deepEqual(
      audited(k, 'item-cancelled').map((entry) => [entry.subject, entry.details.reason]),
      [[stale.id, 'abandoned']],
    );
    await putIn(k, DROP_OFF);
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await k.waitForScreen('drop-off.receipt');
    assert.equal(theDropOff(k)?.status, 'dropped_off');
    assert.notEqual(theDropOff(k)?.id, stale.id);
  });
});

describe('drop-off: hardware faults', () => {
  test('jammed lock: the citizen is told, no drop-off is recorded, staff are alerted, no second unlock; the reference stays usable', async () => {
    const k = await terminal({ oneClock: true });
    k.sim.jam(0, lockOf(DROP_OFF));
    startDropOff(k);
    scan(k, LABEL);
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-jammed' });
    await k.until('cancelled', () => theDropOff(k)?.status === 'cancelled');
    await k.run(3000); // three seconds of polls of the jammed door
    assert.equal(outboxOf(k, 'item-dropped-off').length, 0);
    assert.deepEqual(alarmsOf(k), [`door-jammed:${DROP_OFF}`]);
    assert.deepEqual(
      audited(k, 'door-failed').map((entry) => [entry.subject, entry.details.reason]),
      [[DROP_OFF, 'jammed']],
    );
    assert.deepEqual(
      audited(k, 'item-cancelled').map((entry) => entry.details.reason),
      ['door-jammed'],
    );
    assert.deepEqual(unlockedLocks(k), [lockOf(DROP_OFF)], 'one unlock, not repeated');
    assert.deepEqual(k.store.openIntents(), []);

    // Fixed by staff: the same return can be dropped off.
    k.sim.jam(0, lockOf(DROP_OFF), false);
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await k.waitForScreen('drop-off.receipt');
    assert.equal(theDropOff(k)?.status, 'dropped_off');
    assert.ok(k.store.verifyAudit().ok);
  });

  test('silent board: the door cannot open, the citizen is told, no drop-off is recorded, staff are alerted', async () => {
    const k = await terminal({ oneClock: true });
    startDropOff(k);
    k.sim.faults.silentBoards.add(0);
    scan(k, LABEL);
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-board-silent' });
    await k.until('cancelled', () => theDropOff(k)?.status === 'cancelled');
    assert.equal(k.sim.door(0, lockOf(DROP_OFF)).open, false);
    assert.equal(outboxOf(k, 'item-dropped-off').length, 0);
    assert.deepEqual(alarmsOf(k), [`door-board-silent:${DROP_OFF}`]);
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(k.store.verifyAudit().ok);
  });

  test('door left open: an alarm for staff, the citizen is still asked to close it, nothing is recorded until it closes', async () => {
    const k = await terminal({ lockerTiming: { leftOpenMs: 1000 }, oneClock: true });
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    await k.until('the left-open alarm', () => alarmsOf(k).includes(`door-left-open:${DROP_OFF}`));
    assert.deepEqual(
      audited(k, 'door-left-open').map((entry) => entry.subject),
      [DROP_OFF],
    );
    k.clock.advance(DEFAULT_TIMERS.inactivityMs * 3);
    await k.settle(); // the core's tick and the locker's poll at that time have run
    const still = k.core.view();
    assert.equal(still.screen, 'drop-off.put-in-and-close', 'the session does not end');
    assert.equal(still.props.compartment, DROP_OFF);
    assert.equal(theDropOff(k)?.status, 'announced', 'not in until the door is shut');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 0);

    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await k.waitForScreen('drop-off.receipt');
    assert.equal(theDropOff(k)?.status, 'dropped_off');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 1);
    assert.deepEqual(alarmsOf(k), [`door-left-open:${DROP_OFF}`], 'one alarm');
  });

  test('forced open: the drop-off compartment is forced after a drop-off; alarm and audit, the drop-off stays recorded, no new drop-offs until it is shut', async () => {
    const k = await terminal();
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    const receipt = await k.waitForScreen('drop-off.receipt');
    const item = theDropOff(k)!;

    k.sim.forceOpen(0, lockOf(DROP_OFF));
    await eventually('the forced-open alarm', () =>
      alarmsOf(k).includes(`door-forced-open:${DROP_OFF}`),
    );
    assert.deepEqual(
      audited(k, 'door-forced-open').map((entry) => entry.subject),
      [DROP_OFF],
    );
    assert.deepEqual(k.core.view().props, receipt.props, 'the receipt stays as it was');
    assert.equal(k.store.item(item.id)?.status, 'dropped_off');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 1, 'recorded once');

    // The next citizen: a forced compartment takes nothing until staff have shut it.
    k.press({ type: 'CONFIRM' });
    await k.waitForScreen('survey');
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    startDropOff(k);
    k.type('NEXT1234');
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('drop-off.full');
    k.press({ type: 'BACK' });
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'no-compartment' });
    assert.deepEqual(unlockedLocks(k), [lockOf(DROP_OFF)], 'the forced door was not unlocked');
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await eventually('shut again', () => k.store.compartment(DROP_OFF)?.door === 'closed');
    assert.equal(k.store.chooseDropOffCompartment({ size: 'M' })?.label, DROP_OFF);
  });

  test('adapter unplugged before the door opens: failed door-port-closed, no drop-off recorded, an alarm', async () => {
    const k = await terminal();
    startDropOff(k);
    await k.sim.unplug();
    await eventually('the bus notices', () => k.locker.bus('main')?.state !== 'open');
    scan(k, LABEL);
    assert.deepEqual(await survey(k), { outcome: 'failed', reason: 'door-port-closed' });
    await eventually('cancelled', () => theDropOff(k)?.status === 'cancelled');
    assert.deepEqual(alarmsOf(k), [`door-port-closed:${DROP_OFF}`]);
    assert.deepEqual(unlockedLocks(k), [], 'nothing reached the board');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 0);
    assert.deepEqual(k.store.openIntents(), []);
  });

  test('adapter unplugged while the door is open: the close is not assumed; after the replug it is seen and the drop-off recorded once', async () => {
    const k = await terminal({ oneClock: true });
    await upToTheOpenDoor(k);
    await putIn(k, DROP_OFF);
    await k.sim.unplug();
    await k.until('the bus notices', () => k.locker.bus('main')?.state !== 'open');
    k.sim.closeDoor(0, lockOf(DROP_OFF));
    await k.run(10_000); // reopen attempts fail meanwhile: the adapter is gone
    assert.equal(k.core.view().screen, 'drop-off.put-in-and-close', 'nothing is assumed');
    assert.equal(theDropOff(k)?.status, 'announced');

    await k.sim.replug();
    await k.waitForScreen('drop-off.receipt', 8000);
    assert.equal(theDropOff(k)?.status, 'dropped_off');
    assert.equal(outboxOf(k, 'item-dropped-off').length, 1);
    assert.deepEqual(unlockedLocks(k), [lockOf(DROP_OFF)], 'one unlock in all');
    assert.ok(k.store.verifyAudit().ok);
  });
});
