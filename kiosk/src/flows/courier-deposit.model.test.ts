/**
 * Model-based tests of the courier deposit flow: `xstate/graph` finds the shortest path to
 * every state worth reaching (each final outcome, each screen with each message and detour),
 * and each path runs against the real kiosk core on a real SQLite file with the lock-board
 * simulator over a pty. The driver turns the path's events into what people and devices do
 * (keys, a card, a scan, a door pushed shut) and arranges the world so that the core's own
 * answers are the ones the path expects (a courier enrolled or not, compartments occupied,
 * a lock jammed, the parcel in front of the sensor or not). After every step the screen and
 * its props must match the model; at the end the store must hold what the model implies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { getShortestPaths } from 'xstate/graph';
import { LOCKOUT } from '../core/lockout.ts';
import type { View } from '../core/views.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { courierDepositFlow } from './courier-deposit.flow.ts';
import type { CourierContext, CourierEvent, FreeCounts } from './courier-deposit.machine.ts';
import {
  initialSnapshot,
  type ModelSnapshot,
  modelMachine,
  NEAREST,
  PERSON_EVENTS,
  replay,
  STABLE,
  sampleEvents,
  serializeState,
  targetKey,
} from './courier-deposit.model.ts';
import {
  alarms,
  arrangeFree,
  COURIER,
  depositUsage,
  itemReadyFor,
  lastVisit,
  lockOf,
  NEAREST_STATION,
  parcelsWithReference,
  prepareStation,
  putParcel,
  STAFF,
  unlocksSent,
  WRONG_CODE,
  waitForView,
} from './courier-deposit.testing.ts';
import { leafState } from './flow.ts';

assert.equal(NEAREST, NEAREST_STATION, 'the model and the test terminal name the same station');

interface ModelPath {
  key: string;
  title: string;
  events: CourierEvent[];
}

/** A readable name of a path's end. */
function titleOf(snapshot: ModelSnapshot): string {
  const c = snapshot.context as CourierContext;
  const value = leafState(snapshot.value);
  if (snapshot.status === 'done') {
    return `ends (${value}) with outcome ${(snapshot.output as { outcome: string }).outcome}`;
  }
  const parts = [`${courierDepositFlow.screens[value]}`];
  if (c.error) parts.push(`error ${c.error}`);
  if (value === 'sizeFull') parts.push(`${c.size} full, offer ${c.offer ?? 'none'}`);
  if (value === 'size' && c.itemId !== null) parts.push('announced parcel');
  if (c.deposited > 0) parts.push(`${c.deposited} deposited`);
  if (c.stepsReached.includes('size-full') && value !== 'sizeFull') parts.push('via a full size');
  if (c.stepsReached.includes('not-seen') && value !== 'notSeen') parts.push('after not seen');
  return parts.join(', ');
}

/** The shortest path to each target (see `targetKey`), shortest first. */
function modelPaths(): ModelPath[] {
  const paths = getShortestPaths(modelMachine, {
    events: sampleEvents as never,
    serializeState: serializeState as never,
  });
  const byKey = new Map<string, ModelPath>();
  for (const path of paths) {
    const events = path.steps.map((step) => step.event as CourierEvent).filter(isModelEvent);
    // The graph keeps one snapshot per serialised state; the replay has the path's own.
    const state = replay(events).at(-1) ?? initialSnapshot();
    assert.equal(serializeState(state), serializeState(path.state as ModelSnapshot));
    if (!STABLE.has(leafState(state.value))) continue;
    const key = targetKey(state);
    const known = byKey.get(key);
    if (!known || known.events.length > events.length) {
      byKey.set(key, { key, title: titleOf(state), events });
    }
  }
  return [...byKey.values()].sort((a, b) => a.events.length - b.events.length);
}

const isModelEvent = (event: CourierEvent) => !event.type.startsWith('xstate.');

/** What must be on screen in a stable state of the model. */
function expectedView(snapshot: ModelSnapshot) {
  const context = snapshot.context as CourierContext;
  if (snapshot.status === 'done') {
    const output = snapshot.output as { outcome: string; reason: string | null };
    // No survey for couriers: straight home, the outcome in the visit's usage record.
    return { screen: 'attract', outcome: output.outcome, reason: output.reason };
  }
  const state = leafState(snapshot.value);
  const screen = courierDepositFlow.screens[state];
  const expected: Record<string, unknown> = {
    screen,
    error: context.error,
    deposited: context.deposited,
  };
  if (state === 'login') expected.entered = context.entry.length;
  if (state === 'scan') expected.typed = context.entry.length;
  if (state === 'size' || state === 'sizeFull') {
    expected.free = context.free;
    expected.offer = context.offer;
    expected.requested = context.size;
    expected.announcedSize = context.announcedSize;
  }
  if (state === 'full') expected.nearest = context.nearest;
  return expected;
}

/** The same projection of the real view. */
function actualView(kiosk: KioskFixture, view: View, like: Record<string, unknown>) {
  if (like.screen === 'attract') {
    const visit = lastVisit(kiosk);
    return { screen: view.screen, outcome: visit?.data.outcome, reason: visit?.data.reason };
  }
  const { props } = view;
  const actual: Record<string, unknown> = {
    screen: view.screen,
    error: props.error,
    deposited: props.deposited,
  };
  if ('entered' in like) actual.entered = props.entered;
  if ('typed' in like) actual.typed = String(props.typed ?? '').length;
  if ('free' in like) {
    const sizes = (props.sizes ?? []) as { size: keyof FreeCounts; free: number }[];
    actual.free = Object.fromEntries(sizes.map(({ size, free }) => [size, free]));
    actual.offer = props.offer;
    actual.requested = props.requested;
    actual.announcedSize = props.announcedSize;
  }
  if ('nearest' in like) actual.nearest = props.nearest;
  return actual;
}

/** Runs one model path against a fresh terminal; returns what the run left behind. */
async function runPath(kiosk: KioskFixture, events: CourierEvent[]) {
  const snapshots = replay(events);
  prepareStation(kiosk);
  await kiosk.waitForScreen('attract');
  kiosk.press({ type: 'CHOOSE', service: 'courier-deposit' });
  await kiosk.waitForScreen('courier.login');

  /** The core's answers and door news that follow the person's event at `index`. */
  const answersAfter = (index: number) => {
    const answers: CourierEvent[] = [];
    for (let next = index + 1; next < events.length; next++) {
      if (PERSON_EVENTS.has(events[next]!.type)) break;
      answers.push(events[next]!);
    }
    return answers;
  };
  /** The first answer of a kind after `index`, across person events (e.g. the code's). */
  const nextAnswer = (index: number, prefix: string) =>
    events.slice(index + 1).find((event) => event.type.startsWith(prefix));

  let parcelNo = 0;
  const references: string[] = [];
  /** A scanned label looks real; a typed one has the length the model typed. */
  const referenceFor = (typedLength: number | null) => {
    const no = parcelNo + 1;
    return typedLength === null
      ? `PARCEL-${String(no).padStart(4, '0')}`
      : String.fromCharCode(65 + (no % 26)).repeat(Math.max(1, typedLength));
  };
  /** What the model had typed just before the event at `index`. */
  const typedBefore = (index: number) =>
    index === 0 ? 0 : (snapshots[index - 1]!.context as CourierContext).entry.length;
  /** Before a label reaches the core: the world the core's answer needs. */
  const arrangeParcel = (reference: string, answer: CourierEvent | undefined) => {
    if (answer?.type === 'ANSWER_PARCEL') {
      if (answer.itemId !== null) {
        kiosk.store.announceItem({
          kind: 'parcel',
          reference,
          recipientRef: `RCPT-${reference}`,
          size: answer.announcedSize,
        });
      }
      arrangeFree(kiosk, answer.free);
    } else if (answer?.type === 'ANSWER_PARCEL_REFUSED') {
      const parcel = kiosk.store.announceItem({ kind: 'parcel', reference, size: 'S' });
      const free = kiosk.store.freeCompartments({ purpose: 'pickup' })[0]!;
      assert.ok(kiosk.store.markLoaded(parcel.id, free.label, 'courier-other').ok);
    }
  };
  const jamAll = (jammed: boolean) => {
    for (const label of ['A1', 'A2', 'A3', 'A4']) kiosk.sim.jam(0, lockOf(label), jammed);
  };

  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (!PERSON_EVENTS.has(event.type)) continue;
    const before = index === 0 ? 'login' : leafState(snapshots[index - 1]!.value);
    const answers = answersAfter(index);
    const first = answers[0];
    // Whatever this event opens: a jam when the model says the door fails.
    if (answers.some((answer) => answer.type === 'DOOR_FAILED')) jamAll(true);
    else if (answers.some((answer) => answer.type === 'DOOR_OPENED')) jamAll(false);
    if (first?.type === 'ANSWER_SIZE_FULL') arrangeFree(kiosk, first.free);

    switch (event.type) {
      case 'KEY': {
        const context = snapshots[index]!.context as CourierContext;
        if (before === 'login') {
          const answer = nextAnswer(index, 'ANSWER_COURIER');
          const code = answer?.type === 'ANSWER_COURIER_OK' ? COURIER.code : WRONG_CODE;
          kiosk.press({ type: 'KEY', key: code[context.entry.length - 1] });
        } else {
          const reference = referenceFor(typedBefore(nextSubmit(events, index)));
          kiosk.press({ type: 'KEY', key: reference[context.entry.length - 1] });
        }
        break;
      }
      case 'SUBMIT': {
        if (before === 'login' && first?.type === 'ANSWER_COURIER_WRONG' && first.lockedUntil) {
          // Four wrong codes were typed here already: this one engages the lock.
          const since = kiosk.clock.now() - LOCKOUT.windowMs;
          while (kiosk.store.codeFailuresSince(since) < LOCKOUT.maxFailures - 1) {
            kiosk.store.recordCodeFailure(kiosk.clock.now());
          }
        }
        if (before === 'scan' && first) {
          const reference = referenceFor(typedBefore(index));
          arrangeParcel(reference, first);
          references.push(reference);
          parcelNo++;
        }
        kiosk.press({ type: 'SUBMIT' });
        break;
      }
      case 'CARD': {
        const uid = first?.type === 'ANSWER_COURIER_OK' ? COURIER.card : STAFF.card;
        assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid }).ok);
        break;
      }
      case 'SCAN': {
        let text = event.text;
        if (first) {
          text = referenceFor(null);
          arrangeParcel(text, first);
          references.push(text);
          parcelNo++;
        }
        assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text, symbology: 'C' }).ok);
        break;
      }
      case 'DOOR_CLOSED': {
        const compartment = String(kiosk.core.view().props.compartment);
        await putParcel(kiosk, compartment, first?.type === 'ANSWER_DEPOSIT_LOADED');
        kiosk.sim.closeDoor(0, lockOf(compartment));
        break;
      }
      default:
        kiosk.press(event as Record<string, unknown>);
    }
    const last = index + answers.length;
    const state = snapshots[last]!;
    const expected = expectedView(state);
    const view = await waitForView(kiosk, (candidate) =>
      isDeepStrictEqual(actualView(kiosk, candidate, expected), expected),
    );
    assert.deepEqual(
      actualView(kiosk, view, expected),
      expected,
      `after ${event.type} (step ${index + 1}) the terminal shows the model's state`,
    );
  }
  // Each entry into `opening` is one request to open a door.
  const opened = snapshots.filter((snapshot) => leafState(snapshot.value) === 'opening').length;
  return { snapshots, references, opened };
}

function nextSubmit(events: CourierEvent[], index: number) {
  const at = events.findIndex((event, i) => i > index && event.type === 'SUBMIT');
  return at === -1 ? index : at;
}

describe('courier deposit: shortest paths of the model against the real core and simulator', () => {
  const paths = modelPaths();

  test('the model reaches every screen of the flow and every outcome', () => {
    const keys = paths.map((path) => JSON.parse(path.key) as unknown[]);
    const states = new Set(keys.map((key) => (key[0] === 'final' ? key[1] : key[0])));
    for (const state of STABLE) assert.ok(states.has(state), `${state} is reached`);
    const outcomes = keys.filter((key) => key[0] === 'final').map((key) => key[2]);
    for (const outcome of ['completed', 'abandoned', 'failed']) {
      assert.ok(outcomes.includes(outcome), `${outcome} is reached`);
    }
  });

  for (const path of paths) {
    const name = path.events.map((event) => event.type).join(' → ') || '(start)';
    describe(path.title, () => {
      let kiosk: KioskFixture;
      before(async () => {
        kiosk = await startKiosk({ oneClock: true });
      });
      after(async () => {
        await kiosk.close();
      });

      test(name, async () => {
        const { snapshots, references, opened } = await runPath(kiosk, path.events);
        const context = (snapshots.at(-1)?.context ?? { deposited: 0 }) as CourierContext;
        const value = snapshots.length > 0 ? leafState(snapshots.at(-1)!.value) : 'login';

        // Exactly one unlock per door the model opens: never an automatic second one.
        assert.equal(unlocksSent(kiosk), opened, 'one unlock per requested opening');

        // The parcels the courier brought: deposited ones ready, with their reference.
        const parcels = references.flatMap((reference) =>
          parcelsWithReference(kiosk, reference).filter(
            (item) => item.loadedBy === null || item.loadedBy === COURIER.id,
          ),
        );
        const deposited = parcels.filter((item) => item.loadedBy === COURIER.id);
        assert.equal(deposited.length, context.deposited, 'deposited parcels are loaded');
        for (const item of deposited) {
          const ready = itemReadyFor(kiosk, item.id);
          assert.equal(ready.length, 1, 'one item-ready per deposited parcel');
          assert.equal(ready[0]!.payload.reference, item.reference);
          assert.equal(ready[0]!.payload.recipientRef, item.recipientRef);
        }
        for (const item of parcels.filter((parcel) => parcel.loadedBy === null)) {
          assert.equal(item.status, 'announced', 'a parcel not deposited stays announced');
          assert.equal(itemReadyFor(kiosk, item.id).length, 0, 'and nothing is sent for it');
        }
        const usage = depositUsage(kiosk);
        assert.equal(usage.length, context.deposited, 'one usage event per deposited parcel');
        for (const event of usage) {
          assert.deepEqual(Object.keys(event.data).sort(), ['durationMs', 'size']);
          assert.equal(typeof event.data.durationMs, 'number');
        }

        if (snapshots.some((snapshot) => snapshot.context.error === 'locked')) {
          assert.ok(alarms(kiosk).includes('code-brute-force'), 'the lockout raised an alarm');
        }
        if (value === 'doorFailed' || context.failure) {
          assert.ok(alarms(kiosk).includes('door-jammed'), 'staff are alerted to the jam');
        }
        assert.equal(
          kiosk.store.openIntents().length,
          value === 'takeAndClose' ? 1 : 0,
          'only an open door has an open intent',
        );
        assert.ok(kiosk.store.verifyAudit().ok, 'the audit chain verifies');

        // Secrets never leave the machine's context: not in a view, not in the snapshot.
        const seen = JSON.stringify(kiosk.views);
        const saved = kiosk.store.loadSnapshot('session')?.snapshot ?? '';
        for (const secret of [COURIER.code, COURIER.card, STAFF.card]) {
          assert.ok(!seen.includes(secret), 'no view shows a code or card');
          assert.ok(!saved.includes(secret), 'no persisted snapshot holds a code or card');
        }
      });
    });
  }
});
