/**
 * Model-based tests of the drop-off / returns flow (DESIGN.md §7.2). `getShortestPaths`
 * walks the machine with sample events of every type; each shortest path is
 *
 * 1. replayed on the unmodified machine under a parent that records its effects: it reaches
 *    its target, and asks the core for one preparation per reference, one door, a cancel
 *    exactly when the door failed and a receipt exactly when the door closed;
 * 2. for one path per distinct ending and per resting state: driven at a real terminal — the
 *    kiosk core on a real SQLite file, the lock-board simulator over a pty — by typing or
 *    scanning its reference, putting something in (or not) and shutting the door, while the
 *    real core answers. The store is seeded so that the core's answers are the path's; every
 *    resting screen must be exactly the model's projection, and the store must hold what the
 *    path implies (the drop-off recorded with the door's close, or cancelled).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { type View, withAddedProps } from '../core/views.ts';
import { type KioskFixture, startKiosk, TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';
import { dropOffFlow, receiptNumberOf } from './drop-off.flow.ts';
import {
  type DropOffContext,
  type DropOffEffect,
  type DropOffEvent,
  type DropOffOutput,
  dropOffMachine,
  REFERENCE_MIN_LENGTH,
} from './drop-off.machine.ts';
import { type AnyFlow, leafState } from './flow.ts';
import {
  allOutbox,
  auditTrail,
  chooseService,
  describeEvents,
  expectSurvey,
  expectView,
  expectVisitRecorded,
  leafStatesOf,
  lockOf,
  maxSeq,
  observable,
  putIn,
  replay,
  replayReaches,
  shortestPer,
  unlockedLocks,
  valueAndContext,
  withChildren,
} from './model-walk.testing.ts';

// ── the model ─────────────────────────────────────────────────────────────────────────────

/** What the sample person types, one key at a time, and what their return label says. */
const SAMPLE_REFERENCE = 'RT4711';
const SAMPLE_LABEL = ' rl-0815 4711 ';
const LABEL_REFERENCE = 'RL08154711';
const UNREADABLE = 'Ä?';
const DROP_OFF = 'A4';

type DropOffSnapshot = SnapshotFrom<typeof dropOffMachine>;

function sampleEvents(snapshot: DropOffSnapshot): DropOffEvent[] {
  const { entry } = snapshot.context;
  return [
    ...(entry.length < SAMPLE_REFERENCE.length
      ? [{ type: 'KEY' as const, key: SAMPLE_REFERENCE[entry.length]! }]
      : []),
    { type: 'DELETE' },
    { type: 'CLEAR' },
    { type: 'SUBMIT' },
    { type: 'SCAN', text: SAMPLE_LABEL, symbology: 'C39' },
    { type: 'SCAN', text: UNREADABLE, symbology: 'C39' },
    { type: 'ANSWER_DROP_OFF_READY', itemId: 'sample-item', compartment: DROP_OFF },
    { type: 'ANSWER_DROP_OFF_FULL' },
    { type: 'ANSWER_DROP_OFF_REFUSED', reason: 'already-dropped-off' },
    { type: 'DOOR_OPENED', compartment: DROP_OFF },
    { type: 'DOOR_FAILED', compartment: DROP_OFF, reason: 'jammed' },
    { type: 'DOOR_CLOSED', compartment: DROP_OFF },
    { type: 'ANSWER_RECEIPT', receiptNumber: 'SAMPLE', droppedOffAt: 0 },
    { type: 'ANSWER_NOTHING_INSERTED' },
    { type: 'CONFIRM' },
    { type: 'BACK' },
    { type: 'CANCEL' },
  ];
}

/** The requests to the core (`sendParent`) are inert without a parent; all else is the machine. */
const model = withChildren(
  dropOffMachine.provide({
    actions: {
      requestPreparation: () => {},
      forwardEffect: () => {},
      requestCancel: () => {},
      requestReceipt: () => {},
    },
  }),
);

const paths = getShortestPaths(model, {
  events: sampleEvents,
  serializeState: valueAndContext,
  stopWhen: (snapshot) => snapshot.status === 'done',
});
type Path = (typeof paths)[number];

const eventsOf = (path: Path) => path.steps.slice(1).map((step) => step.event as DropOffEvent);
const stateOf = (snapshot: DropOffSnapshot) => leafState(snapshot.value);
type Final = 'done' | 'failed' | 'abandoned';
/** States the machine leaves without a person: it waits for the core or the door. */
const WAITING = new Set(['preparing', 'opening', 'recording']);
const UI_EVENTS = new Set(['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL', 'CONFIRM']);
const ANSWERS = new Set([
  'ANSWER_DROP_OFF_READY',
  'ANSWER_DROP_OFF_FULL',
  'ANSWER_DROP_OFF_REFUSED',
]);

/** The reference each preparation answer was given for. */
function answers(path: Path) {
  return path.steps.slice(1).flatMap((step, index) => {
    const event = step.event as DropOffEvent;
    if (!ANSWERS.has(event.type)) return [];
    const before = path.steps[index]!;
    const how = (before.event as DropOffEvent).type === 'SCAN' ? 'scanned' : 'typed';
    return [{ event, reference: before.state.context.entry, how }];
  });
}

const describePath = (events: DropOffEvent[]) =>
  describeEvents(events, (event) =>
    event.type === 'SCAN' ? `SCAN(${event.text.trim()})` : event.type.replace('ANSWER_', ''),
  );

describe('drop-off model (xstate/graph shortest paths)', () => {
  test('the sample events reach every state of the machine', () => {
    const reached = new Set(paths.map((path) => stateOf(path.state)));
    assert.deepEqual([...reached].sort(), leafStatesOf(dropOffMachine).sort());
    assert.ok(paths.length > 50, `${paths.length} shortest paths`);
  });

  test('every shortest path, replayed on the machine, reaches its target with its output', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const where = describePath(events);
      const { snapshot } = replayReaches(dropOffMachine, events, path.state, where);
      if (snapshot.status !== 'done') continue;
      const output = snapshot.output as DropOffOutput;
      const final = snapshot.value as Final;
      const types = events.map((event) => event.type);
      const expectedReason =
        final !== 'failed'
          ? null
          : types.includes('ANSWER_DROP_OFF_FULL')
            ? 'no-compartment'
            : types.includes('DOOR_FAILED')
              ? 'door-jammed'
              : 'nothing-inserted';
      assert.equal(
        output.outcome,
        { done: 'completed', failed: 'failed', abandoned: 'abandoned' }[final],
        where,
      );
      assert.equal(output.reason, expectedReason, where);
      // Completed only with a receipt: the drop-off lies in its compartment.
      if (final === 'done') assert.ok(types.includes('ANSWER_RECEIPT'), where);
    }
  });

  test('on every path the core is asked for exactly what happened', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const { effects } = replay(dropOffMachine, events);
      const where = describePath(events);
      const kinds = effects.map(({ effect }) => (effect as DropOffEffect).kind);
      const entered = (state: string) =>
        path.steps
          .slice(1)
          .flatMap((step, index) =>
            stateOf(step.state) === state && stateOf(path.steps[index]!.state) !== state
              ? [index]
              : [],
          );
      const of = (kind: DropOffEffect['kind']) =>
        effects.filter(({ effect }) => effect.kind === kind);
      // A preparation for each complete reference, with it in the typed alphabet.
      assert.deepEqual(
        of('prepare-drop-off').map(({ after }) => after),
        entered('preparing'),
        where,
      );
      for (const { effect } of of('prepare-drop-off')) {
        const reference = String(effect.reference);
        assert.match(reference, /^[A-Z0-9]+$/, where);
        assert.ok(reference.length >= REFERENCE_MIN_LENGTH, where);
        assert.ok(reference === LABEL_REFERENCE || SAMPLE_REFERENCE.startsWith(reference), where);
      }
      // One door, for the announced drop-off, right after it was announced.
      const doors = of('open-door');
      assert.deepEqual(
        doors.map(({ after }) => after),
        entered('opening'),
        where,
      );
      assert.ok(doors.length <= 1, `never a second door: ${where}`);
      for (const { effect, after } of doors) {
        assert.equal(events[after]?.type, 'ANSWER_DROP_OFF_READY', where);
        assert.deepEqual(
          { ...effect },
          {
            kind: 'open-door',
            purpose: 'drop-off',
            compartment: DROP_OFF,
            itemIds: ['sample-item'],
          },
          where,
        );
      }
      // The announced drop-off is cancelled exactly when its door failed.
      assert.equal(
        kinds.includes('cancel-drop-off'),
        events.some((e) => e.type === 'DOOR_FAILED'),
        where,
      );
      for (const { effect } of of('cancel-drop-off')) {
        assert.deepEqual(
          { ...effect },
          { kind: 'cancel-drop-off', itemId: 'sample-item', reason: 'door-jammed' },
        );
      }
      // The receipt is asked for exactly when the door closed.
      assert.deepEqual(
        of('drop-off-receipt').map(({ after }) => after),
        events.flatMap((event, index) =>
          event.type === 'DOOR_CLOSED' && stateOf(path.steps[index]!.state) === 'takeAndClose'
            ? [index]
            : [],
        ),
        where,
      );
    }
  });

  test('every state a person can see has a screen and shows the reference only masked', () => {
    for (const path of paths) {
      const state = stateOf(path.state);
      if (path.state.status === 'done' || WAITING.has(state)) continue;
      const screen = dropOffFlow.screens[state];
      assert.ok(screen, `state ${state} has a screen`);
      assert.ok(dropOffFlow.allowedEvents[screen], `screen ${screen} has its events`);
      const props = dropOffFlow.props(state, path.state.context);
      const seen = JSON.stringify(props);
      for (const reference of [SAMPLE_REFERENCE.slice(0, 5), LABEL_REFERENCE]) {
        assert.ok(!seen.includes(reference), `no whole reference in ${screen}`);
      }
    }
  });
});

// ── at a real terminal ─────────────────────────────────────────────────────────────────

/**
 * A path a person can walk: only what the screen offers is pressed, and the answers fit one
 * seeded store: the drop-off compartment is either out of order or usable for the whole
 * visit, and a reference is either already dropped off or new.
 */
function drivable(path: Path): boolean {
  const given = answers(path);
  const full = given.some(({ event }) => event.type === 'ANSWER_DROP_OFF_FULL');
  if (full && given.some(({ event }) => event.type !== 'ANSWER_DROP_OFF_FULL')) return false;
  const verdict = new Map<string, string>();
  for (const { event, reference } of given) {
    if (verdict.has(reference) && verdict.get(reference) !== event.type) return false;
    verdict.set(reference, event.type);
  }
  return path.steps.slice(1).every((step, index) => {
    if (!UI_EVENTS.has(step.event.type)) return true;
    const screen = dropOffFlow.screens[stateOf(path.steps[index]!.state)];
    return (
      screen !== undefined &&
      (dropOffFlow as AnyFlow).allowedEvents[screen]!.includes(step.event.type)
    );
  });
}

function pathKey(path: Path): string {
  const { context } = path.state;
  const events = eventsOf(path);
  const ready = answers(path).find(({ event }) => event.type === 'ANSWER_DROP_OFF_READY');
  return JSON.stringify([
    stateOf(path.state),
    path.state.status === 'done' ? (path.state.output as DropOffOutput).reason : context.error,
    path.state.status === 'done' ? null : context.entry.length,
    // A receipt for a typed and for a scanned reference.
    ready && events.some((event) => event.type === 'ANSWER_RECEIPT') ? ready.how : null,
    events.at(-1)?.type,
  ]);
}

const drivenPaths = shortestPer(
  paths.filter((candidate) => !WAITING.has(stateOf(candidate.state)) && drivable(candidate)),
  pathKey,
);

interface Seeded {
  /** The drop-off already in the compartment for a refused reference. */
  earlier: string | null;
  outboxAfterSeed: number;
  usesBefore: number;
}

/** Makes A4 the drop-off compartment and seeds what the path's answers need. */
function seed(kiosk: KioskFixture, path: Path): Seeded {
  const config = TEST_COMPARTMENTS.find((candidate) => candidate.label === DROP_OFF)!;
  kiosk.store.upsertCompartments([
    {
      label: config.label,
      size: config.size,
      lock: config.lock,
      heightCm: config.heightCm,
      accessible: config.accessible,
      purpose: 'drop-off',
      bus: 'main',
      board: 0,
    },
  ]);
  const given = answers(path);
  if (given.some(({ event }) => event.type === 'ANSWER_DROP_OFF_FULL')) {
    assert.ok(kiosk.store.setDefective(DROP_OFF, 'flap broken', 'tech-1').ok);
  }
  let earlier: string | null = null;
  const refused = given.find(({ event }) => event.type === 'ANSWER_DROP_OFF_REFUSED');
  if (refused) {
    const dropped = kiosk.store.markDroppedOff({
      reference: refused.reference,
      compartment: DROP_OFF,
      sessionId: 'an-earlier-visit',
    });
    assert.ok(dropped.ok);
    earlier = dropped.value.id;
    kiosk.sim.setItem(0, lockOf(DROP_OFF), true);
  }
  if (eventsOf(path).some((event) => event.type === 'DOOR_FAILED')) {
    kiosk.sim.jam(0, lockOf(DROP_OFF));
  }
  return {
    earlier,
    outboxAfterSeed: maxSeq(kiosk),
    usesBefore: kiosk.store.compartment(DROP_OFF)!.uses,
  };
}

/** The drop-off this visit announced, found by the reference the core was asked about. */
function announced(kiosk: KioskFixture, path: Path) {
  const ready = answers(path).find(({ event }) => event.type === 'ANSWER_DROP_OFF_READY');
  return ready
    ? { reference: ready.reference, item: kiosk.store.itemByReference(ready.reference) }
    : null;
}

/**
 * The model's view, with the receipt the real store made (number and time are not samples)
 * and what the core adds (the fixture's terminal has no printer).
 */
function expectedProps(kiosk: KioskFixture, path: Path, state: string, context: DropOffContext) {
  const screen = dropOffFlow.screens[state]!;
  if (!context.receipt) return withAddedProps(screen, dropOffFlow.props(state, context));
  const item = announced(kiosk, path)?.item;
  assert.ok(item?.loadedAt, 'the drop-off has its time');
  return withAddedProps(
    screen,
    dropOffFlow.props(state, {
      ...context,
      receipt: { receiptNumber: receiptNumberOf(item.id), droppedOffAt: item.loadedAt },
    }),
  );
}

/** Waits until the door service has recorded the drop-off (with the door's close). */
async function droppedOff(kiosk: KioskFixture, path: Path, where: string) {
  const recorded = () => announced(kiosk, path)?.item?.status === 'dropped_off';
  if (await kiosk.until(where, recorded).catch(() => false)) return;
  assert.fail(`${where}: the drop-off was not recorded`);
}

async function walk(kiosk: KioskFixture, path: Path, where: string): Promise<void> {
  const first = dropOffFlow.props('reference', path.steps[0]!.state.context);
  await chooseService(kiosk, 'drop-off', { screen: 'drop-off.reference', props: first }, where);
  const events = eventsOf(path);
  for (const [index, step] of path.steps.slice(1).entries()) {
    const event = step.event as DropOffEvent;
    const at = `${where} — step ${index + 1} ${event.type}`;
    if (UI_EVENTS.has(event.type)) kiosk.press(event);
    else if (event.type === 'SCAN') {
      assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: event.text, symbology: 'C39' }).ok);
    } else if (event.type === 'DOOR_CLOSED') {
      // The citizen puts the return in (unless the path says nothing goes in) and shuts it.
      const lock = lockOf(DROP_OFF);
      assert.equal(kiosk.sim.door(0, lock).open, true, 'the drop-off door is open');
      if (events[index + 1]?.type !== 'ANSWER_NOTHING_INSERTED') await putIn(kiosk, DROP_OFF);
      kiosk.sim.closeDoor(0, lock);
    }
    // The ANSWER_* events and DOOR_OPENED / DOOR_FAILED come from the real core.
    const state = stateOf(step.state);
    if (step.state.status === 'done') {
      const output = step.state.output as DropOffOutput;
      await expectSurvey(kiosk, { service: 'drop-off', output, reopenable: false }, at);
    } else if (!WAITING.has(state)) {
      if (step.state.context.receipt) await droppedOff(kiosk, path, at);
      const expected = {
        screen: dropOffFlow.screens[state]!,
        props: expectedProps(kiosk, path, state, step.state.context),
      };
      await expectView(kiosk, expected as Pick<View, 'screen' | 'props'>, at);
    }
  }
}

describe('drop-off: shortest paths to every ending and resting state at a real terminal', () => {
  test('the chosen paths cover every ending, every answer and both ways in', () => {
    const keys = drivenPaths.map((path) => JSON.parse(pathKey(path)) as unknown[]);
    const has = (predicate: (key: unknown[]) => boolean) => keys.some(predicate);
    assert.ok(
      has((k) => k[0] === 'done' && k[3] === 'typed'),
      'done, typed',
    );
    assert.ok(
      has((k) => k[0] === 'done' && k[3] === 'scanned'),
      'done, scanned',
    );
    for (const reason of ['no-compartment', 'door-jammed', 'nothing-inserted']) {
      assert.ok(
        has((k) => k[0] === 'failed' && k[1] === reason),
        `failed: ${reason}`,
      );
    }
    assert.ok(
      has((k) => k[0] === 'abandoned'),
      'abandoned',
    );
    for (const state of ['reference', 'full', 'takeAndClose', 'receipt']) {
      assert.ok(
        has((k) => k[0] === state),
        `resting at ${state}`,
      );
    }
    assert.ok(
      has((k) => k[0] === 'reference' && k[1] === 'already-dropped-off'),
      'refused',
    );
    assert.ok(
      has((k) => k[0] === 'reference' && k[1] === 'unreadable-scan'),
      'unreadable',
    );
  });

  for (const path of drivenPaths) {
    const events = eventsOf(path);
    const final = path.state.status === 'done' ? (stateOf(path.state) as Final) : null;
    const where = describePath(events);
    const types = events.map((event) => event.type);

    test(`to ${final ?? `${stateOf(path.state)} (resting)`}: ${where}`, async () => {
      const kiosk = await startKiosk({ oneClock: true });
      try {
        await kiosk.waitForScreen('attract');
        const { earlier, outboxAfterSeed, usesBefore } = seed(kiosk, path);
        const auditBefore = auditTrail(kiosk).length;
        await walk(kiosk, path, where);

        // One unlock of the drop-off door if the path asked for it, never a second.
        const asked = types.includes('DOOR_OPENED') || types.includes('DOOR_FAILED');
        assert.deepEqual(unlockedLocks(kiosk), asked ? [lockOf(DROP_OFF)] : []);

        // The drop-off: announced before the door, in with the close, else cancelled.
        const mine = announced(kiosk, path);
        const received = types.includes('ANSWER_RECEIPT');
        const doorOpen = stateOf(path.state) === 'takeAndClose';
        if (mine) {
          assert.ok(mine.item, 'the drop-off was announced');
          assert.equal(mine.item.kind, 'drop-off');
          assert.equal(
            mine.item.status,
            received ? 'dropped_off' : doorOpen ? 'announced' : 'cancelled',
          );
          assert.equal(mine.item.compartment, received ? DROP_OFF : null);
        }
        const dropOffs = ['announced', 'dropped_off', 'cancelled'] as const;
        const all = dropOffs.flatMap((status) => kiosk.store.itemsWithStatus(status));
        assert.deepEqual(
          all.map((item) => item.id).sort(),
          [...(mine?.item ? [mine.item.id] : []), ...(earlier ? [earlier] : [])].sort(),
          'no other item was created',
        );
        assert.equal(
          kiosk.store.compartment(DROP_OFF)!.uses,
          usesBefore + (received ? 1 : 0),
          'a use counted per drop-off',
        );
        assert.deepEqual(
          kiosk.store.openIntents().map((intent) => `${intent.compartment}:${intent.state}`),
          doorOpen ? [`${DROP_OFF}:opened`] : [],
        );

        // Outbox: the drop-off (with its reference, for the backend) or the alarm.
        const news = allOutbox(kiosk).filter((event) => event.seq > outboxAfterSeed);
        assert.deepEqual(
          news.map((event) =>
            event.type === 'alarm'
              ? `alarm:${event.payload.kind}:${event.payload.compartment}`
              : `${event.type}:${event.payload.itemId}:${event.payload.reference}`,
          ),
          [
            ...(types.includes('DOOR_FAILED') ? [`alarm:door-jammed:${DROP_OFF}`] : []),
            ...(received ? [`item-dropped-off:${mine?.item?.id}:${mine?.reference}`] : []),
          ],
        );
        // Audit: the item's life, with the door, in the chain; no reference in it.
        const audit = auditTrail(kiosk).slice(auditBefore);
        const itemActions = audit
          .filter((entry) => entry.subject === mine?.item?.id)
          .map((entry) => entry.action);
        assert.deepEqual(
          itemActions,
          mine
            ? [
                'item-announced',
                ...(received ? ['item-dropped-off'] : doorOpen ? [] : ['item-cancelled']),
              ]
            : [],
        );
        assert.ok(kiosk.store.verifyAudit().ok, 'the audit chain verifies');

        // Nobody reads more of a reference than its last 4 characters: not on screen, not in
        // the saved session; logs and audit carry none of it.
        const seen = observable(kiosk);
        const records = JSON.stringify(kiosk.logger.entries) + JSON.stringify(audit);
        for (const { reference } of answers(path)) {
          assert.ok(!records.includes(reference), 'no reference in logs or audit');
          if (reference.length > 4) assert.ok(!seen.includes(reference), 'never in full');
        }

        if (!final) return;
        await expectVisitRecorded(kiosk, 'drop-off', path.state.output as DropOffOutput);
      } finally {
        await kiosk.close();
      }
    });
  }
});
