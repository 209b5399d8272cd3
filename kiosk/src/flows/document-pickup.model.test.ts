/**
 * Model-based tests of the document pickup (DESIGN.md §7.2). `getShortestPaths` walks the
 * machine with sample events of every type; each shortest path is then
 *
 * 1. replayed on the real machine (under a parent that records its effects): it must reach
 *    its target state, end with the right output and ask the core for the right effects;
 * 2. for the paths that end the flow (`done`, `failed`, `abandoned`): driven at a real
 *    terminal — the kiosk core on a real SQLite file, the lock-board simulator over a pty —
 *    by pressing the path's UI events and letting the real core answer its effects. The store
 *    is seeded so that the core's answers are the path's (the code the path typed, the items
 *    of its CODE_OK, a jammed lock for DOOR_FAILED); every resting screen on the way must be
 *    exactly the model's projection, and the store must hold what the path implies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';

/** What the screens show as "step N of M" (`count` null while the way is not known). */
type Step = { index: number; count: number | null };

import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { documentPickupFlow } from './document-pickup.flow.ts';
import {
  CODE_MIN_LENGTH,
  documentPickupMachine,
  type PickupContext,
  type PickupEvent,
  type PickupOutput,
} from './document-pickup.machine.ts';
import type { DoorEffect } from './door.machine.ts';
import type { PickupEffect as Effect, PickupItem } from './effects.ts';
import { type AnyFlow, leafState } from './flow.ts';
import {
  chooseService,
  describeEvents,
  doorNewsOf,
  expectStepShown,
  expectVisitRecorded,
  leafStatesOf,
  lockOf,
  maxSeq,
  outboxNews,
  pickupNews,
  replay,
  shortestPer,
  takeOutAndShut,
  unlockedLocks,
  valueAndContext,
  withChildren,
} from './model-walk.testing.ts';

// ── the model ─────────────────────────────────────────────────────────────────────────────

/** What the sample person types, one key at a time: a code, and a date of birth. */
const SAMPLE_CODE = '483921';
const SAMPLE_DATE = '01021990'; // DDMMYYYY
const LOCKED_UNTIL = Date.UTC(2026, 10, 2, 9, 10);

const item = (
  id: string,
  kind: PickupItem['kind'],
  compartment: string,
  idDocument = false,
): PickupItem => ({
  id,
  kind,
  compartment,
  needsPinLetterConfirmation: idDocument,
  hasSecondFactor: idDocument,
});

/** The answers a right code can get: what waits for this citizen. */
const VARIANTS = {
  'one document': [item('doc-1', 'document', 'A2')],
  'two documents in two compartments': [
    item('doc-1', 'document', 'A2'),
    item('doc-2', 'document', 'A3'),
  ],
  'an ID card with a PIN letter': [item('id-1', 'id-document', 'A2', true)],
} satisfies Record<string, PickupItem[]>;
type Variant = keyof typeof VARIANTS;
const variantOf = (items: PickupItem[]) =>
  (Object.keys(VARIANTS) as Variant[]).find((name) => isDeepStrictEqual(VARIANTS[name], items));

type PickupSnapshot = SnapshotFrom<typeof documentPickupMachine>;

/** Sample events of every type the machine takes (DELETE and CLEAR come as they are). */
function sampleEvents(snapshot: PickupSnapshot): PickupEvent[] {
  const typing = snapshot.value === 'secondFactor' ? SAMPLE_DATE : SAMPLE_CODE;
  return [
    { type: 'KEY', key: typing[snapshot.context.entry.length % typing.length]! },
    { type: 'SUBMIT' },
    ...Object.values(VARIANTS).map((items) => ({ type: 'CODE_OK' as const, items })),
    { type: 'CODE_WRONG', lockedUntil: null },
    { type: 'CODE_WRONG', lockedUntil: LOCKED_UNTIL },
    { type: 'SECOND_FACTOR_OK' },
    { type: 'SECOND_FACTOR_WRONG', lockedUntil: null },
    { type: 'SECOND_FACTOR_WRONG', lockedUntil: LOCKED_UNTIL },
    { type: 'TAKE_ALL' },
    { type: 'TOGGLE_ITEM', itemId: 'doc-1' },
    { type: 'TOGGLE_ITEM', itemId: 'doc-2' },
    { type: 'CONFIRM' },
    { type: 'CONFIRM_PIN_LETTER' },
    ...doorNewsOf(['A2', 'A3']),
    { type: 'BACK' },
    { type: 'CANCEL' },
  ];
}

/**
 * The machine under traversal: its three requests to the core (`sendParent`) cannot be
 * resolved without a parent, so they are inert here. Everything else — guards, assignments,
 * targets — is the machine itself; the replays below run the unmodified machine.
 */
const model = withChildren(
  documentPickupMachine.provide({
    actions: { requestCode: () => {}, requestSecondFactor: () => {}, forwardEffect: () => {} },
  }),
);

const paths = getShortestPaths(model, {
  events: sampleEvents,
  serializeState: valueAndContext,
  // A finished flow takes no more events (an actor in a final state ignores them).
  stopWhen: (snapshot) => snapshot.status === 'done',
});

/** The path's events, without the initial pseudo-step. */
const eventsOf = (path: (typeof paths)[number]) =>
  path.steps.slice(1).map((step) => step.event as PickupEvent);

const FINAL = ['done', 'failed', 'abandoned'] as const;
type Final = (typeof FINAL)[number];
/** States the machine leaves without a person: it waits for the core's answer. */
const WAITING = new Set(['verifyingCode', 'verifyingSecondFactor', 'opening']);
const UI_EVENTS = new Set([
  'KEY',
  'DELETE',
  'CLEAR',
  'SUBMIT',
  'BACK',
  'CANCEL',
  'TOGGLE_ITEM',
  'TAKE_ALL',
  'CONFIRM',
  'CONFIRM_PIN_LETTER',
]);
const stateOf = (snapshot: PickupSnapshot) => leafState(snapshot.value);
const screenOf = (state: string) => documentPickupFlow.screens[state];

// ── replay on the real machine ───────────────────────────────────────────────────────────

interface Replayed {
  snapshot: PickupSnapshot;
  /** Effects the machine asked for, with the index of the event that caused each. */
  effects: { effect: Effect | DoorEffect; after: number }[];
}

const replays = new Map<(typeof paths)[number], Replayed>();
/** The path run once on the unmodified machine (cached: three tests look at each run). */
function replayed(path: (typeof paths)[number]): Replayed {
  let run = replays.get(path);
  if (!run) {
    run = replay(documentPickupMachine, eventsOf(path)) as Replayed;
    replays.set(path, run);
  }
  return run;
}

/** A readable path: typed keys run together, answers with their variant or compartment. */
const describePath = (events: PickupEvent[]) =>
  describeEvents(events, (event) => {
    if (event.type === 'CODE_OK') return `CODE_OK(${variantOf(event.items)})`;
    if ('compartment' in event) return `${event.type}(${event.compartment})`;
    if (event.type === 'TOGGLE_ITEM') return `TOGGLE_ITEM(${event.itemId})`;
    return event.type;
  });

describe('document pickup model (xstate/graph shortest paths)', () => {
  test('the sample events reach every state of the machine', () => {
    const reached = new Set(paths.map((path) => stateOf(path.state)));
    // `confirmSelection` only decides (eventless): no snapshot ever rests there.
    const states = leafStatesOf(documentPickupMachine).filter(
      (state) => state !== 'confirmSelection',
    );
    assert.deepEqual([...reached].sort(), states.sort());
  });

  test('every shortest path, replayed on the machine, reaches its target', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const { snapshot } = replayed(path);
      const where = describePath(events);
      assert.equal(snapshot.status, path.state.status, where);
      assert.deepEqual(snapshot.value, path.state.value, where);
      assert.deepEqual(snapshot.context, path.state.context, where);
    }
  });

  test('every path that ends the flow has the right output', () => {
    const finals = paths.filter((path) => path.state.status === 'done');
    assert.deepEqual(
      [...new Set(finals.map((path) => stateOf(path.state)))].sort(),
      [...FINAL].sort(),
    );
    for (const path of finals) {
      const events = eventsOf(path);
      const { snapshot, effects } = replayed(path);
      const where = describePath(events);
      const output = snapshot.output as PickupOutput;
      const final = stateOf(snapshot) as Final;
      const visited = new Set(path.steps.map((step) => stateOf(step.state)));
      const lastFailure = events.findLast((event) => event.type === 'DOOR_FAILED');
      const outcome = { done: 'completed', failed: 'failed', abandoned: 'abandoned' }[final];
      assert.equal(output.outcome, outcome, where);
      assert.equal(
        output.reason,
        final === 'failed' && lastFailure?.type === 'DOOR_FAILED'
          ? `door-${lastFailure.reason}`
          : null,
        where,
      );
      const steps = output.stepsReached;
      assert.equal(steps[0], 'code', where);
      assert.equal(new Set(steps).size, steps.length, `no step twice: ${where}`);
      assert.equal(steps.includes('second-factor'), visited.has('secondFactor'), where);
      assert.equal(steps.includes('pin-letter'), visited.has('pinLetter'), where);
      // `choose` is reached whenever the items were known and the person could go on,
      // even when a single item skips the choice.
      const pastIdentification = ['choose', 'pinLetter', 'opening', 'takeAndClose', 'done'];
      assert.equal(
        steps.includes('choose'),
        pastIdentification.some((state) => visited.has(state)),
        where,
      );
      const doorRequests = effects.filter(({ effect }) => effect.kind === 'open-door');
      assert.equal(steps.includes('door'), doorRequests.length > 0, where);
      assert.equal(steps.includes('done'), final === 'done', where);
    }
  });

  test('on every path the core is asked for exactly what the person did', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const { effects } = replayed(path);
      const where = describePath(events);
      // Each request follows the event that leads into the state that asks for it.
      const entered = (state: string) =>
        path.steps
          .map((step, index) => ({ step, index }))
          .filter(
            ({ step, index }) =>
              index > 0 &&
              stateOf(step.state) === state &&
              stateOf(path.steps[index - 1]!.state) !== state,
          )
          .map(({ index }) => index - 1);
      const ofKind = (kind: Effect['kind']) => effects.filter(({ effect }) => effect.kind === kind);

      const codeChecks = ofKind('verify-code');
      assert.deepEqual(
        codeChecks.map(({ after }) => after),
        entered('verifyingCode'),
        where,
      );
      for (const { effect, after } of codeChecks) {
        assert.ok(effect.kind === 'verify-code');
        assert.ok(effect.code.length >= CODE_MIN_LENGTH, `a complete code: ${where}`);
        assert.equal(effect.code, SAMPLE_CODE.repeat(2).slice(0, effect.code.length));
        assert.equal(events[after]?.type, 'SUBMIT', where);
      }

      const dateChecks = ofKind('verify-second-factor');
      assert.deepEqual(
        dateChecks.map(({ after }) => after),
        entered('verifyingSecondFactor'),
        where,
      );
      for (const { effect, after } of dateChecks) {
        assert.ok(effect.kind === 'verify-second-factor');
        assert.equal(effect.value, SAMPLE_DATE, `the whole date: ${where}`);
        const items = path.steps[after + 1]!.state.context.items;
        assert.deepEqual(
          effect.itemIds,
          items.map((candidate) => candidate.id),
        );
      }

      const doors = ofKind('open-door');
      assert.deepEqual(
        doors.map(({ after }) => after),
        entered('opening'),
        where,
      );
      for (const { effect, after } of doors) {
        assert.ok(effect.kind === 'open-door');
        const context: PickupContext = path.steps[after + 1]!.state.context;
        assert.equal(effect.purpose, 'pickup');
        assert.equal(effect.compartment, context.doors[0], where);
        // Exactly the chosen items in this compartment.
        assert.deepEqual(
          effect.itemIds,
          context.items
            .filter(
              (candidate) =>
                context.selected.includes(candidate.id) &&
                candidate.compartment === effect.compartment,
            )
            .map((candidate) => candidate.id),
          where,
        );
        assert.ok(effect.itemIds.length > 0, `never a door for nothing: ${where}`);
        // An ID document leaves only after its PIN letter was confirmed, and only after
        // the date of birth was accepted for items that have one.
        const before = events.slice(0, after + 1);
        const chosen = context.items.filter((candidate) => effect.itemIds.includes(candidate.id));
        if (chosen.some((candidate) => candidate.needsPinLetterConfirmation)) {
          assert.equal(before.at(-1)?.type, 'CONFIRM_PIN_LETTER', where);
        }
        if (chosen.some((candidate) => candidate.hasSecondFactor)) {
          const lastCode = before.findLastIndex((event) => event.type === 'CODE_OK');
          assert.ok(
            before.slice(lastCode).some((event) => event.type === 'SECOND_FACTOR_OK'),
            `date of birth checked before the door: ${where}`,
          );
        }
      }
    }
  });

  test('every state a person can see has a screen and shows nothing secret', () => {
    for (const path of paths) {
      const state = stateOf(path.state);
      if (path.state.status === 'done' || WAITING.has(state)) continue;
      const screen = screenOf(state);
      assert.ok(screen, `state ${state} has a screen`);
      assert.ok(documentPickupFlow.allowedEvents[screen], `screen ${screen} has its events`);
      const { context } = path.state;
      const props = documentPickupFlow.props(state, context);
      assert.equal(props.entered, context.entry.length);
      if (context.entry.length >= 2) {
        assert.ok(!JSON.stringify(props).includes(context.entry), `no entry in ${screen}`);
      }
    }
  });
});

// ── the paths that end the flow, at a real terminal ─────────────────────────────────────

type Path = (typeof paths)[number];

/**
 * A path a person can walk at the terminal: they press only what the screen offers, and the
 * core's answers are consistent with one seeded store (one right code with one set of
 * items; wrong codes and dates are the core tests' and the brute-force test's subject).
 */
function drivable(path: Path): boolean {
  const events = eventsOf(path);
  const variants = new Set(
    events.flatMap((event) => (event.type === 'CODE_OK' ? [variantOf(event.items)] : [])),
  );
  if (variants.size > 1) return false;
  if (events.some((event) => event.type === 'CODE_WRONG' || event.type === 'SECOND_FACTOR_WRONG'))
    return false;
  return path.steps.slice(1).every((step, index) => {
    if (!UI_EVENTS.has(step.event.type)) return true;
    const before = stateOf(path.steps[index]!.state);
    const screen = screenOf(before);
    return (
      screen !== undefined &&
      (documentPickupFlow as AnyFlow).allowedEvents[screen]!.includes(step.event.type)
    );
  });
}

/**
 * One path per distinct ending: final state, outcome and reason, the items the code found,
 * the choice, the door the flow ended at, and the last thing that happened. Of paths that end
 * alike, the shortest is taken (longer ones repeat a step after going BACK).
 */
function endingKey(path: Path): string {
  const events = eventsOf(path);
  const answer = events.find((event) => event.type === 'CODE_OK');
  const { context } = path.state;
  const output = path.state.output as PickupOutput;
  return JSON.stringify([
    stateOf(path.state),
    output.outcome,
    output.reason,
    answer?.type === 'CODE_OK' ? variantOf(answer.items) : null,
    [...context.selected].sort(),
    context.doors,
    events.at(-1)?.type,
  ]);
}

const terminalPaths = shortestPer(
  paths.filter((candidate) => candidate.state.status === 'done' && drivable(candidate)),
  endingKey,
);

/** ISO date of a typed DDMMYYYY, as staff enter it when loading. */
const isoDate = (typed: string) => `${typed.slice(4)}-${typed.slice(2, 4)}-${typed.slice(0, 2)}`;

interface Seeded {
  items: PickupItem[];
  outboxAfterSeed: number;
}

/** Loads the store and the simulated compartments so that the core answers as the path. */
function seed(kiosk: KioskFixture, path: Path): Seeded {
  const events = eventsOf(path);
  const answer = events.find((event) => event.type === 'CODE_OK');
  // A path that never reaches a right code still meets a loaded terminal.
  const items = answer?.type === 'CODE_OK' ? answer.items : VARIANTS['one document'];
  const typed = (state: string, fallback: string) =>
    path.steps.find((step) => stateOf(step.state) === state)?.state.context.entry ?? fallback;
  const code = typed('verifyingCode', SAMPLE_CODE);
  const date = typed('verifyingSecondFactor', SAMPLE_DATE);
  for (const wanted of items) {
    const announced = kiosk.store.announceItem({
      id: wanted.id,
      kind: wanted.kind,
      reference: `REF-${wanted.id}`,
      recipientRef: 'recipient-1',
      code,
      ...(wanted.hasSecondFactor && { secondFactor: isoDate(date) }),
      needsPinLetterConfirmation: wanted.needsPinLetterConfirmation,
    });
    const loaded = kiosk.store.markLoaded(announced.id, wanted.compartment, 'staff-7');
    assert.ok(loaded.ok, 'seeded item loaded');
    kiosk.sim.setItem(0, lockOf(wanted.compartment), true);
  }
  for (const event of events) {
    if (event.type === 'DOOR_FAILED') kiosk.sim.jam(0, lockOf(event.compartment));
  }
  return { items, outboxAfterSeed: maxSeq(kiosk) };
}

/** Presses the path's UI events, lets the real core answer, and checks every resting screen. */
async function walk(kiosk: KioskFixture, path: Path, where: string): Promise<void> {
  const first = documentPickupFlow.props('code', path.steps[0]!.state.context);
  await chooseService(kiosk, 'document-pickup', { screen: 'pickup.code', props: first }, where);
  for (const [index, step] of path.steps.slice(1).entries()) {
    const event = step.event as PickupEvent;
    const at = `${where} — step ${index + 1} ${event.type}`;
    if (UI_EVENTS.has(event.type)) {
      kiosk.press(event);
    } else if (event.type === 'DOOR_CLOSED') {
      // The citizen takes the documents and shuts the door.
      takeOutAndShut(kiosk, event.compartment);
    }
    // CODE_OK, SECOND_FACTOR_OK, DOOR_OPENED and DOOR_FAILED come from the real core.
    const shown = { waiting: WAITING, reopenable: true };
    await expectStepShown(kiosk, documentPickupFlow, step.state, shown, at);
  }
}

describe('document pickup: shortest paths to done, failed and abandoned at a real terminal', () => {
  test('the chosen paths cover every ending and every answer', () => {
    const covered = new Set(
      terminalPaths.map((path) => {
        const variant = eventsOf(path).find((event) => event.type === 'CODE_OK');
        return `${stateOf(path.state)}:${variant?.type === 'CODE_OK' ? variantOf(variant.items) : '-'}`;
      }),
    );
    for (const final of ['done', 'failed'] as const) {
      for (const variant of Object.keys(VARIANTS)) {
        assert.ok(covered.has(`${final}:${variant}`), `${final} with ${variant}`);
      }
    }
    assert.ok(covered.has('abandoned:-'), 'abandoned before any code');
    assert.ok(covered.has('abandoned:two documents in two compartments'), 'abandoned at choose');
    assert.ok(covered.has('abandoned:an ID card with a PIN letter'), 'abandoned at PIN letter');
    assert.ok(
      terminalPaths.some((path) => eventsOf(path).some((event) => event.type === 'CONFIRM')),
      'a choice of one of two items',
    );
  });

  for (const path of terminalPaths) {
    const events = eventsOf(path);
    const final = stateOf(path.state) as Final;
    const output = path.state.output as PickupOutput;
    const where = describePath(events);

    test(`to ${final}: ${where}`, async () => {
      const kiosk = await startKiosk();
      try {
        await kiosk.waitForScreen('attract');
        const { items, outboxAfterSeed } = seed(kiosk, path);
        await walk(kiosk, path, where);

        // The doors: one unlock per door the path opened or failed to open, in order.
        const doorEvents = events.filter(
          (event) => event.type === 'DOOR_OPENED' || event.type === 'DOOR_FAILED',
        );
        assert.deepEqual(
          unlockedLocks(kiosk),
          doorEvents.map((event) => lockOf((event as { compartment: string }).compartment)),
          'one unlock per door, none repeated',
        );
        assert.deepEqual(kiosk.store.openIntents(), [], 'no door intent left open');

        // "Step N of M": never skips a number, and the last step is the door.
        const shown = kiosk.views.flatMap((view) =>
          view.props.step ? [{ screen: view.screen, ...(view.props.step as Step) }] : [],
        );
        shown.forEach((step, index) => {
          const before = shown[index - 1];
          if (before) assert.ok(step.index <= before.index + 1, `${where}: a step skipped`);
          if (step.count !== null) assert.ok(step.index <= step.count, where);
          if (step.screen === 'pickup.door') assert.equal(step.index, step.count, where);
        });

        // The items: those behind an opened door are picked up, the others still wait.
        const opened = events.flatMap((event) =>
          event.type === 'DOOR_OPENED' ? [event.compartment] : [],
        );
        const selected = path.state.context.selected;
        const pickedUp = items
          .filter((candidate) => opened.includes(candidate.compartment))
          .filter((candidate) => selected.includes(candidate.id))
          .map((candidate) => candidate.id);
        for (const candidate of items) {
          assert.equal(
            kiosk.store.item(candidate.id)?.status,
            pickedUp.includes(candidate.id) ? 'picked_up' : 'loaded',
            `status of ${candidate.id}`,
          );
        }

        // The outbox: the language per item of the code (notices follow it), one pickup event
        // per item taken, one alarm per failed door, no more.
        assert.deepEqual(
          outboxNews(kiosk, outboxAfterSeed).sort(),
          pickupNews(events, items, pickedUp).sort(),
        );
        assert.ok(kiosk.store.verifyAudit().ok, 'the audit chain verifies');

        // The visit is recorded as the model says it ended.
        await expectVisitRecorded(kiosk, 'document-pickup', output);
      } finally {
        await kiosk.close();
      }
    });
  }
});
