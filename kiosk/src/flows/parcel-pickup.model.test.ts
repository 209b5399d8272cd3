/**
 * Model-based tests of the parcel pickup (DESIGN.md §7.2). `getShortestPaths` walks the
 * machine with sample events of every type; each shortest path is
 *
 * 1. replayed on the unmodified machine under a parent that records its effects: it reaches
 *    its target, and asks the core for exactly one code check per submitted code and for each
 *    door at most once (one after another, or all together);
 * 2. for one path per distinct ending (`done`, `failed`, `abandoned`, by what was found, how
 *    the code came in, the doors and the lock): driven at a real terminal — the kiosk core on
 *    a real SQLite file, the lock-board simulator over a pty — by pressing the path's keys,
 *    scanning its QR text and shutting its doors, while the real core answers. The store is
 *    seeded so that the core's answers are the path's; every resting screen must be exactly
 *    the model's projection, and the store must hold what the path implies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { LOCKOUT } from '../core/lockout.ts';
import { normalizeSecretValue } from '../store/secret.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { CODE_MIN_LENGTH } from './document-pickup.machine.ts';
import type { AnyFlow } from './flow.ts';
import {
  chooseService,
  describeEvents,
  doorNewsOf,
  expectStepShown,
  expectVisitRecorded,
  lockOf,
  maxSeq,
  observable,
  outboxNews,
  pickupNews,
  replay,
  replayReaches,
  shortestPer,
  takeOutAndShut,
  unlockedLocks,
  valueAndContext,
  withChildren,
} from './model-walk.testing.ts';
import { OPEN_TOGETHER_SETTING, parcelPickupFlow } from './parcel-pickup.flow.ts';
import {
  type ParcelEffect,
  type ParcelEvent,
  type ParcelItem,
  type ParcelOutput,
  parcelPickupMachine,
} from './parcel-pickup.machine.ts';

// ── the model ─────────────────────────────────────────────────────────────────────────────

/** What the sample person types, one key at a time, and what their QR code says. */
const SAMPLE_CODE = 'K7P4Q2';
const SAMPLE_QR = ' pk-93x7 2m ';
const SHORT_QR = '12';
/** Where the real core puts a lock engaged by a wrong code at the (unmoved) test clock. */
const LOCKED_UNTIL = Date.UTC(2026, 10, 2, 9, 0, 0) + LOCKOUT.baseLockMs;

const VARIANTS = {
  'one parcel': { together: false, items: [{ id: 'p-1', compartment: 'A2' }] },
  'two parcels in one compartment': {
    together: false,
    items: [
      { id: 'p-1', compartment: 'A2' },
      { id: 'p-2', compartment: 'A2' },
    ],
  },
  'two compartments, one after another': {
    together: false,
    items: [
      { id: 'p-1', compartment: 'A2' },
      { id: 'p-2', compartment: 'A3' },
    ],
  },
  'two compartments together': {
    together: true,
    items: [
      { id: 'p-1', compartment: 'A2' },
      { id: 'p-2', compartment: 'A3' },
    ],
  },
} satisfies Record<string, { together: boolean; items: ParcelItem[] }>;
type Variant = keyof typeof VARIANTS;
const variantOf = (event: { items: ParcelItem[]; together: boolean }) =>
  (Object.keys(VARIANTS) as Variant[]).find((name) =>
    isDeepStrictEqual(VARIANTS[name], { together: event.together, items: event.items }),
  );

type ParcelSnapshot = SnapshotFrom<typeof parcelPickupMachine>;

function sampleEvents(snapshot: ParcelSnapshot): ParcelEvent[] {
  const { entry } = snapshot.context;
  return [
    // Typing stops at the sample code's length; DELETE and CLEAR keep entries its prefixes.
    ...(entry.length < SAMPLE_CODE.length
      ? [{ type: 'KEY' as const, key: SAMPLE_CODE[entry.length]! }]
      : []),
    { type: 'DELETE' },
    { type: 'CLEAR' },
    { type: 'SUBMIT' },
    { type: 'SCAN', text: SAMPLE_QR, symbology: 'QR' },
    { type: 'SCAN', text: SHORT_QR, symbology: 'QR' },
    ...Object.values(VARIANTS).map((variant) => ({ type: 'CODE_OK' as const, ...variant })),
    { type: 'CODE_WRONG', lockedUntil: null },
    { type: 'CODE_WRONG', lockedUntil: LOCKED_UNTIL },
    ...doorNewsOf(['A2', 'A3']),
    { type: 'BACK' },
    { type: 'CANCEL' },
  ];
}

/**
 * The machine under traversal, its door children running: its requests to the core
 * (`sendParent`, and the doors' unlocks it hands on) cannot be resolved without a parent, so
 * they are inert here. Guards, assignments and targets are the machine's own; the replays run
 * the unmodified machine.
 */
const model = withChildren(
  parcelPickupMachine.provide({
    actions: { requestCode: () => {}, forwardEffect: () => {} },
  }),
);

const paths = getShortestPaths(model, {
  events: sampleEvents,
  serializeState: valueAndContext,
  stopWhen: (snapshot) => snapshot.status === 'done',
});
type Path = (typeof paths)[number];

const eventsOf = (path: Path) => path.steps.slice(1).map((step) => step.event as ParcelEvent);
const stateOf = (snapshot: ParcelSnapshot) => snapshot.value as string;
const FINAL = ['done', 'failed', 'abandoned'] as const;
type Final = (typeof FINAL)[number];
/** States the machine leaves without a person: it waits for the core or a door. */
const WAITING = new Set(['verifyingCode', 'opening', 'next']);
const UI_EVENTS = new Set(['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL']);

/** The code each answer was given for: what the flow held when it asked. */
function answers(path: Path) {
  return path.steps.slice(1).flatMap((step, index) => {
    const event = step.event as ParcelEvent;
    if (event.type !== 'CODE_OK' && event.type !== 'CODE_WRONG') return [];
    const asked = path.steps[index]!.state.context.entry;
    const how = (path.steps[index]!.event as ParcelEvent).type === 'SCAN' ? 'scanned' : 'typed';
    return [{ event, code: asked, how }];
  });
}

const describePath = (events: ParcelEvent[]) =>
  describeEvents(events, (event) => {
    if (event.type === 'CODE_OK') return `CODE_OK(${variantOf(event)})`;
    if (event.type === 'CODE_WRONG') return event.lockedUntil ? 'CODE_WRONG(locked)' : 'CODE_WRONG';
    if (event.type === 'SCAN') return `SCAN(${event.text.trim()})`;
    if ('compartment' in event) return `${event.type}(${event.compartment})`;
    return event.type;
  });

describe('parcel pickup model (xstate/graph shortest paths)', () => {
  test('the sample events reach every state of the machine', () => {
    const reached = new Set(paths.map((path) => stateOf(path.state)));
    // `next` only decides (eventless): no snapshot ever rests there.
    const states = Object.keys(parcelPickupMachine.root.states).filter((state) => state !== 'next');
    assert.deepEqual([...reached].sort(), states.sort());
    assert.ok(paths.length > 100, `${paths.length} shortest paths`);
  });

  test('every shortest path, replayed on the machine, reaches its target with its output', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const where = describePath(events);
      const { snapshot } = replayReaches(parcelPickupMachine, events, path.state, where);
      if (snapshot.status !== 'done') continue;
      const output = snapshot.output as ParcelOutput;
      const final = snapshot.value as Final;
      const firstFailure = events.find((event) => event.type === 'DOOR_FAILED');
      assert.equal(
        output.outcome,
        { done: 'completed', failed: 'failed', abandoned: 'abandoned' }[final],
        where,
      );
      assert.equal(
        output.reason,
        final === 'failed' && firstFailure?.type === 'DOOR_FAILED'
          ? `door-${firstFailure.reason}`
          : null,
        where,
      );
      assert.equal(output.stepsReached.includes('done'), final === 'done', where);
    }
  });

  test('on every path the core is asked for exactly what happened, each door at most once', () => {
    for (const path of paths) {
      const events = eventsOf(path);
      const { effects } = replay(parcelPickupMachine, events);
      const where = describePath(events);
      const asked = effects.map(({ effect }) => effect as ParcelEffect);

      // One code check per SUBMIT of a complete code or usable scan, with what was entered.
      const checks = effects.filter(({ effect }) => effect.kind === 'verify-code');
      const submitted = path.steps
        .slice(1)
        .flatMap((step, index) =>
          stateOf(step.state) === 'verifyingCode' && stateOf(path.steps[index]!.state) === 'code'
            ? [index]
            : [],
        );
      assert.deepEqual(
        checks.map(({ after }) => after),
        submitted,
        where,
      );
      for (const { effect, after } of checks) {
        const event = events[after]!;
        if (event.type === 'SCAN') assert.equal(effect.code, event.text, where);
        else {
          assert.equal(event.type, 'SUBMIT', where);
          assert.ok(String(effect.code).length >= CODE_MIN_LENGTH, where);
          assert.ok(SAMPLE_CODE.startsWith(String(effect.code)), where);
        }
      }

      // Doors: never one asked twice; only after a right code; with exactly its parcels.
      const doors = asked.filter((effect) => effect.kind === 'open-door');
      const compartments = doors.map((effect) => effect.compartment);
      assert.equal(new Set(compartments).size, compartments.length, `no door twice: ${where}`);
      const found = events.find((event) => event.type === 'CODE_OK');
      if (found?.type !== 'CODE_OK') {
        assert.deepEqual(doors, [], where);
        continue;
      }
      for (const effect of doors) {
        assert.equal(effect.purpose, 'pickup');
        assert.deepEqual(
          effect.itemIds,
          found.items.filter((item) => item.compartment === effect.compartment).map((i) => i.id),
          where,
        );
      }
      const doorEffects = effects.filter(({ effect }) => effect.kind === 'open-door');
      const codeOkAt = events.indexOf(found);
      if (found.together) {
        // All at once, as soon as the code is right.
        assert.ok(
          doorEffects.every(({ after }) => after === codeOkAt),
          `together: ${where}`,
        );
      } else {
        // One after another: the next only once the previous one is shut.
        for (const [index, { after }] of doorEffects.entries()) {
          if (index === 0) assert.equal(after, codeOkAt, where);
          else {
            const previous = compartments[index - 1];
            const event = events[after]!;
            assert.ok(
              event.type === 'DOOR_CLOSED' && event.compartment === previous,
              `one after another: ${where}`,
            );
          }
        }
        // After a failed door no further door is asked for.
        const failedAt = events.findIndex((event) => event.type === 'DOOR_FAILED');
        if (failedAt >= 0) {
          assert.ok(
            doorEffects.every(({ after }) => after < failedAt),
            where,
          );
        }
      }
    }
  });

  test('every state a person can see has a screen and shows nothing secret', () => {
    for (const path of paths) {
      const state = stateOf(path.state);
      if (path.state.status === 'done' || WAITING.has(state)) continue;
      const screen = parcelPickupFlow.screens[state];
      assert.ok(screen, `state ${state} has a screen`);
      assert.ok(parcelPickupFlow.allowedEvents[screen], `screen ${screen} has its events`);
      const { context } = path.state;
      const props = parcelPickupFlow.props(state, context);
      assert.equal(props.entered, context.entry.length);
      const seen = JSON.stringify(props);
      for (const secret of [SAMPLE_CODE.slice(0, CODE_MIN_LENGTH), 'PK93', 'pk-93']) {
        assert.ok(!seen.includes(secret), `no code in ${screen}`);
      }
    }
  });
});

// ── the paths that end the flow, at a real terminal ─────────────────────────────────────

/**
 * A path a person can walk: they press only what the screen offers, and the core's answers
 * fit one seeded store: one set of parcels for one code; a code is either right or wrong;
 * wrong codes lock after the fifth in a row, and a locked terminal stays locked.
 */
function drivable(path: Path): boolean {
  const given = answers(path);
  const variants = new Set(
    given.flatMap(({ event }) => (event.type === 'CODE_OK' ? [variantOf(event)] : [])),
  );
  if (variants.size > 1) return false;
  const verdict = new Map<string, string>();
  let locked = false;
  let wrong = 0;
  for (const { event, code } of given) {
    const kind = event.type === 'CODE_OK' ? 'ok' : 'wrong';
    if (verdict.has(code) && verdict.get(code) !== kind) return false;
    verdict.set(code, kind);
    if (event.type === 'CODE_OK') {
      if (locked) return false;
      continue;
    }
    if (event.lockedUntil === null) {
      if (locked || ++wrong >= LOCKOUT.maxFailures) return false;
    } else locked = true;
  }
  return path.steps.slice(1).every((step, index) => {
    if (!UI_EVENTS.has(step.event.type)) return true;
    const screen = parcelPickupFlow.screens[stateOf(path.steps[index]!.state)];
    return (
      screen !== undefined &&
      (parcelPickupFlow as AnyFlow).allowedEvents[screen]!.includes(step.event.type)
    );
  });
}

/** One path per distinct ending; of paths that end alike the shortest is taken. */
function endingKey(path: Path): string {
  const events = eventsOf(path);
  const given = answers(path);
  const right = given.find(({ event }) => event.type === 'CODE_OK');
  const output = path.state.output as ParcelOutput;
  const final = stateOf(path.state);
  return JSON.stringify([
    final,
    output.reason,
    right?.event.type === 'CODE_OK' ? variantOf(right.event) : null,
    // For a completed pickup, typed and scanned codes both count.
    final === 'done' ? right?.how : null,
    given.some(({ event }) => event.type === 'CODE_WRONG' && event.lockedUntil === null),
    given.some(({ event }) => event.type === 'CODE_WRONG' && event.lockedUntil !== null),
    events.flatMap((event) => (event.type === 'DOOR_FAILED' ? [event.compartment] : [])),
    path.state.context.doors,
    events.at(-1)?.type,
  ]);
}

const terminalPaths = shortestPer(
  paths.filter((candidate) => candidate.state.status === 'done' && drivable(candidate)),
  endingKey,
);

/**
 * The states where the terminal waits for the person (code entry with each error and
 * length, take-and-close for each set of doors): one shortest drivable path to each.
 */
function restingKey(path: Path): string {
  const { context } = path.state;
  const right = answers(path).find(({ event }) => event.type === 'CODE_OK');
  return JSON.stringify([
    stateOf(path.state),
    context.error,
    context.entry.length,
    right?.event.type === 'CODE_OK' ? variantOf(right.event) : null,
    context.doors,
    context.opened,
    context.failure,
  ]);
}
const restingPaths = shortestPer(
  paths.filter(
    (candidate) =>
      candidate.state.status !== 'done' &&
      !WAITING.has(stateOf(candidate.state)) &&
      drivable(candidate),
  ),
  restingKey,
);

const canonical = (code: string) => {
  const normalised = normalizeSecretValue('pickup-code', code);
  assert.ok(normalised.ok);
  return normalised.value;
};

interface Seeded {
  items: ParcelItem[];
  decoy: string | null;
  outboxAfterSeed: number;
}

/** Loads the store and the simulated compartments so that the core answers as the path. */
function seed(kiosk: KioskFixture, path: Path): Seeded {
  const given = answers(path);
  const right = given.find(({ event }) => event.type === 'CODE_OK');
  const variant = right?.event.type === 'CODE_OK' ? right.event : VARIANTS['one parcel'];
  // The parcels wait behind the right code (stored as the store's canonical form, so a QR
  // code matches what staff or the backend wrote down), or behind one nobody entered.
  const code = canonical(right ? right.code : 'ZZ99ZZ');
  if (variant.together) kiosk.store.setSetting(OPEN_TOGETHER_SETTING, 'true');
  for (const wanted of variant.items) {
    const announced = kiosk.store.announceItem({
      id: wanted.id,
      kind: 'parcel',
      reference: `PARCEL-${wanted.id}`,
      recipientRef: 'recipient-1',
      code,
    });
    const loaded = kiosk.store.markLoaded(announced.id, wanted.compartment, 'courier-1');
    assert.ok(loaded.ok, 'seeded parcel loaded');
    kiosk.sim.setItem(0, lockOf(wanted.compartment), true);
  }
  // A document behind a wrong code: the parcel pickup never opens documents.
  const wrong = given.find(({ event }) => event.type === 'CODE_WRONG');
  let decoy: string | null = null;
  if (wrong) {
    decoy = kiosk.store.announceItem({
      kind: 'document',
      reference: 'DOC-DECOY',
      code: wrong.code,
      secondFactor: '1980-01-01',
    }).id;
    assert.ok(kiosk.store.markLoaded(decoy, 'A4', 'staff-1').ok);
  }
  // Earlier wrong codes, so that the path's first locked answer is the fifth in a row.
  const firstLocked = given.findIndex(
    ({ event }) => event.type === 'CODE_WRONG' && event.lockedUntil !== null,
  );
  if (firstLocked >= 0) {
    for (let failure = firstLocked; failure < LOCKOUT.maxFailures - 1; failure++) {
      kiosk.store.recordCodeFailure(kiosk.clock.now());
    }
  }
  for (const event of eventsOf(path)) {
    if (event.type === 'DOOR_FAILED') kiosk.sim.jam(0, lockOf(event.compartment));
  }
  return { items: variant.items, decoy, outboxAfterSeed: maxSeq(kiosk) };
}

/** Waits until the door service has recorded the compartment's door as opened. */
async function opened(kiosk: KioskFixture, compartment: string, where: string) {
  const seenOpen = () =>
    kiosk.store.openIntents().find((candidate) => candidate.compartment === compartment)?.state ===
    'opened';
  if (await kiosk.until(where, seenOpen).catch(() => false)) return;
  assert.fail(`${where}: door ${compartment} was not seen open`);
}

/** Presses, scans and shuts doors as the path says, and checks every resting screen. */
async function walk(kiosk: KioskFixture, path: Path, where: string): Promise<void> {
  const first = parcelPickupFlow.props('code', path.steps[0]!.state.context);
  await chooseService(kiosk, 'parcel-pickup', { screen: 'parcel.code', props: first }, where);
  for (const [index, step] of path.steps.slice(1).entries()) {
    const event = step.event as ParcelEvent;
    const at = `${where} — step ${index + 1} ${event.type}`;
    if (UI_EVENTS.has(event.type)) kiosk.press(event);
    else if (event.type === 'SCAN') {
      const read = kiosk.core.deviceInput({ type: 'SCAN', text: event.text, symbology: 'QR' });
      assert.ok(read.ok, at);
    } else if (event.type === 'DOOR_CLOSED') {
      // The citizen takes the parcels and shuts the door, once the terminal saw it open
      // (all together, the path may shut one door while another is still opening).
      await opened(kiosk, event.compartment, at);
      takeOutAndShut(kiosk, event.compartment);
    }
    // CODE_OK, CODE_WRONG, DOOR_OPENED and DOOR_FAILED come from the real core.
    const shown = { waiting: WAITING, reopenable: true };
    await expectStepShown(kiosk, parcelPickupFlow, step.state, shown, at);
  }
}

describe('parcel pickup: shortest paths to every ending and resting state at a real terminal', () => {
  test('the chosen paths cover every ending, every answer and both ways in', () => {
    const covered = new Set(terminalPaths.map((path) => endingKey(path)));
    const has = (predicate: (key: unknown[]) => boolean) =>
      [...covered].some((key) => predicate(JSON.parse(key) as unknown[]));
    for (const variant of Object.keys(VARIANTS)) {
      for (const how of ['typed', 'scanned']) {
        assert.ok(
          has((k) => k[0] === 'done' && k[2] === variant && k[3] === how),
          `${variant} ${how}`,
        );
      }
      assert.ok(
        has((k) => k[0] === 'failed' && k[2] === variant),
        `failed: ${variant}`,
      );
    }
    assert.ok(
      has((k) => k[0] === 'abandoned' && k[4] === true),
      'abandoned after a wrong code',
    );
    assert.ok(
      has((k) => k[0] === 'abandoned' && k[5] === true),
      'abandoned when locked',
    );
    assert.ok(
      has(
        (k) =>
          k[0] === 'failed' &&
          k[2] === 'two compartments together' &&
          (k[6] as string[]).length === 1,
      ),
      'together: one door fails, the other opens',
    );
  });

  for (const path of [...terminalPaths, ...restingPaths]) {
    const events = eventsOf(path);
    const final = path.state.status === 'done' ? (stateOf(path.state) as Final) : null;
    const where = describePath(events);

    test(`to ${final ?? `${stateOf(path.state)} (resting)`}: ${where}`, async () => {
      const kiosk = await startKiosk();
      try {
        await kiosk.waitForScreen('attract');
        const { items, decoy, outboxAfterSeed } = seed(kiosk, path);
        await walk(kiosk, path, where);

        // One unlock per door the path opened or failed to open, none repeated.
        const doorNews = events.flatMap((event) =>
          event.type === 'DOOR_OPENED' || event.type === 'DOOR_FAILED' ? [event.compartment] : [],
        );
        assert.deepEqual(
          unlockedLocks(kiosk).sort(),
          doorNews.map(lockOf).sort(),
          'one unlock per door, none repeated',
        );
        // Doors still open at the end of a resting path keep their intent open.
        const stillOpen = path.state.context.opened;
        assert.deepEqual(
          kiosk.store
            .openIntents()
            .map((intent) => `${intent.compartment}:${intent.state}`)
            .sort(),
          stillOpen.map((compartment) => `${compartment}:opened`).sort(),
          'no other door intent left open',
        );

        // Parcels behind an opened door are picked up; the others, and any document, wait.
        const opened = events.flatMap((event) =>
          event.type === 'DOOR_OPENED' ? [event.compartment] : [],
        );
        const pickedUp = items.filter((item) => opened.includes(item.compartment)).map((i) => i.id);
        for (const item of items) {
          assert.equal(
            kiosk.store.item(item.id)?.status,
            pickedUp.includes(item.id) ? 'picked_up' : 'loaded',
            `status of ${item.id}`,
          );
        }
        if (decoy) assert.equal(kiosk.store.item(decoy)?.status, 'loaded', 'the document waits');

        // The outbox: the language per parcel of the code (notices follow it), a pickup per
        // parcel taken, an alarm per failed door and per lock.
        const locked = events.some(
          (event) => event.type === 'CODE_WRONG' && event.lockedUntil !== null,
        );
        assert.deepEqual(
          outboxNews(kiosk, outboxAfterSeed).sort(),
          [
            ...pickupNews(events, items, pickedUp),
            ...(locked ? ['alarm:code-brute-force:-'] : []),
          ].sort(),
        );
        assert.ok(kiosk.store.verifyAudit().ok, 'the audit chain verifies');

        // Nothing anybody could read carries a code that was typed or scanned.
        const seen = observable(kiosk);
        for (const { code } of answers(path)) {
          assert.ok(!seen.includes(code), 'the entered code is nowhere');
          assert.ok(!seen.includes(canonical(code)), 'nor its canonical form');
        }

        if (!final) return;
        // The visit is recorded as the model says it ended.
        await expectVisitRecorded(kiosk, 'parcel-pickup', path.state.output as ParcelOutput);
      } finally {
        await kiosk.close();
      }
    });
  }
});
