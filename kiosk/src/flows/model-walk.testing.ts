/**
 * Test support for the model-based tests of the parcel pickup and drop-off flows: replaying a
 * path on the unmodified machine under a parent that records its effects, and checking a real
 * terminal against the model's projection. Used by tests only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import {
  type AnyStateMachine,
  createActor,
  type EventFromLogic,
  type EventObject,
  type Snapshot,
  type SnapshotFrom,
  type StateValue,
  sendTo,
  setup,
} from 'xstate';
import { type View, withAddedProps } from '../core/views.ts';
import { type AuditRow, auditEntries } from '../store/audit.ts';
import { STORE_FILE } from '../store/db.ts';
import { type KioskFixture, TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';
import { type AnyFlow, type FlowEffect, type FlowOutput, leafState } from './flow.ts';
import { DEFAULT_TIMERS } from './session.machine.ts';

export { eventually } from '../testing/wait.ts';

export interface Replayed<Snapshot = { value: unknown; context: unknown; status: string }> {
  /** The flow's snapshot after the last event. */
  snapshot: Snapshot & { output?: unknown };
  /** Effects the flow asked for, with the index of the event that caused each (-1: start). */
  effects: { effect: FlowEffect; after: number }[];
}

/** Runs the unmodified flow machine under a parent that forwards events and records effects. */
export function replay<M extends AnyStateMachine>(
  machine: M,
  events: readonly EventObject[],
): Replayed<SnapshotFrom<M>> {
  const effects: Replayed['effects'] = [];
  let current = -1;
  const parent = setup({
    types: { events: {} as EventObject | { type: 'EFFECT'; effect: FlowEffect } },
    actors: { flow: machine as AnyStateMachine },
  }).createMachine({
    invoke: { id: 'flow', src: 'flow' },
    on: {
      EFFECT: {
        actions: ({ event }) =>
          effects.push({ effect: (event as { effect: FlowEffect }).effect, after: current }),
      },
      'xstate.done.actor.flow': {},
      '*': { actions: sendTo('flow', ({ event }) => event) },
    },
  });
  const actor = createActor(parent);
  actor.start();
  const child = actor.getSnapshot().children.flow;
  assert.ok(child, 'the flow runs');
  for (const [index, event] of events.entries()) {
    current = index;
    actor.send(event);
  }
  const snapshot = child.getSnapshot() as SnapshotFrom<M>;
  actor.stop();
  return { snapshot, effects };
}

/** Replays a model's path on the unmodified machine: it must end as the model did. */
export function replayReaches<M extends AnyStateMachine>(
  machine: M,
  events: readonly EventObject[],
  target: { status: string; value: unknown; context: unknown },
  where: string,
): Replayed<SnapshotFrom<M>> {
  const logic: AnyStateMachine = machine;
  const replayed = replay(logic, events);
  const { status, value, context } = replayed.snapshot;
  assert.equal(status, target.status, where);
  assert.deepEqual(value, target.value, where);
  assert.deepEqual(context, target.context, where);
  return replayed as Replayed<SnapshotFrom<M>>;
}

/** A readable path: typed keys run together, every other event as `word` names it. */
export function describeEvents<Event extends EventObject>(
  events: readonly Event[],
  word: (event: Event) => string,
): string {
  const words: string[] = [];
  let typing = false;
  for (const event of events) {
    if (event.type === 'KEY') {
      const key = String((event as { key?: unknown }).key);
      if (typing) words[words.length - 1] += key;
      else words.push(key);
      typing = true;
      continue;
    }
    typing = false;
    words.push(word(event));
  }
  return words.join(' ') || '(start)';
}

/** Of the paths that share a key, the shortest (the first found, where several are as short). */
export function shortestPer<P extends { steps: readonly unknown[] }>(
  paths: readonly P[],
  key: (path: P) => string,
): P[] {
  const chosen = new Map<string, P>();
  for (const path of [...paths].sort((a, b) => a.steps.length - b.steps.length)) {
    const k = key(path);
    if (!chosen.has(k)) chosen.set(k, path);
  }
  return [...chosen.values()];
}

/**
 * The survey screen after a citizen's flow ended with `output`; a completed pickup may be
 * opened again (`reopenable`) for a while after its door closed.
 */
export function expectSurvey(
  kiosk: KioskFixture,
  ended: { service: string; output: FlowOutput; reopenable: boolean },
  where: string,
): Promise<View> {
  const { service, output, reopenable } = ended;
  return expectView(
    kiosk,
    {
      screen: 'survey',
      props: {
        service,
        outcome: output.outcome,
        reason: output.reason,
        answered: { satisfaction: null, alternative: null },
        reopenUntil:
          reopenable && output.outcome === 'completed'
            ? kiosk.clock.now() + DEFAULT_TIMERS.reopenGraceMs
            : null,
        doorOpen: false,
      },
    },
    where,
  );
}

/**
 * What a citizen's flow shows after a step of a model's path: the survey once it ended, else
 * the screen of its state with the flow's props — unless it waits for the core (`waiting`).
 */
export async function expectStepShown(
  kiosk: KioskFixture,
  flow: AnyFlow,
  snapshot: { status: string; value: StateValue; context: unknown; output?: unknown },
  options: { waiting: ReadonlySet<string>; reopenable: boolean },
  where: string,
): Promise<void> {
  const state = leafState(snapshot.value);
  if (snapshot.status === 'done') {
    const output = snapshot.output as FlowOutput;
    await expectSurvey(kiosk, { service: flow.service, output, ...options }, where);
  } else if (!options.waiting.has(state)) {
    const screen = flow.screens[state]!;
    // The fixture's terminal has no printer and no fleet sync.
    const props = withAddedProps(screen, flow.props(state, snapshot.context));
    const expected = { screen, props };
    await expectView(kiosk, expected as Pick<View, 'screen' | 'props'>, where);
  }
}

/**
 * What a pickup's path leaves in the outbox (as `outboxNews`): the language of each item of
 * a right code (its notices follow it), a pickup per item taken, an alarm per jammed door.
 */
export const pickupNews = (
  events: readonly EventObject[],
  items: readonly { id: string }[],
  pickedUp: readonly string[],
): string[] => [
  ...(events.some((event) => event.type === 'CODE_OK')
    ? items.map((item) => `item-language:${item.id}`)
    : []),
  ...pickedUp.map((id) => `item-picked-up:${id}`),
  ...events.flatMap((event) =>
    event.type === 'DOOR_FAILED'
      ? [`alarm:door-jammed:${(event as { compartment?: string }).compartment}`]
      : [],
  ),
];

/** The citizen finishes: the visit is recorded once, as the model says it ended. */
export async function expectVisitRecorded(
  kiosk: KioskFixture,
  service: string,
  output: FlowOutput,
): Promise<void> {
  kiosk.press({ type: 'FINISH' });
  await kiosk.waitForScreen('attract');
  const ended = kiosk.store.usageEvents().filter((event) => event.type === 'session-ended');
  assert.equal(ended.length, 1);
  assert.equal(ended[0]!.service, service);
  assert.equal(ended[0]!.data.outcome, output.outcome);
  assert.equal(ended[0]!.data.reason, output.reason);
  assert.equal(ended[0]!.data.steps, output.stepsReached.join(','));
}

/** The citizen takes what lies behind an open door and shuts it. */
export function takeOutAndShut(kiosk: KioskFixture, compartment: string): void {
  const lock = lockOf(compartment);
  assert.equal(kiosk.sim.door(0, lock).open, true, `door ${compartment} is open`);
  kiosk.sim.setItem(0, lock, false);
  kiosk.sim.closeDoor(0, lock);
}

/** The outbox after `seq`, as `type:itemId` and `alarm:kind:compartment` (`-`: none). */
export const outboxNews = (kiosk: KioskFixture, seq: number): string[] =>
  allOutbox(kiosk)
    .filter((event) => event.seq > seq)
    .map((event) =>
      event.type === 'alarm'
        ? `alarm:${event.payload.kind}:${event.payload.compartment ?? '-'}`
        : `${event.type}:${event.payload.itemId}`,
    );

export const lockOf = (compartment: string): number => {
  const found = TEST_COMPARTMENTS.find((candidate) => candidate.label === compartment);
  assert.ok(found, `compartment ${compartment}`);
  return found.lock;
};

/** Waits until the terminal shows exactly `expected`, else fails with the difference. */
export async function expectView(
  kiosk: KioskFixture,
  expected: Pick<View, 'screen' | 'props'>,
  where: string,
  timeoutMs = 4000,
): Promise<View> {
  const shows = () => {
    const view = kiosk.core.view();
    return isDeepStrictEqual({ screen: view.screen, props: view.props }, expected) && view;
  };
  const shown = await kiosk.until(where, shows, timeoutMs).catch(() => undefined);
  if (shown) return shown;
  const { screen, props } = kiosk.core.view();
  assert.deepEqual({ screen, props }, expected, where);
  return kiosk.core.view();
}

/** A citizen chooses `service` in the menu; its first screen must show exactly `first`. */
export async function chooseService(
  kiosk: KioskFixture,
  service: string,
  first: Pick<View, 'screen' | 'props'>,
  where: string,
): Promise<void> {
  kiosk.press({ type: 'CHOOSE', service });
  await expectView(kiosk, first, where);
}

/** Sample door news for a model's walk: each compartment seen open, jammed, and shut. */
export const doorNewsOf = (compartments: readonly string[]) =>
  compartments.flatMap((compartment) => [
    { type: 'DOOR_OPENED' as const, compartment },
    { type: 'DOOR_FAILED' as const, compartment, reason: 'jammed' },
    { type: 'DOOR_CLOSED' as const, compartment },
  ]);

/** Waits until the current screen is `screen` and `check` holds for its props. */
export async function waitForView(
  kiosk: KioskFixture,
  screen: string,
  check: (props: Record<string, unknown>) => boolean = () => true,
  timeoutMs = 4000,
): Promise<View> {
  const reached = () => {
    const view = kiosk.core.view();
    return view.screen === screen && check(view.props) && view;
  };
  const shown = await kiosk.until(`screen ${screen}`, reached, timeoutMs).catch(() => undefined);
  if (shown) return shown;
  const view = kiosk.core.view();
  assert.fail(`screen ${screen} not reached as expected; now ${JSON.stringify(view)}`);
}

/** The locks the simulator was told to unlock, in order. */
export function unlockedLocks(kiosk: KioskFixture): number[] {
  return kiosk.sim.received.flatMap(({ command }) =>
    command.kind === 'unlock' ? [command.lock] : [],
  );
}

export const allOutbox = (kiosk: KioskFixture) =>
  kiosk.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000);

export const maxSeq = (kiosk: KioskFixture) =>
  Math.max(0, ...allOutbox(kiosk).map((event) => event.seq));

/** Everything a person or an observer could read: views, the saved session, the logs. */
export function observable(kiosk: KioskFixture): string {
  return [
    JSON.stringify(kiosk.views),
    kiosk.store.loadSnapshot('session')?.snapshot ?? '',
    JSON.stringify(kiosk.logger.entries),
  ].join('\n');
}

/** The audit trail as stored, read through a second, read-only connection. */
export function auditTrail(kiosk: KioskFixture): AuditRow[] {
  const db = new Database(join(kiosk.dir, STORE_FILE), { readonly: true });
  try {
    return auditEntries(db);
  } finally {
    db.close();
  }
}

/**
 * A person puts something into an open compartment: the item sensor sees it (one poll)
 * before the door is shut. (Closing in the same poll would not do: the locker reports the
 * door's close before it takes in the item sensor of the same status reply.)
 */
export async function putIn(kiosk: KioskFixture, compartment: string, timeoutMs = 2000) {
  kiosk.sim.setItem(0, lockOf(compartment), true);
  const seen = () => kiosk.locker.door(compartment)?.itemPresent === true;
  await kiosk
    .until('the item sensor', seen, timeoutMs)
    .catch(() => assert.fail(`the item sensor of ${compartment} saw nothing`));
}

/** The alarms in the outbox, as `kind:compartment`. */
export const alarmsOf = (kiosk: KioskFixture) =>
  allOutbox(kiosk)
    .filter((event) => event.type === 'alarm')
    .map((event) => `${event.payload.kind}:${event.payload.compartment ?? '-'}`);

/**
 * A flow machine for `xstate/graph`'s walks, with its children running. The graph's own
 * transition runs none (its actor scope is a mock), but a flow's door is a child machine:
 * here each step restores the flow from the step before (children and all), sends the event
 * and reads the result. The flow's requests to its parent must be provided inert.
 */
export function withChildren<M extends AnyStateMachine>(machine: M) {
  return {
    getInitialSnapshot: (_scope: unknown, input?: unknown) => initialWithChildren(machine, input),
    transition: (snapshot: SnapshotFrom<M>, event: EventFromLogic<M>) =>
      transitionWithChildren(machine, snapshot, event),
  } as unknown as M;
}

const settled = <M extends AnyStateMachine>(actor: { getSnapshot(): Snapshot<unknown> }) => {
  const snapshot = actor.getSnapshot();
  if (snapshot.status === 'error') throw snapshot.error;
  return snapshot as SnapshotFrom<M>;
};

/** The first snapshot of a flow started with `input`, its children running. */
export function initialWithChildren<M extends AnyStateMachine>(machine: M, input?: unknown) {
  const logic: AnyStateMachine = machine;
  return settled<M>(createActor(logic, { input }).start());
}

/** The flow's next snapshot after `event`, restored from `snapshot` with its children. */
export function transitionWithChildren<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  event: EventFromLogic<M>,
) {
  const logic: AnyStateMachine = machine;
  const persisted = machine.getPersistedSnapshot(snapshot) as Snapshot<unknown>;
  const actor = createActor(logic, { snapshot: persisted }).start();
  actor.send(event);
  return settled<M>(actor);
}

/** Value and context: what tells two states of a flow (its doors included) apart. */
export const valueAndContext = (snapshot: { value: unknown; context: unknown }) =>
  JSON.stringify({ value: snapshot.value, context: snapshot.context });

/**
 * The atomic states of a machine, by name (a door's `opening` once, wherever it stands);
 * `skipAlways`: without the states that have an `always` transition.
 */
export function leafStatesOf(machine: AnyStateMachine, skipAlways = false): string[] {
  type Node = { key: string; states: Record<string, Node>; always?: unknown[] };
  const leaves = (node: Node): string[] => {
    const children = Object.values(node.states);
    if (children.length > 0) return children.flatMap(leaves);
    return skipAlways && node.always?.length ? [] : [node.key];
  };
  return [...new Set((Object.values(machine.root.states) as Node[]).flatMap(leaves))];
}
