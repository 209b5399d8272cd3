/**
 * Hardware faults during a document pickup, one test each, through the real kiosk core on a
 * real SQLite file with the lock-board simulator over a pty: what the citizen sees (screen
 * and props) and what the store holds (item, door intents, outbox, audit). The jammed lock
 * is covered in kiosk-core.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_TIMERS } from '../flows/session.machine.ts';
import { auditEntries } from '../store/audit.ts';
import { STORE_FILE } from '../store/db.ts';
import type { Item } from '../store/types.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { eventually } from '../testing/wait.ts';
import type { View } from './views.ts';

const CODE = '583016';
const BIRTH_DATE = '1987-04-12';
const TYPED_BIRTH_DATE = '12041987';

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

/** A document with a date of birth, loaded by staff into A2 (lock 2) and seen there. */
function loadDocument(k: KioskFixture): Item {
  const item = k.store.announceItem({
    kind: 'document',
    reference: 'DOC-FAULT-1',
    code: CODE,
    secondFactor: BIRTH_DATE,
  });
  assert.ok(k.store.markLoaded(item.id, 'A2', 'staff-7').ok);
  k.sim.setItem(0, 2, true);
  return item;
}

/** Code and date of birth typed; the next SUBMIT is the one that opens the door. */
async function upToTheDoor(k: KioskFixture) {
  k.press({ type: 'CHOOSE', service: 'document-pickup' });
  k.type(CODE);
  k.press({ type: 'SUBMIT' });
  await k.waitForScreen('pickup.date-of-birth');
  k.type(TYPED_BIRTH_DATE);
}

const outbox = (k: KioskFixture) => k.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000);
const alarms = (k: KioskFixture) =>
  outbox(k)
    .filter((event) => event.type === 'alarm')
    .map((event) => event.payload);
const unlocks = (k: KioskFixture) =>
  k.sim.received.flatMap(({ command }) => (command.kind === 'unlock' ? [command.lock] : []));
/** Status polls the board has heard: the locker's chances to see (and do) something. */
const polls = (k: KioskFixture) =>
  k.sim.received.filter(({ command }) => command.kind === 'status').length;

/** The audit as written to the file, read through a second, read-only connection. */
function audit(k: KioskFixture) {
  const db = new Database(join(k.dir, STORE_FILE), { readonly: true });
  try {
    return auditEntries(db);
  } finally {
    db.close();
  }
}

const surveyOf = (
  outcome: 'completed' | 'failed',
  reason: string | null,
  reopenUntil: number | null = null,
): Pick<View, 'screen' | 'props'> => ({
  screen: 'survey',
  props: {
    service: 'document-pickup',
    outcome,
    reason,
    answered: { satisfaction: null, alternative: null },
    reopenUntil,
    doorOpen: false,
  },
});
/** A completed pickup's door may be opened again until the grace after its close ends. */
const graceFromNow = (k: KioskFixture) => k.clock.now() + DEFAULT_TIMERS.reopenGraceMs;
const shown = (view: View) => ({ screen: view.screen, props: view.props });

function sessionEnds(k: KioskFixture) {
  return k.store.usageEvents().filter((event) => event.type === 'session-ended');
}

describe('hardware faults during a document pickup', () => {
  test('silent board: the door cannot open; failed with a reason, the document stays, staff are alarmed, no second unlock', async () => {
    const k = await terminal({ oneClock: true });
    const item = loadDocument(k);
    await upToTheDoor(k);
    k.sim.faults.silentBoards.add(0);
    k.press({ type: 'SUBMIT' });

    const opening = await k.waitForScreen('pickup.door');
    assert.equal(opening.props.compartment, 'A2');
    const survey = await k.waitForScreen('survey', 6000);
    assert.deepEqual(shown(survey), surveyOf('failed', 'door-board-silent'));

    assert.equal(k.store.item(item.id)?.status, 'loaded', 'the document stays for later');
    assert.equal(k.sim.door(0, 2).open, false);
    assert.deepEqual(alarms(k), [{ kind: 'door-board-silent', compartment: 'A2' }]);
    assert.ok(!outbox(k).some((event) => event.type === 'item-picked-up'));
    const [intent] = k.store.intentsOfSession(k.store.usageEvents()[0]!.sessionId);
    assert.equal(intent?.state, 'failed');
    assert.equal(intent?.failure, 'board-silent');
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(audit(k).some((entry) => entry.action === 'door-failed' && entry.subject === 'A2'));
    assert.ok(k.store.verifyAudit().ok);

    // The board speaks again: nothing unlocks the door on its own, however often it is polled.
    k.sim.faults.silentBoards.delete(0);
    const before = polls(k);
    await k.run(3000);
    assert.ok(polls(k) - before >= 50, `polled ${polls(k) - before} times in those 3 s`);
    assert.deepEqual(unlocks(k), [2], 'the one unlock that went unanswered, no second one');
    assert.equal(k.sim.door(0, 2).unlocks, 0, 'the silent board never acted on it');
    assert.equal(k.store.item(item.id)?.status, 'loaded');
  });

  test('door left open after the pickup: left-open alarm, and the session waits for the door past its inactivity time', async () => {
    const k = await terminal({ lockerTiming: { leftOpenMs: 1000 }, oneClock: true });
    const item = loadDocument(k);
    await upToTheDoor(k);
    k.press({ type: 'SUBMIT' });
    const open = await k.waitForOpenDoor('pickup.door');
    assert.equal(open.props.compartment, 'A2');
    assert.equal(k.store.item(item.id)?.status, 'picked_up');
    k.sim.setItem(0, 2, false); // the citizen takes the document, and walks away

    const alarm = await k.until('a left-open alarm', () =>
      alarms(k).find((payload) => payload.kind === 'door-left-open'),
    );
    assert.equal(alarm.compartment, 'A2');
    assert.ok(Number(alarm.openForMs) >= 1000, `open for ${alarm.openForMs} ms`);
    assert.ok(
      audit(k).some((entry) => entry.action === 'door-left-open' && entry.subject === 'A2'),
    );

    // Well past the inactivity timeout, twice over, for the core and the locker alike: the
    // door stands open, the session stays.
    for (const step of [DEFAULT_TIMERS.inactivityMs + 1000, 30 * 60_000]) {
      k.clock.advance(step);
      await k.settle(); // the core's tick and the locker's poll at that time have run
      const view = k.core.view();
      assert.equal(view.screen, 'pickup.door');
      assert.equal(view.props.doorOpen, true);
      assert.equal(view.props.compartment, 'A2');
      assert.deepEqual(sessionEnds(k), [], 'the session has not ended');
    }
    assert.equal(
      alarms(k).filter((payload) => payload.kind === 'door-left-open').length,
      1,
      'one alarm per opening',
    );

    k.sim.closeDoor(0, 2);
    const survey = await k.waitForScreen('survey');
    assert.deepEqual(shown(survey), surveyOf('completed', null, graceFromNow(k)));
    assert.deepEqual(unlocks(k), [2]);
    assert.deepEqual(k.store.openIntents(), []);
    assert.equal(k.store.compartment('A2')?.door, 'closed');
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');
    assert.equal(sessionEnds(k)[0]?.data.outcome, 'completed', 'not timed out');
    assert.ok(k.store.verifyAudit().ok);
  });

  test('another compartment forced open during the pickup: audited and alarmed, the pickup goes on', async () => {
    const k = await terminal({ oneClock: true });
    const item = loadDocument(k);
    await upToTheDoor(k);
    k.press({ type: 'SUBMIT' });
    const before = await k.waitForOpenDoor('pickup.door');

    k.sim.forceOpen(0, 3);
    const alarm = await k.until('a forced-open alarm', () =>
      alarms(k).find((payload) => payload.kind === 'door-forced-open'),
    );
    assert.deepEqual(alarm, { kind: 'door-forced-open', compartment: 'A3' });
    assert.ok(
      audit(k).some((entry) => entry.action === 'door-forced-open' && entry.subject === 'A3'),
    );
    assert.equal(k.store.compartment('A3')?.door, 'open');
    await k.run(1000);
    assert.deepEqual(shown(k.core.view()), shown(before), 'the citizen sees no change');

    k.sim.setItem(0, 2, false);
    k.sim.closeDoor(0, 2);
    const survey = await k.waitForScreen('survey');
    assert.deepEqual(shown(survey), surveyOf('completed', null, graceFromNow(k)));
    assert.equal(k.store.item(item.id)?.status, 'picked_up');
    assert.equal(
      outbox(k).filter((event) => event.type === 'item-picked-up').length,
      1,
      'picked up once',
    );
    assert.deepEqual(unlocks(k), [2], 'A3 was never unlocked');
    assert.deepEqual(
      alarms(k).map((payload) => payload.kind),
      ['door-forced-open'],
    );
    k.sim.closeDoor(0, 3);
    await k.until('A3 seen closed', () => k.store.compartment('A3')?.door === 'closed');
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(k.store.verifyAudit().ok);
  });

  test('adapter unplugged before the door opens: failed door-port-closed, the document stays; after replug a new pickup works', async () => {
    const k = await terminal();
    const item = loadDocument(k);
    await upToTheDoor(k);
    await k.sim.unplug();
    await eventually('the bus sees the adapter gone', () => k.locker.bus('main')?.state !== 'open');
    k.press({ type: 'SUBMIT' });

    const survey = await k.waitForScreen('survey');
    assert.deepEqual(shown(survey), surveyOf('failed', 'door-port-closed'));
    assert.equal(k.store.item(item.id)?.status, 'loaded');
    assert.deepEqual(alarms(k), [{ kind: 'door-port-closed', compartment: 'A2' }]);
    assert.deepEqual(unlocks(k), [], 'nothing reached the board');
    assert.equal(k.sim.door(0, 2).open, false);
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(audit(k).some((entry) => entry.action === 'door-failed' && entry.subject === 'A2'));
    k.press({ type: 'FINISH' });
    await k.waitForScreen('attract');

    await k.sim.replug();
    await eventually('the bus reopens', () => k.locker.bus('main')?.state === 'open', 15_000);
    await upToTheDoor(k);
    k.press({ type: 'SUBMIT' });
    const open = await k.waitForOpenDoor('pickup.door');
    assert.equal(open.props.compartment, 'A2');
    assert.equal(k.store.item(item.id)?.status, 'picked_up');
    k.sim.setItem(0, 2, false);
    k.sim.closeDoor(0, 2);
    assert.deepEqual(
      shown(await k.waitForScreen('survey')),
      surveyOf('completed', null, graceFromNow(k)),
    );
    assert.deepEqual(unlocks(k), [2], 'one unlock, by the second pickup');
    assert.deepEqual(k.store.openIntents(), []);
    assert.ok(k.store.verifyAudit().ok);
  });
});
