/**
 * Model-based tests of the staff flow (DESIGN.md §7.2). `getShortestPaths` walks the staff
 * machine with sample events of every type — UI events only where the screen offers them —
 * and every shortest path to a distinct resting state (screen, error, last load, last door,
 * role) and to the ends of the flow is driven at a real terminal: the kiosk core on a real
 * SQLite file with the lock-board simulator over a pty.
 *
 * Only what a person does is played: UI events are pressed, cards tapped, codes scanned,
 * doors shut in the simulator. The core's answers and the door news come from the real core;
 * the store is seeded from the path so that they are the path's answers (the card of the
 * role the path finds, a PIN that is right or wrong as the path says, the announced item, a
 * jammed lock for a failed door ...). At every resting state the real view must match the
 * model, and at the end the store must hold what the path implies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { View } from '../core/views.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { type AnyFlow, leafState } from './flow.ts';
import {
  initialWithChildren,
  leafStatesOf,
  transitionWithChildren,
  withChildren,
} from './model-walk.testing.ts';
import { FOUR_EYES_SETTING, staffFlow } from './staff.flow.ts';
import {
  type CompartmentInfo,
  type Size,
  type StaffContext,
  type StaffEvent,
  type StaffRole,
  staffMachine,
} from './staff.machine.ts';
import {
  audited,
  emptyAndClose,
  lockOf,
  outboxOf,
  PEOPLE,
  type Person,
  placeAndClose,
  UNKNOWN_CARD,
  unlocks,
} from './staff.test-support.ts';

// ── the model ─────────────────────────────────────────────────────────────────────────────

const REFERENCE = 'BB-MODEL-1';
const EXPIRED_ID = 'exp-1';
const EXPIRED_AT = 'A3';
const LOCKED_UNTIL = Date.UTC(2026, 10, 2, 9, 15);
const FOUND = {
  document: { id: 'item-doc', kind: 'document', size: 'M' },
  idDocument: { id: 'item-id', kind: 'id-document', size: 'S' },
  noSize: { id: 'item-nosize', kind: 'document', size: null },
} as const;
const COMPARTMENTS: CompartmentInfo[] = ['A1', 'A2', 'A3', 'A4'].map((label) => ({
  label,
  size: 'M',
  defective: false,
  defectReason: null,
  door: 'closed',
  occupied: false,
}));

type StaffSnapshot = SnapshotFrom<typeof staffMachine>;
const stateOf = (snapshot: StaffSnapshot) => leafState(snapshot.value);
const screenOf = (snapshot: StaffSnapshot) =>
  snapshot.status === 'done' ? 'attract' : staffFlow.screens[stateOf(snapshot)]!;

const UI_EVENTS = new Set(
  staffFlow.uiEvents.flatMap((schema) => {
    const shape = (schema as unknown as { shape: { type: { options?: string[]; value?: string } } })
      .shape.type;
    return shape.options ?? [shape.value!];
  }),
);
const DEVICE_EVENTS = new Set(['CARD', 'SCAN']);

function sampleEvents(snapshot: StaffSnapshot): StaffEvent[] {
  const door = snapshot.context.doors[0] ?? 'A2';
  const expired = [{ id: EXPIRED_ID, kind: 'document', compartment: EXPIRED_AT, reference: '••' }];
  const roles: StaffRole[] = ['staff', 'supervisor', 'technician'];
  return [
    { type: 'KEY', key: '1' },
    { type: 'DELETE' },
    { type: 'CLEAR' },
    { type: 'SUBMIT' },
    { type: 'BACK' },
    { type: 'CANCEL' },
    { type: 'START_LOADING' },
    { type: 'START_RETRIEVAL' },
    { type: 'START_MAINTENANCE' },
    { type: 'LOGOUT' },
    { type: 'CHOOSE_KIND', kind: 'object' },
    { type: 'CHOOSE_SIZE', size: 'M' },
    { type: 'CONFIRM' },
    { type: 'RETRIEVE', itemId: EXPIRED_ID },
    { type: 'RETRIEVE_ALL' },
    { type: 'CONFIRM_TAKEN' },
    { type: 'NOT_TAKEN' },
    { type: 'OPEN_DOOR', compartment: 'A3', reason: 'inspection' },
    { type: 'DOOR_TEST', compartment: 'A4' },
    { type: 'SET_DEFECTIVE', compartment: 'A1', reason: 'lock' },
    { type: 'SET_REPAIRED', compartment: 'A1' },
    { type: 'MARK_DEFECTIVE' },
    { type: 'CONTINUE' },
    { type: 'CARD', uid: 'SECOND' },
    { type: 'SCAN', text: REFERENCE },
    ...roles.map((role) => ({
      type: 'ANSWER_STAFF_FOUND' as const,
      staffId: `model-${role}`,
      role,
      lockedUntil: null,
    })),
    {
      type: 'ANSWER_STAFF_FOUND',
      staffId: 'model-staff',
      role: 'staff',
      lockedUntil: LOCKED_UNTIL,
    },
    ...(['unknown-card', 'courier-card', 'same-person', 'not-allowed'] as const).map((reason) => ({
      type: 'ANSWER_STAFF_REFUSED' as const,
      reason,
    })),
    { type: 'ANSWER_PIN_OK' },
    { type: 'ANSWER_PIN_WRONG' },
    { type: 'ANSWER_PIN_LOCKED', lockedUntil: LOCKED_UNTIL },
    ...Object.values(FOUND).map((item) => ({ type: 'ANSWER_ITEM_FOUND' as const, item })),
    { type: 'ANSWER_ITEM_UNKNOWN' },
    { type: 'ANSWER_ITEM_NOT_LOADABLE', status: 'loaded' },
    { type: 'ANSWER_LOAD_READY', itemId: 'ready', compartment: 'A2', fourEyes: false },
    { type: 'ANSWER_LOAD_READY', itemId: 'ready', compartment: 'A2', fourEyes: true },
    { type: 'ANSWER_NO_COMPARTMENT', size: 'M' },
    { type: 'ANSWER_LOAD_FINISHED', loaded: true },
    { type: 'ANSWER_LOAD_FINISHED', loaded: false },
    { type: 'ANSWER_EXPIRED', items: [] },
    { type: 'ANSWER_EXPIRED', items: expired },
    { type: 'ANSWER_COMPARTMENTS', compartments: COMPARTMENTS },
    { type: 'DOOR_OPENED', compartment: door },
    { type: 'DOOR_FAILED', compartment: door, reason: 'jammed' },
    { type: 'DOOR_CLOSED', compartment: door },
  ];
}

/**
 * Events the real terminal can produce in this state: a UI event only where the screen
 * offers it, and only the answers the core gives (a login is never refused as "same person",
 * four-eyes only for ID documents, a second person must be allowed to load).
 */
function possible(snapshot: StaffSnapshot, event: StaffEvent): boolean {
  const state = stateOf(snapshot);
  const context = snapshot.context;
  if (UI_EVENTS.has(event.type)) {
    return ((staffFlow as AnyFlow).allowedEvents[screenOf(snapshot)] ?? []).includes(event.type);
  }
  switch (event.type) {
    case 'ANSWER_STAFF_REFUSED':
      // A courier's card at login is no refusal: it hands over to the courier deposit
      // (staff.test.ts), which this model of the staff flow leaves out.
      return state === 'identifying' ? event.reason === 'unknown-card' : true;
    case 'ANSWER_STAFF_FOUND':
      return state === 'identifying' || event.role !== 'technician';
    case 'ANSWER_LOAD_READY':
      return !event.fourEyes || context.load?.kind === 'id-document';
    case 'ANSWER_EXPIRED': {
      // The world holds at most one expired item: once its door opened the list is empty;
      // after its door failed it is still there.
      const outcome = context.lastDoor?.purpose === 'retrieve' ? context.lastDoor.outcome : null;
      if (outcome === 'failed') return event.items.length > 0;
      if (outcome !== null) return event.items.length === 0;
      return true;
    }
    default:
      return true;
  }
}

const TYPING = new Set(['pin', 'secondPin', 'loadScan']);
const RETRIEVAL = new Set(['listingExpired', 'retrieveList', 'retrieveConfirm', 'nextRetrieval']);

/**
 * The parts of the context that decide what can happen next in this state: typing collapses
 * at 4 keys, and history that cannot matter here (the expired list while loading, the last
 * load in maintenance ...) is left out. Merging states this way only drops redundant paths:
 * every path is still computed from the machine's real snapshots.
 */
const serializeState = (snapshot: StaffSnapshot) => {
  const c: StaffContext = snapshot.context;
  const state = stateOf(snapshot);
  const job = c.job?.purpose ?? null;
  const retrieval = RETRIEVAL.has(state) || job === 'retrieve';
  const maintenance = state === 'maintenance' || job === 'maintenance' || job === 'door-test';
  return JSON.stringify({
    value: snapshot.value,
    status: snapshot.status,
    error: c.error,
    role: c.role,
    refusal: c.refusal,
    entry: TYPING.has(state) ? Math.min(c.entry.length, 4) : c.entry.length > 0,
    load: c.load && {
      kind: c.load.kind,
      size: c.load.size,
      created: c.load.created,
      fourEyes: c.load.fourEyes,
      second: c.load.secondStaffId !== null,
    },
    lastLoad: c.lastLoad?.outcome ?? null,
    job,
    taken: c.taken,
    defectMarked: state === 'doorFailed' && c.defectMarked,
    retrieval: retrieval && [
      c.expired.length,
      c.queue.length,
      c.lastDoor?.purpose === 'retrieve' ? c.lastDoor.outcome : null,
    ],
    maintenance: maintenance && [
      c.compartments.length,
      c.lastDoor && `${c.lastDoor.purpose}:${c.lastDoor.outcome}`,
    ],
  });
};

/** The machine's requests to the core are inert without a parent; all else is the machine. */
const inert = staffMachine.provide({
  actions: Object.fromEntries(
    [
      'identifyCard',
      'identifySecondCard',
      'checkPin',
      'checkSecondPin',
      'findItem',
      'prepareLoad',
      'finishLoad',
      'finishRound',
      'listExpired',
      'listCompartments',
      'forwardEffect',
      'setDefective',
      'markDefective',
      'audit',
    ].map((name) => [name, () => {}]),
  ),
});

const model = withChildren(inert);

const START = { start: { type: 'CARD', uid: 'SAMPLE' } };
const shortest = getShortestPaths(model, {
  input: START,
  events: sampleEvents,
  filterEvents: possible,
  serializeState,
  // After a finished load the next scan's answer depends on that load (covered by the
  // scenario tests): the walk stops there. Past the menu, a supervisor can do everything
  // the other roles can: their menus are reached, the walk goes on as supervisor.
  stopWhen: (snapshot) =>
    snapshot.status === 'done' ||
    snapshot.context.lastLoad !== null ||
    (stateOf(snapshot) === 'menu' && snapshot.context.role !== 'supervisor'),
});

/**
 * A path as the machine really goes it. The graph keeps one snapshot per serialized state,
 * so the snapshots it attaches to a path may come from another history; replaying the
 * path's events on the machine gives the concrete ones (it must reach the same states).
 */
interface Path {
  steps: { event: StaffEvent; state: StaffSnapshot }[];
  state: StaffSnapshot;
}
const allPaths: Path[] = shortest.map((found) => {
  let snapshot = initialWithChildren(inert, START);
  const steps: Path['steps'] = [{ event: found.steps[0]!.event as StaffEvent, state: snapshot }];
  for (const step of found.steps.slice(1)) {
    snapshot = transitionWithChildren(inert, snapshot, step.event as StaffEvent);
    assert.equal(serializeState(snapshot), serializeState(step.state as StaffSnapshot));
    steps.push({ event: step.event as StaffEvent, state: snapshot });
  }
  return { steps, state: snapshot };
});

/** States the machine leaves without a person: it waits for the core's answer or a door. */
const WAITING = new Set([
  'identifying',
  'checkingPin',
  'findingItem',
  'preparingLoad',
  'identifyingSecond',
  'checkingSecondPin',
  'finishingLoad',
  'listingExpired',
  'nextRetrieval',
  'opening',
]);

/** What the real view must show in a resting state: the model's projection. */
function expected(snapshot: StaffSnapshot) {
  const c = snapshot.context;
  if (snapshot.status === 'done') return { screen: 'attract' };
  return {
    screen: screenOf(snapshot),
    error: c.error,
    entered: c.entry.length,
    role: c.role,
    refusal: c.refusal,
    lastLoad: c.lastLoad?.outcome ?? null,
    lastDoor: c.lastDoor ? `${c.lastDoor.purpose}:${c.lastDoor.outcome}` : null,
    expired: c.expired.length,
    door: c.job && c.doors[0] ? c.job.purpose : null,
  };
}

function actual(view: View, done: boolean) {
  if (done) return { screen: view.screen };
  const p = view.props;
  const lastDoor = p.lastDoor as { purpose: string; outcome: string } | null;
  return {
    screen: view.screen,
    error: p.error,
    entered: p.entered,
    role: p.role,
    refusal: p.refusal,
    lastLoad: (p.lastLoad as { outcome: string } | null)?.outcome ?? null,
    lastDoor: lastDoor ? `${lastDoor.purpose}:${lastDoor.outcome}` : null,
    expired: (p.expired as unknown[]).length,
    door: (p.door as { purpose: string } | null)?.purpose ?? null,
  };
}

/**
 * One path per distinct resting state and per end of the flow, the shortest. A resting state
 * is told apart by what its screen shows: the error and refusal everywhere, the role on the
 * menu, the last load on the loading screen, the last door where staff return after one,
 * whether expired items are listed, what a door is for, whether a described item is new.
 * Typing and older outcomes are covered on the way.
 */
function keyOf(snapshot: StaffSnapshot): string {
  const c = snapshot.context;
  const state = stateOf(snapshot);
  if (snapshot.status === 'done') return `done:${state}:${c.stepsReached.includes('menu')}`;
  const shows: Record<string, unknown> = { state, error: c.error, refusal: c.refusal };
  if (state === 'menu') shows.role = c.role;
  // Locked at the card (locked before) or by the fifth wrong PIN (the store counts).
  if (state === 'locked') shows.byPin = c.stepsReached.includes('pin');
  if (state === 'loadScan') shows.lastLoad = c.lastLoad?.outcome ?? null;
  if (['maintenance', 'retrieveList', 'doorFailed'].includes(state)) {
    shows.lastDoor = c.lastDoor && `${c.lastDoor.purpose}:${c.lastDoor.outcome}`;
  }
  if (state === 'retrieveList') shows.expired = c.expired.length > 0;
  if (state === 'takeAndClose' || state === 'retrieveConfirm') shows.job = c.job?.purpose;
  if (state === 'describeItem') shows.created = c.load?.created;
  return JSON.stringify(shows);
}
const PATHS = [
  ...new Map(
    allPaths
      .filter((path) => path.state.status === 'done' || !WAITING.has(stateOf(path.state)))
      .sort((a, b) => a.steps.length - b.steps.length)
      .map((path) => [keyOf(path.state), path] as const)
      .reverse(), // the Map keeps the last one set: the shortest
  ).values(),
].sort((a, b) => a.steps.length - b.steps.length);

// ── the world a path needs ────────────────────────────────────────────────────────────────

interface World {
  first: Person | { card: string; id: null };
  /** Card of each CARD step (four-eyes), in order. */
  secondCards: string[];
  people: Map<string, Person & { pinRight: boolean; lockedBefore: boolean; wrongBefore: number }>;
  item: { id: string; kind: string; size: Size | null; loaded: boolean } | null;
  reference: string | null;
  fourEyes: boolean;
  allDefective: boolean;
  jamAll: boolean;
  expired: boolean;
}

const ROLE_PEOPLE: Record<StaffRole, Person> = {
  staff: PEOPLE.staff,
  supervisor: PEOPLE.supervisor,
  technician: PEOPLE.technician,
};

function worldOf(path: Path): World {
  const steps = path.steps;
  const world: World = {
    first: { card: UNKNOWN_CARD, id: null },
    secondCards: [],
    people: new Map(),
    item: null,
    reference: null,
    fourEyes: false,
    allDefective: false,
    jamAll: false,
    expired: false,
  };
  const person = (base: Person) => {
    const known = world.people.get(base.id);
    if (known) return known;
    const entry = { ...base, pinRight: true, lockedBefore: false, wrongBefore: 0 };
    world.people.set(base.id, entry);
    return entry;
  };
  let typed = '';
  let pinOf: string | null = null;
  const wrongPins = new Map<string, number>();
  let opened = false;
  let failed = false;
  for (let index = 1; index < steps.length; index++) {
    const before = stateOf(steps[index - 1]!.state);
    const event = steps[index]!.event as StaffEvent;
    switch (event.type) {
      case 'ANSWER_STAFF_FOUND': {
        if (before === 'identifying') {
          const found = person(ROLE_PEOPLE[event.role]);
          found.lockedBefore = event.lockedUntil !== null;
          world.first = found;
          pinOf = found.id;
        } else {
          // A second person of that role, not the one logged in.
          const base =
            event.role === 'supervisor' && world.first.id !== PEOPLE.supervisor.id
              ? PEOPLE.supervisor
              : PEOPLE.colleague;
          const second = person({ ...base, role: event.role });
          second.lockedBefore = event.lockedUntil !== null;
          world.secondCards.push(second.card);
          pinOf = second.id;
        }
        break;
      }
      case 'ANSWER_STAFF_REFUSED': {
        const card =
          event.reason === 'courier-card'
            ? person(PEOPLE.courier).card
            : event.reason === 'same-person'
              ? world.first.card
              : event.reason === 'not-allowed'
                ? person(PEOPLE.technician).card
                : UNKNOWN_CARD;
        if (before === 'identifying') world.first = { card, id: null };
        else world.secondCards.push(card);
        break;
      }
      case 'ANSWER_PIN_OK':
      case 'ANSWER_PIN_WRONG':
      case 'ANSWER_PIN_LOCKED': {
        // The sample PIN is typed every time: it is right for this person or it is not.
        const who = world.people.get(pinOf!)!;
        const right = event.type === 'ANSWER_PIN_OK';
        const wrongSoFar = wrongPins.get(who.id) ?? 0;
        assert.ok(right ? wrongSoFar === 0 : who.pinRight === false || wrongSoFar === 0);
        who.pinRight = right;
        // The store locks at the fifth wrong PIN in a row: the rest happened before.
        if (event.type === 'ANSWER_PIN_LOCKED') who.wrongBefore = 4 - wrongSoFar;
        if (!right) wrongPins.set(who.id, wrongSoFar + 1);
        break;
      }
      case 'KEY':
        if (before === 'loadScan') typed += event.key;
        break;
      case 'SUBMIT':
        if (before === 'loadScan') world.reference ??= typed;
        break;
      case 'SCAN':
        world.reference ??= event.text;
        break;
      case 'ANSWER_ITEM_FOUND':
        world.item = { ...event.item, loaded: false };
        break;
      case 'ANSWER_ITEM_NOT_LOADABLE':
        world.item = { id: 'item-loaded', kind: 'document', size: 'S', loaded: true };
        break;
      case 'ANSWER_LOAD_READY':
        world.fourEyes ||= event.fourEyes;
        break;
      case 'ANSWER_NO_COMPARTMENT':
        world.allDefective = true;
        break;
      case 'ANSWER_EXPIRED':
        world.expired ||= event.items.length > 0;
        break;
      case 'DOOR_OPENED':
        opened = true;
        break;
      case 'DOOR_FAILED':
        failed = true;
        world.jamAll = true;
        break;
    }
  }
  assert.ok(!(opened && failed), 'a path either opens doors or has them jam');
  return world;
}

async function seed(kiosk: KioskFixture, world: World) {
  for (const member of world.people.values()) {
    assert.ok(
      kiosk.store.addStaff({
        id: member.id,
        role: member.role,
        card: member.card,
        pin: member.pinRight ? '1111' : '9999',
      }).ok,
    );
    const wrong = member.lockedBefore ? 5 : member.wrongBefore;
    for (let i = 0; i < wrong; i++) kiosk.store.checkPin(member.id, '0000');
  }
  if (world.item) {
    const item = kiosk.store.announceItem({
      id: world.item.id,
      kind: world.item.kind as 'document',
      reference: world.reference ?? REFERENCE,
      size: world.item.size,
    });
    if (world.item.loaded) kiosk.store.markLoaded(item.id, 'A4', 'staff-old');
  }
  if (world.fourEyes) kiosk.store.setSetting(FOUR_EYES_SETTING, 'true');
  if (world.expired) {
    kiosk.store.announceItem({ id: EXPIRED_ID, kind: 'document', reference: 'BB-OLD-99' });
    kiosk.store.markLoaded(EXPIRED_ID, EXPIRED_AT, 'staff-old');
    kiosk.sim.setItem(0, lockOf(EXPIRED_AT), true);
    kiosk.store.expireDue(kiosk.clock.now() + 15 * 24 * 60 * 60 * 1000);
  }
  if (world.allDefective) {
    for (const c of COMPARTMENTS) kiosk.store.setDefective(c.label, 'lock', 'system');
  }
  if (world.jamAll) for (const c of COMPARTMENTS) kiosk.sim.jam(0, lockOf(c.label));
}

// ── driving the real terminal ─────────────────────────────────────────────────────────────

async function rests(kiosk: KioskFixture, snapshot: StaffSnapshot, where: string) {
  const want = expected(snapshot);
  const done = snapshot.status === 'done';
  try {
    await kiosk.until(where, () => {
      const have = actual(kiosk.core.view(), done);
      return JSON.stringify(have) === JSON.stringify(want);
    });
  } catch {
    assert.deepEqual(actual(kiosk.core.view(), done), want, where);
  }
}

async function walk(path: Path) {
  const world = worldOf(path);
  const kiosk = await startKiosk({ oneClock: true });
  try {
    await seed(kiosk, world);
    await kiosk.waitForScreen('attract');
    assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: world.first.card }).ok);
    const cards = [...world.secondCards];
    const steps = path.steps;
    for (let index = 1; index < steps.length; index++) {
      const before = steps[index - 1]!.state as StaffSnapshot;
      const event = steps[index]!.event as StaffEvent;
      const where = `step ${index} ${event.type} in ${stateOf(before)}`;
      const byPerson =
        UI_EVENTS.has(event.type) || DEVICE_EVENTS.has(event.type) || event.type === 'DOOR_CLOSED';
      if (!byPerson) continue; // the core answers, the door reports
      if (!WAITING.has(stateOf(before))) await rests(kiosk, before, where);
      if (UI_EVENTS.has(event.type)) {
        const { type, ...fields } = event as StaffEvent & Record<string, unknown>;
        delete fields.at;
        kiosk.press({ type, ...fields });
      } else if (event.type === 'CARD') {
        assert.ok(kiosk.core.deviceInput({ type: 'CARD', uid: cards.shift()! }).ok);
      } else if (event.type === 'SCAN') {
        assert.ok(kiosk.core.deviceInput({ type: 'SCAN', text: event.text, symbology: 'C' }).ok);
      } else {
        const label = (kiosk.core.view().props.door as { compartment: string }).compartment;
        const next = steps[index + 1]?.event as StaffEvent | undefined;
        const job = before.context.job?.purpose;
        if (job === 'load' && !(next?.type === 'ANSWER_LOAD_FINISHED' && !next.loaded)) {
          await placeAndClose(kiosk, label);
        } else if (job === 'retrieve') await emptyAndClose(kiosk, label);
        else kiosk.sim.closeDoor(0, lockOf(label));
      }
    }
    const end = path.state as StaffSnapshot;
    await rests(kiosk, end, `end in ${stateOf(end)}`);
    checkStore(kiosk, path, world);
  } finally {
    await kiosk.close();
  }
}

/** What the store must hold after the path. */
function checkStore(kiosk: KioskFixture, path: Path, world: World) {
  const end = path.state.context as StaffContext;
  const events = path.steps.map((step) => step.event.type);
  const doors = path.steps.filter((step) => stateOf(step.state as StaffSnapshot) === 'opening');
  assert.ok(kiosk.store.verifyAudit().ok, 'the audit chain verifies');
  assert.equal(unlocks(kiosk), doors.length, 'one unlock per door the path opens');
  const loginOk = path.steps.findIndex(
    (step, i) =>
      step.event.type === 'ANSWER_PIN_OK' &&
      stateOf(path.steps[i - 1]!.state as StaffSnapshot) === 'checkingPin',
  );
  const logins = audited(kiosk, 'staff-login');
  assert.equal(logins.length, loginOk > 0 ? 1 : 0);
  if (loginOk > 0) assert.equal(logins[0]!.actor, world.first.id);
  if (stateOf(path.state as StaffSnapshot) === 'loggedOut') {
    assert.equal(audited(kiosk, 'staff-logout')[0]?.actor, world.first.id);
  }
  // Seeded items were loaded once already (the one not loadable, the expired one).
  const seededReady = (world.item?.loaded ? 1 : 0) + (world.expired ? 1 : 0);
  const ready = outboxOf(kiosk, 'item-ready').length - seededReady;
  if (end.lastLoad?.outcome === 'loaded') {
    const loaded = world.item
      ? kiosk.store.item(world.item.id)
      : kiosk.store.itemByReference(world.reference ?? REFERENCE);
    assert.equal(loaded?.status, 'loaded');
    assert.equal(loaded?.loadedBy, world.first.id);
    assert.equal(ready, 1, 'item-ready exactly once');
    assert.equal(kiosk.store.usageEvents().filter((e) => e.type === 'staff-load').length, 1);
  } else {
    assert.equal(ready, 0, 'nothing loaded');
  }
  // The retrieval happens when the door is seen open (the door service's completion).
  const retrievedOpen = path.steps.some(
    (step, i) =>
      step.event.type === 'DOOR_OPENED' &&
      (path.steps[i - 1]!.state.context as StaffContext).job?.purpose === 'retrieve',
  );
  if (world.expired) {
    assert.equal(kiosk.store.item(EXPIRED_ID)?.status, retrievedOpen ? 'retrieved' : 'expired');
    assert.equal(outboxOf(kiosk, 'item-retrieved').length, retrievedOpen ? 1 : 0);
  }
  if (end.lastDoor?.outcome === 'not-taken') {
    assert.equal(kiosk.store.compartment(EXPIRED_AT)?.defectReason, 'check-contents');
  }
  if (end.lastDoor?.outcome === 'failed') {
    assert.ok(outboxOf(kiosk, 'alarm').some((e) => e.payload.kind === 'door-jammed'));
  }
  if (events.includes('ANSWER_PIN_LOCKED')) {
    assert.equal(audited(kiosk, 'staff-pin-locked').length, 1);
  }
  if (events.includes('ANSWER_ITEM_UNKNOWN') && end.lastLoad === null) {
    // Described but never given a door: nothing was created.
    const opened = doors.some(
      (step) => (step.state.context as StaffContext).job?.purpose === 'load',
    );
    if (!opened) assert.equal(kiosk.store.itemByReference(world.reference ?? REFERENCE), undefined);
  }
}

describe('staff flow: shortest paths of the machine against the real core', () => {
  test('the model has paths to every state of the machine', () => {
    const reached = new Set(allPaths.map((path) => stateOf(path.state as StaffSnapshot)));
    // A state left at once (`always`) is never a resting snapshot; paths pass through it.
    const states = leafStatesOf(staffMachine, true)
      // The courier handover (a courier's card at login) is tested in staff.test.ts.
      .filter((name) => name !== 'courier');
    assert.deepEqual(
      states.filter((state) => !reached.has(state)),
      [],
      'unreachable states',
    );
    assert.ok(PATHS.length >= states.length);
  });

  for (const path of PATHS) {
    const events = path.steps.slice(1).map((step) => step.event.type);
    const target = keyOf(path.state as StaffSnapshot);
    test(`${stateOf(path.state as StaffSnapshot)} ${target.slice(0, 140)} ← ${events.join(' ')}`, () =>
      walk(path));
  }
});
