import { assign, enqueueActions, sendParent, setup } from 'xstate';
import type { EntryUiEvent } from './code-entry.ts';
import { CODE_MIN_LENGTH, compartmentsOf, PICKUP_CODE_KEYS } from './document-pickup.machine.ts';
import {
  DOOR_ACTOR,
  DOOR_PLUMBING,
  type DoorChildEvent,
  type DoorNews,
  type DoorRequest,
  doorId,
} from './door.machine.ts';
import { AWAITING_ANSWER, askCore, endedAs, type FlowOutput, flowParts, withStep } from './flow.ts';

/**
 * Parcel pickup: a code typed on the keypad or scanned as a QR code → the compartments of
 * the parcels open → take the parcels and close the door(s) → done. No second factor.
 * Several parcels on one code in several compartments open one after another (default) or
 * all together (setting `parcel.open-together`, decided by the core when the code is right).
 * Each compartment is a door sub-machine of its own (`door.machine.ts`), spawned with the id
 * `doorId(compartment)` when its unlock is due: the door asks for the unlock, follows the
 * door service's news and reports `door.open`, `door.closed` or `door.failed`; this machine
 * only decides which doors are due and which screen shows.
 */
export const PARCEL_MACHINE_ID = 'parcelPickup';

export interface ParcelItem {
  id: string;
  compartment: string;
}

export type ParcelUiEvent = EntryUiEvent;

/** Device input, answers of the core and door news. `at` is stamped by the core. */
export type ParcelCoreEvent =
  | { type: 'SCAN'; text: string; symbology?: string }
  | { type: 'CODE_OK'; items: ParcelItem[]; together: boolean }
  | { type: 'CODE_WRONG'; lockedUntil: number | null }
  | DoorNews;

export type ParcelEvent = (ParcelUiEvent | ParcelCoreEvent | DoorChildEvent) & { at?: number };

export type ParcelEffect =
  | { kind: 'verify-code'; code: string }
  | { kind: 'open-door'; purpose: 'pickup'; compartment: string; itemIds: string[] };

export type ParcelError = 'wrong-code' | 'locked' | 'incomplete-code' | null;

export interface ParcelContext {
  /** What the person typed or scanned; secret: never in a view, blanked before persisting. */
  entry: string;
  error: ParcelError;
  lockedUntil: number | null;
  items: ParcelItem[];
  /** Open all compartments at once instead of one after another. */
  together: boolean;
  /** Compartments not yet closed (or failed), in order; one after another: the first. */
  doors: string[];
  /** Compartments whose door child was started (it asks for the unlock); never twice a visit. */
  requested: string[];
  /** Compartments whose door reported open and not yet closed. */
  opened: string[];
  failure: string | null;
  stepsReached: string[];
}

export type ParcelOutput = FlowOutput;

/** Compartments to unlock now: all at once, or the current one. Never one asked before. */
export const doorsToRequest = (context: ParcelContext): string[] =>
  (context.together ? context.doors : context.doors.slice(0, 1)).filter(
    (door) => !context.requested.includes(door),
  );

const parts = flowParts<ParcelContext, ParcelEvent, ParcelOutput>();

const doorOf = (event: ParcelEvent) => ('compartment' in event ? event.compartment : '');

/** What the door of a compartment asks for: the unlock for this code's parcels in it. */
const requestOf = (context: ParcelContext, compartment: string): DoorRequest => ({
  purpose: 'pickup',
  compartment,
  itemIds: context.items.filter((item) => item.compartment === compartment).map((item) => item.id),
});

const ask = askCore<ParcelEffect>();

export const parcelPickupMachine = setup({
  types: parts.types,
  actors: parts.actors,
  actions: {
    requestCode: sendParent(({ context }) => ask({ kind: 'verify-code', code: context.entry })),
    ...parts.actions,
    /** A door child for each compartment due now; each asks for its unlock once, on start. */
    startDoors: enqueueActions(({ context, enqueue }) => {
      const due = doorsToRequest(context);
      for (const compartment of due) {
        enqueue.spawnChild(DOOR_ACTOR, {
          id: doorId(compartment),
          input: requestOf(context, compartment),
        });
      }
      enqueue.assign({ requested: [...context.requested, ...due] });
    }),
    markOpened: assign({
      opened: ({ context, event }) => [...context.opened, doorOf(event)],
    }),
    /** A door is done with (closed after opening, or failed): its child goes. */
    settleDoor: enqueueActions(({ context, event, enqueue }) => {
      const settled = doorOf(event);
      enqueue.assign({
        doors: context.doors.filter((compartment) => compartment !== settled),
        opened: context.opened.filter((compartment) => compartment !== settled),
      });
      enqueue.stopChild(doorId(settled));
    }),
  },
  guards: {
    ...parts.guards,
  },
}).createMachine({
  id: PARCEL_MACHINE_ID,
  initial: 'code',
  context: {
    entry: '',
    error: null,
    lockedUntil: null,
    items: [],
    together: false,
    doors: [],
    requested: [],
    opened: [],
    failure: null,
    stepsReached: ['code'],
  },
  output: ({ context }) => ({
    ...endedAs(context),
    reopenable:
      context.stepsReached.includes('done') && !context.failure
        ? compartmentsOf(context.items)
        : [],
  }),
  // Door children live from their unlock until they settle: their effects and news pass here.
  on: { CANCEL: '.abandoned', ...DOOR_PLUMBING },
  states: {
    code: {
      on: {
        ...PICKUP_CODE_KEYS,
        // A QR code is a code like a typed one; the store's hasher normalises both alike.
        SCAN: [
          {
            guard: ({ event }) => event.text.trim().length >= CODE_MIN_LENGTH,
            target: 'verifyingCode',
            actions: assign({
              entry: ({ event }) => event.text,
              error: null,
              // For the evaluation: how codes come in.
              stepsReached: ({ context }) => withStep(context.stepsReached, 'scanned'),
            }),
          },
          { actions: assign({ entry: '', error: 'incomplete-code' }) },
        ],
        BACK: 'abandoned',
      },
    },
    verifyingCode: {
      entry: 'requestCode',
      tags: AWAITING_ANSWER,
      on: {
        CODE_OK: {
          target: 'opening',
          actions: assign({
            entry: '',
            error: null,
            lockedUntil: null,
            items: ({ event }) => event.items,
            together: ({ event }) => event.together,
            doors: ({ event }) => compartmentsOf(event.items),
          }),
        },
        CODE_WRONG: {
          target: 'code',
          actions: { type: 'entryRefused', params: { wrong: 'wrong-code' } },
        },
      },
    },
    opening: {
      entry: [{ type: 'reached', params: 'door' }, 'startDoors'],
      on: {
        CANCEL: {}, // the unlock is under way: its outcome decides
        'door.open': { target: 'next', actions: 'markOpened' },
        'door.failed': {
          target: 'next',
          actions: [
            assign({ failure: ({ context, event }) => context.failure ?? `door-${event.reason}` }),
            'settleDoor',
          ],
        },
        // All together: one door may be shut again before the others have opened.
        'door.closed': { target: 'next', actions: 'settleDoor' },
      },
    },
    takeAndClose: {
      entry: { type: 'reached', params: 'take-and-close' },
      on: {
        'door.closed': { target: 'next', actions: 'settleDoor' },
        // A door is open: leaving now would leave it unattended.
        CANCEL: {},
      },
    },
    /** Decides what comes after a door's news; never rests here. */
    next: {
      always: [
        {
          guard: ({ context }) => context.doors.length === 0 && !!context.failure,
          target: 'failed',
        },
        { guard: ({ context }) => context.doors.length === 0, target: 'done' },
        // One after another: after a failure the other compartments stay shut (and loaded).
        { guard: ({ context }) => !context.together && !!context.failure, target: 'failed' },
        {
          guard: ({ context }) =>
            doorsToRequest(context).length === 0 &&
            (context.together ? context.doors : context.doors.slice(0, 1)).every((door) =>
              context.opened.includes(door),
            ),
          target: 'takeAndClose',
        },
        { target: 'opening' },
      ],
    },
    done: { entry: { type: 'reached', params: 'done' }, type: 'final' },
    failed: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
