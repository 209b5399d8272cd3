/**
 * The test model of the courier deposit flow: sample events per state for `xstate/graph`,
 * the state serialisation that keeps the graph small but faithful, and the replay of a path
 * on the pure machine. Used by the model-based tests; no production code imports it.
 */
import { createActor, type SnapshotFrom } from 'xstate';
import type { CompartmentSize } from '../store/types.ts';
import { courierDepositFlow } from './courier-deposit.flow.ts';
import {
  COURIER_CODE_MIN_LENGTH,
  type CourierContext,
  type CourierEvent,
  courierDepositMachine,
  type FreeCounts,
} from './courier-deposit.machine.ts';
import { type AnyFlow, leafState } from './flow.ts';
import { withChildren } from './model-walk.testing.ts';

/** The machine without its effects (they need a parent); behaviour is unchanged. */
export const pureMachine = courierDepositMachine.provide({
  actions: {
    requestCardLogin: () => {},
    requestCodeLogin: () => {},
    requestParcel: () => {},
    requestCompartment: () => {},
    forwardEffect: () => {},
    requestConfirmation: () => {},
  },
});

/** For the graph's walks: the same machine with its door child running (`withChildren`). */
export const modelMachine = withChildren(pureMachine);

export type ModelSnapshot = SnapshotFrom<typeof modelMachine>;

/** Free compartments of the test terminal (A1 S, A2 M, A3 M, A4 L) in the situations modelled. */
export const ALL_FREE: FreeCounts = { S: 1, M: 2, L: 1, XL: 0 };
export const SMALL_TAKEN: FreeCounts = { S: 0, M: 2, L: 1, XL: 0 };
export const STATION_FULL: FreeCounts = { S: 0, M: 0, L: 0, XL: 0 };
/** The compartment the core picks for a size when all of that size are free. */
export const FIRST_OF_SIZE: Record<CompartmentSize, string> = {
  S: 'A1',
  M: 'A2',
  L: 'A4',
  XL: 'none',
};
export const NEAREST = 'Polch, Bahnhof';
export const MODEL_ITEM = 'model-item';

/** Events the environment (a person, a device, the core) can send in a state. */
export function sampleEvents(snapshot: ModelSnapshot): CourierEvent[] {
  // A person can only send what the screen offers (the core refuses anything else).
  const screen = courierDepositFlow.screens[leafState(snapshot.value)] ?? '';
  const offered: readonly string[] = (courierDepositFlow as AnyFlow).allowedEvents[screen] ?? [];
  return candidateEvents(snapshot).filter(
    (event) => !UI_EVENTS.has(event.type) || offered.includes(event.type),
  );
}

const UI_EVENTS = new Set([
  'KEY',
  'DELETE',
  'CLEAR',
  'SUBMIT',
  'BACK',
  'CANCEL',
  'FINISH',
  'SELECT_SIZE',
  'TAKE_OFFER',
  'OPEN_AGAIN',
  'NEXT_PARCEL',
]);

function candidateEvents(snapshot: ModelSnapshot): CourierEvent[] {
  const context = snapshot.context as CourierContext;
  const door = context.doors[0] ?? 'none';
  const parcel = (free: FreeCounts, announced: boolean) => ({
    type: 'ANSWER_PARCEL' as const,
    itemId: announced ? MODEL_ITEM : null,
    announcedSize: announced ? ('M' as const) : null,
    free,
    nearest: NEAREST,
  });
  switch (leafState(snapshot.value)) {
    case 'login':
      return [
        // Typing past the shortest complete code adds nothing but states.
        ...(context.entry.length < COURIER_CODE_MIN_LENGTH
          ? [{ type: 'KEY' as const, key: '7' }]
          : []),
        { type: 'DELETE' },
        { type: 'SUBMIT' },
        { type: 'CARD', uid: '04A1B2C3' },
        { type: 'BACK' },
        { type: 'CANCEL' },
      ];
    case 'verifyingCode':
      return [
        { type: 'ANSWER_COURIER_OK', courierId: 'courier' },
        { type: 'ANSWER_COURIER_WRONG', error: 'wrong-code', lockedUntil: null },
        { type: 'ANSWER_COURIER_WRONG', error: 'wrong-code', lockedUntil: 1 },
      ];
    case 'verifyingCard':
      return [
        { type: 'ANSWER_COURIER_OK', courierId: 'courier' },
        { type: 'ANSWER_COURIER_WRONG', error: 'wrong-card', lockedUntil: null },
      ];
    case 'scan':
      return [
        { type: 'SCAN', text: 'PARCEL', symbology: 'C' },
        { type: 'SCAN', text: '\u0001', symbology: 'C' },
        ...(context.entry.length === 0 ? [{ type: 'KEY' as const, key: '7' }] : []),
        { type: 'SUBMIT' },
        { type: 'FINISH' },
        { type: 'CANCEL' },
      ];
    case 'findingParcel':
      return [
        parcel(ALL_FREE, false),
        parcel(ALL_FREE, true),
        parcel(SMALL_TAKEN, false),
        parcel(STATION_FULL, false),
        { type: 'ANSWER_PARCEL_REFUSED', reason: 'already-deposited' },
      ];
    case 'size':
      return [
        ...(['S', 'M', 'L', 'XL'] as const).map((size) => ({ type: 'SELECT_SIZE' as const, size })),
        { type: 'BACK' },
        { type: 'CANCEL' },
      ];
    case 'sizeFull':
      return [{ type: 'TAKE_OFFER' }, { type: 'BACK' }, { type: 'CANCEL' }];
    case 'full':
      return [{ type: 'FINISH' }];
    case 'reserving': {
      const size = context.size!;
      return [
        { type: 'ANSWER_COMPARTMENT', compartment: FIRST_OF_SIZE[size], itemId: MODEL_ITEM },
        // Someone took the last compartments of this size meanwhile.
        { type: 'ANSWER_SIZE_FULL', free: { ...context.free, [size]: 0 } },
      ];
    }
    case 'opening':
      return [
        { type: 'DOOR_OPENED', compartment: door },
        { type: 'DOOR_FAILED', compartment: door, reason: 'jammed' },
      ];
    case 'takeAndClose':
      return [{ type: 'DOOR_CLOSED', compartment: door }];
    case 'confirming':
      return [{ type: 'ANSWER_DEPOSIT_LOADED' }, { type: 'ANSWER_DEPOSIT_NOT_SEEN' }];
    case 'notSeen':
      return [{ type: 'OPEN_AGAIN' }, { type: 'CANCEL' }];
    case 'doorFailed':
    case 'deposited':
      return [{ type: 'NEXT_PARCEL' }, { type: 'FINISH' }, { type: 'CANCEL' }];
    default:
      return [];
  }
}

/**
 * Everything in the context that changes what happens next or what the courier sees;
 * the count of deposits only as "none / one / more", and the detours taken.
 */
export function serializeState(snapshot: ModelSnapshot): string {
  const c = snapshot.context as CourierContext;
  return JSON.stringify([
    snapshot.value,
    snapshot.status,
    c.error,
    c.entry.length,
    c.free,
    c.size,
    c.offer,
    c.doors[0] ?? null,
    c.itemId !== null,
    Math.min(c.deposited, 2),
    c.failure !== null,
    c.stepsReached.includes('size-full'),
    c.stepsReached.includes('not-seen'),
  ]);
}

/** States in which the machine waits for a person (or the door): the ends worth running. */
export const STABLE = new Set([
  'login',
  'scan',
  'size',
  'sizeFull',
  'full',
  'takeAndClose',
  'notSeen',
  'doorFailed',
  'deposited',
  'finished',
  'abandoned',
]);

/**
 * What a run must reach: each final state with each outcome, and each state in which the
 * flow waits for a person, with each message, offer, announced parcel and "after a deposit".
 */
export function targetKey(snapshot: ModelSnapshot): string {
  const c = snapshot.context as CourierContext;
  const value = leafState(snapshot.value);
  if (snapshot.status === 'done') {
    const output = snapshot.output as { outcome: string };
    return JSON.stringify(['final', value, output.outcome]);
  }
  // The detours (a full size, a parcel not seen) matter for the first parcel at the door.
  const atDoor =
    ['takeAndClose', 'notSeen', 'doorFailed', 'deposited'].includes(value) && c.deposited < 2;
  return JSON.stringify([
    value,
    c.error,
    c.offer !== null,
    value === 'sizeFull' && c.size,
    value === 'size' && c.itemId !== null,
    ['scan', 'size'].includes(value) && c.deposited > 0,
    value === 'deposited' && c.deposited,
    atDoor && c.stepsReached.includes('size-full'),
    atDoor && c.stepsReached.includes('not-seen'),
  ]);
}

/** Events a person or device causes; the rest are the core's answers and door news. */
export const PERSON_EVENTS = new Set([
  ...UI_EVENTS,
  'CARD',
  'SCAN',
  // A person shuts the door.
  'DOOR_CLOSED',
]);

export const initialSnapshot = (): ModelSnapshot =>
  createActor(pureMachine, { input: {} }).getSnapshot();

/** The snapshots after each event, replayed on the pure machine (exact contexts). */
export function replay(events: readonly CourierEvent[]): ModelSnapshot[] {
  const actor = createActor(pureMachine, { input: {} }).start();
  const snapshots: ModelSnapshot[] = [];
  for (const event of events) {
    actor.send(event);
    snapshots.push(actor.getSnapshot());
  }
  actor.stop();
  return snapshots;
}
