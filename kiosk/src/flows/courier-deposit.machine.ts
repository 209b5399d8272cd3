import { assign, sendParent, setup } from 'xstate';
import type { CompartmentSize } from '../store/types.ts';
import { type EntryUiEvent, entryKeys, submitWhenComplete } from './code-entry.ts';
import { type DoorChildEvent, type DoorNews, doorState } from './door.machine.ts';
import { AWAITING_ANSWER, askCore, type DeviceEvent, flowParts, JOB_DONE } from './flow.ts';

/**
 * Courier deposit at a parcel station: courier login (card or code) → scan or type the
 * parcel label → choose a size (free compartments shown; a full size offers the next larger
 * one; a full station names the nearest other station) → door opens → put the parcel in and
 * close → the item sensor must see it → next parcel or finish.
 *
 * Pure: the machine asks the core for effects and gets their answers as events. The door
 * service marks the parcel loaded (and writes `item-ready`) when the door closes on it; the
 * machine then asks whether that happened (`confirm-deposit`), because only the sensor knows.
 */
export const COURIER_CODE_MIN_LENGTH = 6;
export const COURIER_CODE_MAX_LENGTH = 12;
export const LABEL_MAX_LENGTH = 64;
export const SIZES: readonly CompartmentSize[] = ['S', 'M', 'L', 'XL'];
/**
 * Keys for a typed label: what labels print (`PKG-2002`, `12.345/6`). The store compares
 * references by `referenceKey`, so typing the punctuation or leaving it out finds the same parcel.
 */
export const LABEL_KEY = /^[0-9A-Z./-]$/;

export type FreeCounts = Record<CompartmentSize, number>;
export const NO_FREE: FreeCounts = { S: 0, M: 0, L: 0, XL: 0 };

export type CourierError =
  | 'incomplete-code'
  | 'wrong-code'
  | 'wrong-card'
  | 'locked'
  | 'unreadable-label'
  | 'already-deposited'
  | 'reference-in-use'
  | null;

export type CourierUiEvent =
  | EntryUiEvent
  | { type: 'FINISH' }
  | { type: 'SELECT_SIZE'; size: CompartmentSize }
  | { type: 'TAKE_OFFER' }
  | { type: 'OPEN_AGAIN' }
  | { type: 'NEXT_PARCEL' };

/** What the input devices read (not UI events: the page cannot send them). */
export type CourierDeviceEvent = DeviceEvent;

/** Answers of the core to this flow's effects, and door news. */
export type CourierCoreEvent =
  | { type: 'ANSWER_COURIER_OK'; courierId: string }
  | { type: 'ANSWER_COURIER_WRONG'; error: 'wrong-code' | 'wrong-card'; lockedUntil: number | null }
  | {
      type: 'ANSWER_PARCEL';
      itemId: string | null;
      announcedSize: CompartmentSize | null;
      free: FreeCounts;
      nearest: string | null;
    }
  | { type: 'ANSWER_PARCEL_REFUSED'; reason: 'already-deposited' | 'reference-in-use' }
  | { type: 'ANSWER_COMPARTMENT'; compartment: string; itemId: string }
  | { type: 'ANSWER_SIZE_FULL'; free: FreeCounts }
  | { type: 'ANSWER_DEPOSIT_LOADED' }
  | { type: 'ANSWER_DEPOSIT_NOT_SEEN' }
  | DoorNews;

export type CourierEvent = (
  | CourierUiEvent
  | CourierDeviceEvent
  | CourierCoreEvent
  | DoorChildEvent
) & {
  at?: number;
};

/** Effects this flow asks the core for (see courier-deposit.flow.ts). */
export type CourierEffect =
  | { kind: 'courier-login'; method: 'card'; uid: string }
  | { kind: 'courier-login'; method: 'code'; code: string }
  | { kind: 'find-parcel'; reference: string }
  | {
      kind: 'reserve-compartment';
      size: CompartmentSize;
      itemId: string | null;
      reference: string;
      courierId: string;
    }
  | {
      kind: 'open-door';
      purpose: 'deposit';
      compartment: string;
      itemIds: string[];
      staffId: string;
    }
  | {
      kind: 'confirm-deposit';
      itemId: string;
      compartment: string;
      courierId: string;
      durationMs: number | null;
    };

export interface CourierContext {
  /** What the courier typed (code, then labels); the code is secret: blanked on persist. */
  entry: string;
  error: CourierError;
  lockedUntil: number | null;
  /** After login only the courier's id is kept, never the card or code. */
  courierId: string | null;
  /** The current parcel's label (its recipient reference), until it is deposited. */
  reference: string | null;
  /** The current parcel's item, once known (announced by the backend, or created here). */
  itemId: string | null;
  announcedSize: CompartmentSize | null;
  free: FreeCounts;
  nearest: string | null;
  size: CompartmentSize | null;
  /** The chosen size was full: the next larger size with a free compartment, if any. */
  offer: CompartmentSize | null;
  /** The current parcel's compartment (a list, as the core's door resync expects). */
  doors: string[];
  parcelStartedAt: number | null;
  doorOpenedAt: number | null;
  deposited: number;
  /** What happened to the parcel before the current one, for the scan screen. */
  last: 'deposited' | 'cancelled' | 'door-failed' | null;
  failure: string | null;
  stepsReached: string[];
}

export interface CourierOutput {
  outcome: 'completed' | 'abandoned' | 'failed';
  reason: string | null;
  stepsReached: string[];
}

const total = (free: FreeCounts) => SIZES.reduce((sum, size) => sum + free[size], 0);

/** The smallest size above `size` with a free compartment. */
export function nextLargerFree(free: FreeCounts, size: CompartmentSize): CompartmentSize | null {
  return SIZES.slice(SIZES.indexOf(size) + 1).find((larger) => free[larger] > 0) ?? null;
}

/** A printable label of sensible length (scanners may deliver control characters). */
export function labelText(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length < 1 || trimmed.length > LABEL_MAX_LENGTH) return null;
  return /^[\x21-\x7E]+$/.test(trimmed) ? trimmed : null;
}

const field = <T>(event: CourierEvent, name: string) =>
  (event as unknown as Record<string, T>)[name] as T;

/** Forget the current parcel (the courier goes on with the next one). */
const clearParcel = (): Pick<
  CourierContext,
  | 'reference'
  | 'itemId'
  | 'announcedSize'
  | 'size'
  | 'offer'
  | 'doors'
  | 'parcelStartedAt'
  | 'doorOpenedAt'
> => ({
  reference: null,
  itemId: null,
  announcedSize: null,
  size: null,
  offer: null,
  doors: [],
  parcelStartedAt: null,
  doorOpenedAt: null,
});

/** The courier the start screen's card logged in (session handover), if any. */
const handedOver = (input: { start?: unknown } | undefined): string | null => {
  const start = input?.start as { output?: { handover?: { courierId?: unknown } } } | undefined;
  const courierId = start?.output?.handover?.courierId;
  return typeof courierId === 'string' ? courierId : null;
};

const CODE_KEYS = { keys: /^[0-9A-Z]$/, maxLength: COURIER_CODE_MAX_LENGTH };
const LABEL_KEYS = { keys: LABEL_KEY, maxLength: LABEL_MAX_LENGTH };
const parts = flowParts<CourierContext, CourierEvent, CourierOutput>();
const ask = askCore<CourierEffect>();

export const courierDepositMachine = setup({
  types: { ...parts.types, input: {} as { start?: unknown } },
  actors: parts.actors,
  actions: {
    ...parts.actions,
    doorOpened: assign({
      doorOpenedAt: ({ event }) => event.at ?? null,
    }),
    /** A label scanned or typed: the parcel's reference; its deposit is timed from now. */
    labelRead: assign(({ context, event }) => ({
      reference: labelText(event.type === 'SCAN' ? event.text : context.entry),
      parcelStartedAt: event.at ?? null,
      entry: '',
      error: null,
    })),
    loggedIn: assign({
      courierId: ({ event }) => field<string>(event, 'courierId'),
      entry: '',
      error: null,
    }),
    // The card's uid goes straight from the event into the effect: it is never kept.
    requestCardLogin: sendParent(({ event }) =>
      ask({ kind: 'courier-login', method: 'card', uid: field<string>(event, 'uid') }),
    ),
    requestCodeLogin: sendParent(({ context }) =>
      ask({ kind: 'courier-login', method: 'code', code: context.entry }),
    ),
    requestParcel: sendParent(({ context }) =>
      ask({ kind: 'find-parcel', reference: context.reference! }),
    ),
    requestCompartment: sendParent(({ context }) =>
      ask({
        kind: 'reserve-compartment',
        size: context.size!,
        itemId: context.itemId,
        reference: context.reference!,
        courierId: context.courierId!,
      }),
    ),
    requestConfirmation: sendParent(({ context, event }) =>
      ask({
        kind: 'confirm-deposit',
        itemId: context.itemId!,
        compartment: context.doors[0]!,
        courierId: context.courierId!,
        durationMs:
          event.at !== undefined && context.parcelStartedAt !== null
            ? event.at - context.parcelStartedAt
            : null,
      }),
    ),
  },
  guards: {
    ...parts.guards,
    labelTyped: ({ context }) => labelText(context.entry) !== null,
    labelScanned: ({ event }) => labelText(field<string>(event, 'text') ?? '') !== null,
    sizeFree: ({ context, event }) => context.free[field<CompartmentSize>(event, 'size')] > 0,
    stationFull: ({ event }) => total(field<FreeCounts>(event, 'free')) === 0,
    hasOffer: ({ context }) => context.offer !== null,
  },
}).createMachine({
  id: 'courierDeposit',
  initial: 'login',
  context: ({ input }) => ({
    entry: '',
    error: null,
    lockedUntil: null,
    courierId: handedOver(input),
    reference: null,
    itemId: null,
    announcedSize: null,
    free: NO_FREE,
    nearest: null,
    size: null,
    offer: null,
    doors: [],
    parcelStartedAt: null,
    doorOpenedAt: null,
    deposited: 0,
    last: null,
    failure: null,
    stepsReached: ['login'],
  }),
  output: ({ context }) => ({
    outcome: context.failure ? 'failed' : context.deposited > 0 ? 'completed' : 'abandoned',
    reason: context.failure,
    stepsReached: context.stepsReached,
  }),
  on: { CANCEL: '.abandoned' },
  states: {
    login: {
      // Logged in by the card at the start screen: straight to the first parcel.
      always: { guard: ({ context }) => context.courierId !== null, target: 'scan' },
      on: {
        ...entryKeys(
          CODE_KEYS,
          submitWhenComplete(COURIER_CODE_MIN_LENGTH, 'verifyingCode', 'incomplete-code'),
        ),
        CARD: { target: 'verifyingCard', actions: 'clearEntry' },
        BACK: 'abandoned',
      },
    },
    verifyingCode: {
      entry: 'requestCodeLogin',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_COURIER_OK: { target: 'scan', actions: 'loggedIn' },
        ANSWER_COURIER_WRONG: {
          target: 'login',
          actions: assign({
            entry: '',
            error: ({ event }) => (event.lockedUntil !== null ? 'locked' : event.error),
            lockedUntil: ({ event }) => event.lockedUntil,
          }),
        },
      },
    },
    verifyingCard: {
      entry: 'requestCardLogin',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_COURIER_OK: { target: 'scan', actions: 'loggedIn' },
        ANSWER_COURIER_WRONG: {
          target: 'login',
          actions: assign({ entry: '', error: 'wrong-card', lockedUntil: null }),
        },
      },
    },
    scan: {
      entry: { type: 'reached', params: 'scan' },
      on: {
        SCAN: [
          {
            guard: 'labelScanned',
            target: 'findingParcel',
            actions: 'labelRead',
          },
          { actions: assign({ error: 'unreadable-label' }) },
        ],
        ...entryKeys(LABEL_KEYS, [
          {
            guard: 'labelTyped',
            target: 'findingParcel',
            actions: 'labelRead',
          },
          { actions: { type: 'entryIncomplete', params: { error: 'unreadable-label' } } },
        ]),
        FINISH: 'finished',
      },
    },
    findingParcel: {
      entry: 'requestParcel',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_PARCEL: [
          {
            guard: 'stationFull',
            target: 'full',
            actions: assign({
              free: ({ event }) => event.free,
              nearest: ({ event }) => event.nearest,
            }),
          },
          {
            target: 'size',
            actions: assign({
              itemId: ({ event }) => event.itemId,
              announcedSize: ({ event }) => event.announcedSize,
              free: ({ event }) => event.free,
              nearest: ({ event }) => event.nearest,
            }),
          },
        ],
        ANSWER_PARCEL_REFUSED: {
          target: 'scan',
          actions: assign({ ...clearParcel(), error: ({ event }) => event.reason }),
        },
      },
    },
    size: {
      entry: { type: 'reached', params: 'size' },
      on: {
        SELECT_SIZE: [
          {
            guard: 'sizeFree',
            target: 'reserving',
            actions: assign({ size: ({ event }) => event.size, offer: null }),
          },
          {
            target: 'sizeFull',
            actions: assign({
              size: ({ event }) => event.size,
              offer: ({ context, event }) => nextLargerFree(context.free, event.size),
            }),
          },
        ],
        BACK: { target: 'scan', actions: assign(clearParcel()) },
      },
    },
    sizeFull: {
      entry: { type: 'reached', params: 'size-full' },
      on: {
        TAKE_OFFER: {
          guard: 'hasOffer',
          target: 'reserving',
          actions: assign({ size: ({ context }) => context.offer, offer: null }),
        },
        BACK: { target: 'size', actions: assign({ size: null, offer: null }) },
      },
    },
    full: {
      entry: { type: 'reached', params: 'full' },
      on: { FINISH: 'finished' },
    },
    reserving: {
      entry: 'requestCompartment',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_COMPARTMENT: {
          target: 'door',
          actions: assign({
            doors: ({ event }) => [event.compartment],
            itemId: ({ event }) => event.itemId,
          }),
        },
        // Someone took the last one meanwhile: show the fresh counts.
        ANSWER_SIZE_FULL: [
          {
            guard: 'stationFull',
            target: 'full',
            actions: assign({ free: ({ event }) => event.free }),
          },
          {
            target: 'sizeFull',
            actions: assign({
              free: ({ event }) => event.free,
              offer: ({ context, event }) => nextLargerFree(event.free, context.size!),
            }),
          },
        ],
        ANSWER_PARCEL_REFUSED: {
          target: 'scan',
          actions: assign({ ...clearParcel(), error: ({ event }) => event.reason }),
        },
      },
    },
    /** The door sub-machine; "put the parcel in and close" shows as `takeAndClose`. */
    door: {
      entry: { type: 'reached', params: 'door' },
      ...doorState({
        request: ({ context }: { context: CourierContext }) => ({
          purpose: 'deposit' as const,
          compartment: context.doors[0]!,
          itemIds: [context.itemId!],
          staffId: context.courierId!,
        }),
        opened: 'doorOpened',
        closed: { target: 'confirming' },
        failed: {
          target: 'doorFailed',
          actions: assign({
            failure: ({ context, event }) => context.failure ?? `door-${event.reason}`,
          }),
        },
      }),
    },
    confirming: {
      entry: 'requestConfirmation',
      tags: AWAITING_ANSWER,
      on: {
        CANCEL: {},
        ANSWER_DEPOSIT_LOADED: {
          target: 'deposited',
          actions: assign({ deposited: ({ context }) => context.deposited + 1 }),
        },
        ANSWER_DEPOSIT_NOT_SEEN: 'notSeen',
      },
    },
    notSeen: {
      entry: { type: 'reached', params: 'not-seen' },
      on: {
        // A new, explicit request: the door never opens again by itself.
        OPEN_AGAIN: { target: 'door', actions: assign({ doorOpenedAt: null }) },
        // The parcel stays announced; nothing goes to the backend.
        CANCEL: { target: 'scan', actions: assign({ ...clearParcel(), last: 'cancelled' }) },
      },
    },
    doorFailed: {
      on: {
        NEXT_PARCEL: { target: 'scan', actions: assign({ ...clearParcel(), last: 'door-failed' }) },
        FINISH: 'finished',
      },
    },
    deposited: {
      entry: { type: 'reached', params: 'deposited' },
      tags: JOB_DONE,
      on: {
        NEXT_PARCEL: { target: 'scan', actions: assign({ ...clearParcel(), last: 'deposited' }) },
        FINISH: 'finished',
      },
    },
    finished: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
