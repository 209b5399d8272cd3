import { assign, sendParent, setup } from 'xstate';
import { type EntryUiEvent, entryKeys, submitWhenComplete } from './code-entry.ts';
import { type DoorChildEvent, type DoorNews, doorState } from './door.machine.ts';
import {
  AWAITING_ANSWER,
  askCore,
  type CourierHandover,
  type DeviceEvent,
  flowParts,
} from './flow.ts';

/**
 * Staff (Bürgerbüro employees): a staff card, then the PIN → staff menu → loading,
 * retrieval of expired items, maintenance → log out.
 *
 * Pure like every flow: the lookups and the doors are effects the core runs; answers come
 * back as `ANSWER_*` events, door news as `DOOR_*`. The card number is never kept: it goes
 * straight into the lookup effect, and from then on only the staff id is known. What a
 * person types (a PIN, a reference) lives in `entry`, which is never persisted.
 *
 * Every door goes through the two states the core knows how to resynchronise after a
 * restart (`opening`, `takeAndClose`, with the compartment in `doors[0]`); `job` says what
 * the door is for and where the flow continues once it is shut.
 */
export const STAFF_PIN_MIN_LENGTH = 4;
export const STAFF_PIN_MAX_LENGTH = 8;
export const REFERENCE_MAX_LENGTH = 40;

export type StaffRole = 'staff' | 'supervisor' | 'technician';
export type StaffTask = 'load' | 'retrieve' | 'maintenance';
/** Who may do what: technicians keep the machine running but do not handle documents. */
export const PERMISSIONS: Record<StaffRole, readonly StaffTask[]> = {
  staff: ['load', 'retrieve'],
  supervisor: ['load', 'retrieve', 'maintenance'],
  technician: ['maintenance'],
};

export const LOAD_KINDS = ['document', 'id-document', 'object'] as const;
export type LoadKind = (typeof LOAD_KINDS)[number];
export const SIZES = ['S', 'M', 'L', 'XL'] as const;
export type Size = (typeof SIZES)[number];
export const MAINTENANCE_REASONS = [
  'inspection',
  'cleaning',
  'jam',
  'item-stuck',
  'lock-replacement',
  'other',
] as const;
export type MaintenanceReason = (typeof MAINTENANCE_REASONS)[number];
export const DEFECT_REASONS = [
  'lock',
  'door',
  'sensor',
  'damage',
  'check-contents',
  'door-jammed',
  'door-board-silent',
  'door-port-closed',
  'other',
] as const;

export type RefusalReason = 'unknown-card' | 'courier-card' | 'same-person' | 'not-allowed';

export interface LoadItem {
  /** null until the item is created (a new item is created when its door is chosen). */
  id: string | null;
  kind: string | null;
  size: Size | null;
  /** The item was not announced: staff describe it, the terminal creates it. */
  created: boolean;
  compartment: string | null;
  fourEyes: boolean;
  secondStaffId: string | null;
  /** When the reference was scanned or typed (start of the loading time). */
  scannedAt: number | null;
}

export interface ExpiredItem {
  id: string;
  kind: string;
  compartment: string | null;
  /** Masked: only the last characters show. */
  reference: string;
}

export interface CompartmentInfo {
  label: string;
  size: string;
  defective: boolean;
  defectReason: string | null;
  door: string;
  occupied: boolean;
}

export interface DoorJob {
  purpose: 'load' | 'retrieve' | 'maintenance' | 'door-test';
  itemIds: string[];
  reason: string | null;
}

export interface LastDoor {
  compartment: string;
  purpose: DoorJob['purpose'];
  outcome: 'closed' | 'passed' | 'failed' | 'retrieved' | 'not-taken';
  reason: string | null;
}

export type StaffError =
  | 'wrong-pin'
  | 'incomplete-pin'
  | 'locked'
  | 'item-not-loadable'
  | 'describe-item'
  | 'scan-again'
  | RefusalReason
  | null;

export interface StaffContext {
  /** The PIN or the typed reference; secret: never in a view, blanked before persisting. */
  entry: string;
  error: StaffError;
  /** Status of an item that cannot be loaded (already loaded, expired ...). */
  errorDetail: string | null;
  staffId: string | null;
  role: StaffRole | null;
  lockedUntil: number | null;
  refusal: RefusalReason | null;
  load: LoadItem | null;
  lastLoad: { compartment: string; outcome: 'loaded' | 'not-detected' } | null;
  noCompartmentSize: Size | null;
  expired: ExpiredItem[];
  /** Expired items still to take out, the current one first. */
  queue: ExpiredItem[];
  taken: boolean;
  compartments: CompartmentInfo[];
  job: DoorJob | null;
  /** The compartment whose door is being opened or stands open (read by the core). */
  doors: string[];
  openedAt: number | null;
  lastDoor: LastDoor | null;
  defectMarked: boolean;
  stepsReached: string[];
  /** A courier's card was held at the start screen: handed over to the courier deposit. */
  courierId: string | null;
  /** The retrieval round under way: when it began, doors opened, items confirmed taken out. */
  round: RetrievalRound | null;
}

export interface RetrievalRound {
  startedAt: number | null;
  doors: number;
  items: number;
}

export interface StaffOutput {
  outcome: 'completed' | 'abandoned' | 'failed';
  reason: string | null;
  stepsReached: string[];
  handover?: CourierHandover;
}

type At = { at?: number };
export type StaffUiEvent =
  | EntryUiEvent
  | { type: 'START_LOADING' }
  | { type: 'START_RETRIEVAL' }
  | { type: 'START_MAINTENANCE' }
  | { type: 'LOGOUT' }
  | { type: 'CHOOSE_KIND'; kind: LoadKind }
  | { type: 'CHOOSE_SIZE'; size: Size }
  | { type: 'CONFIRM' }
  | { type: 'RETRIEVE'; itemId: string }
  | { type: 'RETRIEVE_ALL' }
  | { type: 'CONFIRM_TAKEN' }
  | { type: 'NOT_TAKEN' }
  | { type: 'OPEN_DOOR'; compartment: string; reason: MaintenanceReason }
  | { type: 'DOOR_TEST'; compartment: string }
  | { type: 'SET_DEFECTIVE'; compartment: string; reason: string }
  | { type: 'SET_REPAIRED'; compartment: string }
  | { type: 'MARK_DEFECTIVE' }
  | { type: 'CONTINUE' };

export type StaffDeviceEvent = DeviceEvent;

export type StaffAnswer =
  | { type: 'ANSWER_STAFF_FOUND'; staffId: string; role: StaffRole; lockedUntil: number | null }
  | { type: 'ANSWER_STAFF_REFUSED'; reason: RefusalReason }
  /** The card is a courier's: the courier is logged in, the courier deposit takes over. */
  | { type: 'ANSWER_COURIER_CARD'; courierId: string }
  | { type: 'ANSWER_PIN_OK' }
  | { type: 'ANSWER_PIN_WRONG' }
  | { type: 'ANSWER_PIN_LOCKED'; lockedUntil: number | null }
  | {
      type: 'ANSWER_ITEM_FOUND';
      item: { id: string; kind: string; size: Size | null };
    }
  | { type: 'ANSWER_ITEM_UNKNOWN' }
  | { type: 'ANSWER_ITEM_NOT_LOADABLE'; status: string }
  | { type: 'ANSWER_LOAD_READY'; itemId: string; compartment: string; fourEyes: boolean }
  | { type: 'ANSWER_NO_COMPARTMENT'; size: Size }
  | { type: 'ANSWER_LOAD_FINISHED'; loaded: boolean }
  | { type: 'ANSWER_EXPIRED'; items: ExpiredItem[] }
  | { type: 'ANSWER_COMPARTMENTS'; compartments: CompartmentInfo[] }
  | DoorNews;

export type StaffEvent = (StaffUiEvent | StaffDeviceEvent | StaffAnswer | DoorChildEvent) & At;

const REFERENCE_KEYS = { keys: /^[0-9A-Z./-]$/, maxLength: REFERENCE_MAX_LENGTH };
const PIN_KEYS = { keys: /^[0-9]$/, maxLength: STAFF_PIN_MAX_LENGTH };

/** The effects this flow asks the core for (handlers in staff.flow.ts). */
export type StaffEffect =
  | { kind: 'identify-card'; uid: string; purpose?: undefined; firstStaffId?: undefined }
  | { kind: 'identify-card'; uid: string; purpose: 'four-eyes'; firstStaffId: string | null }
  | {
      kind: 'check-pin';
      staffId: string | null;
      pin: string;
      purpose: 'login';
      firstStaffId?: undefined;
      itemId?: undefined;
    }
  | {
      kind: 'check-pin';
      staffId: string | null | undefined;
      pin: string;
      purpose: 'four-eyes';
      firstStaffId: string | null;
      itemId: string | null | undefined;
    }
  | { kind: 'find-item'; reference: string }
  | {
      kind: 'prepare-load';
      staffId: string | null;
      itemId: string | null;
      reference: string | null;
      itemKind: string | null | undefined;
      size: Size | null | undefined;
    }
  | {
      kind: 'finish-load';
      itemId: string | null | undefined;
      created: boolean;
      fourEyes: boolean;
      durationMs: number | null;
    }
  | { kind: 'list-expired' }
  | { kind: 'list-compartments' }
  | {
      kind: 'open-door';
      purpose: DoorJob['purpose'] | undefined;
      compartment: string | undefined;
      itemIds: string[];
      staffId: string | null;
      reason: string | null;
    }
  | { kind: 'set-defective'; compartment: string; reason: string | null; staffId: string | null }
  /** A retrieval round ended: its length and the items taken out (the evaluation's staff time). */
  | { kind: 'finish-retrieval'; doors: number; items: number; durationMs: number | null }
  | {
      kind: 'staff-audit';
      action: string;
      subject?: string | null;
      details?: object;
      staffId: string | null;
    };

/** The message that asks the session (and so the core) for an effect. */
const effect = askCore<StaffEffect>();

const can = (context: StaffContext, task: StaffTask) =>
  context.role !== null && PERMISSIONS[context.role].includes(task);

const startUid = (event: unknown): string => {
  const start = (event as { input?: { start?: { uid?: unknown } } }).input?.start;
  return typeof start?.uid === 'string' ? start.uid : '';
};

const NO_LOAD: LoadItem = {
  id: null,
  kind: null,
  size: null,
  created: false,
  compartment: null,
  fourEyes: false,
  secondStaffId: null,
  scannedAt: null,
};

const parts = flowParts<StaffContext, StaffEvent, StaffOutput>();

/**
 * A staff job's door: the door sub-machine with the job in `job` and the compartment in
 * `doors[0]`. Where it returns is the state it stands in (loading, retrieval, maintenance):
 * `closed` and `failed` are that job's transitions.
 */
const doorJob = <
  const Closed,
  const Failed = { target: 'doorFailed'; actions: 'doorFailed' },
  const Also extends object = object,
>(
  closed: Closed,
  failed?: Failed,
  also?: Also,
) =>
  doorState({
    request: ({ context }: { context: StaffContext }) => ({
      purpose: context.job!.purpose,
      compartment: context.doors[0]!,
      itemIds: context.job!.itemIds,
      staffId: context.staffId,
      reason: context.job!.reason,
    }),
    opened: 'doorOpened',
    closed,
    failed: failed ?? ({ target: 'doorFailed', actions: 'doorFailed' } as const),
    also,
  });

/** A door that did not open: staff may mark the compartment defective, then go on to `next`. */
/** A clerk confirmed an expired item taken out (at the close, or after it): audited, then closed. */
const RETRIEVAL_CONFIRMED = [
  {
    type: 'audit' as const,
    params: ({ context }: { context: StaffContext }) => ({
      action: 'retrieval-confirmed',
      subject: context.queue[0]?.id ?? null,
      details: { compartment: context.doors[0] ?? null },
    }),
  },
  { type: 'doorClosed' as const, params: 'retrieved' as const },
  'roundItemTaken' as const,
];

const doorFailedState = <const Next extends string>(next: Next) => ({
  on: {
    MARK_DEFECTIVE: {
      guard: 'defectNotMarked' as const,
      actions: ['markDefective' as const, 'defectMarked' as const],
    },
    CONTINUE: next,
  },
});

export const staffMachine = setup({
  types: { ...parts.types, input: {} as { start?: unknown } },
  actors: parts.actors,
  actions: {
    ...parts.actions,
    /** An error belongs to the screen that shows it: leaving the screen clears it. */
    clearError: assign({ error: null, errorDetail: null }),
    /** The card number goes from the start event straight into the lookup; never kept. */
    identifyCard: sendParent(({ event }) =>
      effect({ kind: 'identify-card', uid: startUid(event) }),
    ),
    identifySecondCard: sendParent(({ context, event }) =>
      effect({
        kind: 'identify-card',
        uid: event.type === 'CARD' ? event.uid : '',
        purpose: 'four-eyes',
        firstStaffId: context.staffId,
      }),
    ),
    checkPin: sendParent(({ context }) =>
      effect({ kind: 'check-pin', staffId: context.staffId, pin: context.entry, purpose: 'login' }),
    ),
    checkSecondPin: sendParent(({ context }) =>
      effect({
        kind: 'check-pin',
        staffId: context.load?.secondStaffId,
        pin: context.entry,
        purpose: 'four-eyes',
        firstStaffId: context.staffId,
        itemId: context.load?.id,
      }),
    ),
    findItem: sendParent(({ context }) => effect({ kind: 'find-item', reference: context.entry })),
    prepareLoad: sendParent(({ context }) =>
      effect({
        kind: 'prepare-load',
        staffId: context.staffId,
        itemId: context.load?.id ?? null,
        // A new item is created with its door: the reference is still in `entry`.
        reference: context.load?.created ? context.entry : null,
        itemKind: context.load?.kind,
        size: context.load?.size,
      }),
    ),
    finishLoad: sendParent(({ context, event }) =>
      effect({
        kind: 'finish-load',
        itemId: context.load?.id,
        created: context.load?.created ?? false,
        fourEyes: context.load?.fourEyes ?? false,
        durationMs:
          typeof event.at === 'number' && context.load?.scannedAt != null
            ? event.at - context.load.scannedAt
            : null,
      }),
    ),
    listExpired: sendParent(() => effect({ kind: 'list-expired' })),
    listCompartments: sendParent(() => effect({ kind: 'list-compartments' })),
    setDefective: sendParent(
      ({ context }, params: { compartment: string; reason: string | null }) =>
        effect({ kind: 'set-defective', ...params, staffId: context.staffId }),
    ),
    audit: sendParent(
      ({ context }, params: { action: string; subject?: string | null; details?: object }) =>
        effect({ kind: 'staff-audit', ...params, staffId: context.staffId }),
    ),
    /** The door job of the expired item at the head of the queue. */
    retrieveHead: assign(({ context }) => {
      const head = context.queue[0]!;
      return {
        job: { purpose: 'retrieve' as const, itemIds: [head.id], reason: null },
        doors: [head.compartment ?? ''],
        taken: false,
        openedAt: null,
        round: context.round && { ...context.round, doors: context.round.doors + 1 },
      };
    }),
    roundStarted: assign({
      round: ({ event }) => ({ startedAt: event.at ?? null, doors: 0, items: 0 }),
    }),
    roundItemTaken: assign({
      round: ({ context }) => context.round && { ...context.round, items: context.round.items + 1 },
    }),
    /**
     * The round's staff time, once staff go back to the menu; the core records it only if a
     * door was opened. (typeof: snapshots from before rounds were counted have no round.)
     */
    finishRound: sendParent(({ context, event }) => {
      const round = typeof context.round === 'object' ? context.round : null;
      return effect({
        kind: 'finish-retrieval',
        doors: round?.doors ?? 0,
        items: round?.items ?? 0,
        durationMs:
          typeof event.at === 'number' && round?.startedAt != null
            ? Math.max(0, event.at - round.startedAt)
            : null,
      });
    }),
    roundEnded: assign({ round: null }),
    doorOpened: assign({ openedAt: ({ event }) => event.at ?? null }),
    /** The announced item a reference found: its id, kind and (where announced) size. */
    itemFound: assign(({ context, event }) => {
      if (event.type !== 'ANSWER_ITEM_FOUND') return {};
      const { id, kind, size } = event.item;
      return {
        entry: '',
        load: { ...(context.load ?? NO_LOAD), id, kind, ...(size !== null && { size }) },
      };
    }),
    /** A reference typed or scanned at the loading scan: a new item to load, scanned now. */
    loadScanned: assign({ load: ({ event }) => ({ ...NO_LOAD, scannedAt: event.at ?? null }) }),
    /** What became of a door that opened and shut again, for the next screen. */
    doorClosed: assign<StaffContext, StaffEvent, LastDoor['outcome'], StaffEvent, never>({
      lastDoor: ({ context }, outcome) => ({
        compartment: context.doors[0] ?? '',
        purpose: context.job?.purpose ?? 'maintenance',
        outcome,
        reason: null,
      }),
    }),
    doorFailed: assign({
      defectMarked: false,
      lastDoor: ({ context, event }) => ({
        compartment: context.doors[0] ?? '',
        purpose: context.job?.purpose ?? 'maintenance',
        outcome: 'failed' as const,
        reason: event.type === 'door.failed' ? event.reason : null,
      }),
    }),
    /** Marks the compartment of a failed door defective, once. */
    markDefective: sendParent(({ context }) =>
      effect({
        kind: 'set-defective',
        compartment: context.doors[0]!,
        reason: `door-${context.lastDoor?.reason ?? 'failed'}`,
        staffId: context.staffId,
      }),
    ),
    defectMarked: assign({ defectMarked: true }),
    noteTaken: assign({ taken: true }),
    loadJob: assign(({ context }) => ({
      job: { purpose: 'load' as const, itemIds: [context.load!.id!], reason: null },
      doors: [context.load!.compartment!],
      openedAt: null,
    })),
  },
  guards: {
    ...parts.guards,
    referenceEntered: ({ context }) => context.entry.length > 0,
    canLoad: ({ context }) => can(context, 'load'),
    canRetrieve: ({ context }) => can(context, 'retrieve'),
    canMaintain: ({ context }) => can(context, 'maintenance'),
    defectNotMarked: ({ context }) => !context.defectMarked,
    knownCompartment: ({ context, event }) =>
      'compartment' in event && context.compartments.some((c) => c.label === event.compartment),
    described: ({ context }) =>
      context.load !== null && context.load.kind !== null && context.load.size !== null,
  },
}).createMachine({
  id: 'staff',
  initial: 'identifying',
  context: {
    entry: '',
    error: null,
    errorDetail: null,
    staffId: null,
    role: null,
    lockedUntil: null,
    refusal: null,
    load: null,
    lastLoad: null,
    noCompartmentSize: null,
    expired: [],
    queue: [],
    taken: false,
    compartments: [],
    job: null,
    doors: [],
    openedAt: null,
    lastDoor: null,
    defectMarked: false,
    stepsReached: ['card'],
    courierId: null,
    round: null,
  },
  output: ({ context }) => ({
    outcome: context.stepsReached.includes('menu') ? 'completed' : 'abandoned',
    reason: context.refusal ?? (context.error === 'locked' ? 'locked' : null),
    stepsReached: context.stepsReached,
    // (typeof: snapshots from before the handover have no courierId)
    ...(typeof context.courierId === 'string' && {
      handover: { service: 'courier-deposit', courierId: context.courierId },
    }),
  }),
  states: {
    identifying: {
      entry: 'identifyCard',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_STAFF_FOUND: [
          {
            guard: ({ event }) => event.lockedUntil !== null && event.lockedUntil > (event.at ?? 0),
            target: 'locked',
            actions: assign({
              staffId: ({ event }) => event.staffId,
              error: 'locked',
              lockedUntil: ({ event }) => event.lockedUntil,
            }),
          },
          {
            target: 'pin',
            actions: assign({
              staffId: ({ event }) => event.staffId,
              role: ({ event }) => event.role,
            }),
          },
        ],
        ANSWER_STAFF_REFUSED: {
          target: 'refused',
          actions: assign({ refusal: ({ event }) => event.reason }),
        },
        ANSWER_COURIER_CARD: {
          target: 'courier',
          actions: assign({ courierId: ({ event }) => event.courierId }),
        },
        CANCEL: 'abandoned',
      },
    },
    courier: { type: 'final' },
    refused: {
      on: { BACK: 'abandoned', CANCEL: 'abandoned' },
    },
    locked: {
      on: { BACK: 'abandoned', CANCEL: 'abandoned' },
    },
    pin: {
      entry: { type: 'reached', params: 'pin' },
      exit: 'clearError',
      on: {
        ...entryKeys(
          PIN_KEYS,
          submitWhenComplete(STAFF_PIN_MIN_LENGTH, 'checkingPin', 'incomplete-pin'),
        ),
        BACK: 'abandoned',
        CANCEL: 'abandoned',
      },
    },
    checkingPin: {
      entry: 'checkPin',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_PIN_OK: { target: 'menu', actions: assign({ entry: '', error: null }) },
        ANSWER_PIN_WRONG: { target: 'pin', actions: assign({ entry: '', error: 'wrong-pin' }) },
        ANSWER_PIN_LOCKED: {
          target: 'locked',
          actions: assign({
            entry: '',
            error: 'locked',
            lockedUntil: ({ event }) => event.lockedUntil,
          }),
        },
      },
    },
    menu: {
      entry: [{ type: 'reached', params: 'menu' }, assign({ job: null, doors: [], load: null })],
      on: {
        START_LOADING: {
          guard: 'canLoad',
          target: 'loading',
          actions: assign({ lastLoad: null, error: null }),
        },
        START_RETRIEVAL: { guard: 'canRetrieve', target: 'retrieval', actions: 'roundStarted' },
        START_MAINTENANCE: {
          guard: 'canMaintain',
          target: 'maintaining',
          actions: assign({ lastDoor: null }),
        },
        LOGOUT: {
          target: 'loggedOut',
          actions: { type: 'audit', params: { action: 'staff-logout' } },
        },
      },
    },

    /** Loading: every way out of a door returns to the next scan. */
    loading: {
      initial: 'loadScan',
      states: {
        loadScan: {
          entry: [
            { type: 'reached', params: 'load' },
            assign({ load: null, job: null, doors: [] }),
          ],
          exit: 'clearError',
          on: {
            SCAN: {
              target: 'findingItem',
              actions: [
                assign({
                  entry: ({ event }) => event.text.trim().slice(0, REFERENCE_MAX_LENGTH),
                  error: null,
                  errorDetail: null,
                }),
                'loadScanned',
              ],
            },
            ...entryKeys(REFERENCE_KEYS, {
              guard: 'referenceEntered',
              target: 'findingItem',
              actions: 'loadScanned',
            }),
            BACK: { target: '#staff.menu', actions: 'clearEntry' },
          },
        },
        findingItem: {
          entry: 'findItem',
          tags: AWAITING_ANSWER,
          on: {
            ANSWER_ITEM_FOUND: [
              // Announced without a size: staff give it.
              {
                guard: ({ event }) => event.item.size === null,
                target: 'describeItem',
                actions: 'itemFound',
              },
              { target: 'preparingLoad', actions: 'itemFound' },
            ],
            // Not announced: staff describe it; the reference stays in `entry` until it exists.
            ANSWER_ITEM_UNKNOWN: {
              target: 'describeItem',
              actions: assign({
                load: ({ context }) => ({ ...(context.load ?? NO_LOAD), created: true }),
              }),
            },
            ANSWER_ITEM_NOT_LOADABLE: {
              target: 'loadScan',
              actions: assign({
                entry: '',
                error: 'item-not-loadable',
                errorDetail: ({ event }) => event.status,
              }),
            },
          },
        },
        describeItem: {
          exit: 'clearError',
          on: {
            CHOOSE_KIND: {
              guard: ({ context }) => context.load?.created === true,
              actions: assign({
                load: ({ context, event }) => ({ ...context.load!, kind: event.kind }),
                error: null,
              }),
            },
            CHOOSE_SIZE: {
              actions: assign({
                load: ({ context, event }) => ({ ...context.load!, size: event.size }),
                error: null,
              }),
            },
            CONFIRM: [
              {
                // Restored after a restart: the typed reference was not kept; scan it again.
                guard: ({ context }) => context.load?.created === true && context.entry === '',
                target: 'loadScan',
                actions: assign({ error: 'scan-again' }),
              },
              { guard: 'described', target: 'preparingLoad' },
              { actions: assign({ error: 'describe-item' }) },
            ],
            BACK: { target: 'loadScan', actions: 'clearEntry' },
          },
        },
        preparingLoad: {
          entry: 'prepareLoad',
          tags: AWAITING_ANSWER,
          on: {
            ANSWER_LOAD_READY: [
              {
                guard: ({ event }) => event.fourEyes,
                target: 'secondCard',
                actions: assign({
                  entry: '',
                  load: ({ context, event }) => ({
                    ...context.load!,
                    id: event.itemId,
                    compartment: event.compartment,
                    fourEyes: true,
                  }),
                }),
              },
              {
                target: 'door',
                actions: [
                  assign({
                    entry: '',
                    load: ({ context, event }) => ({
                      ...context.load!,
                      id: event.itemId,
                      compartment: event.compartment,
                    }),
                  }),
                  'loadJob',
                ],
              },
            ],
            ANSWER_NO_COMPARTMENT: {
              target: 'noCompartment',
              actions: assign({ noCompartmentSize: ({ event }) => event.size }),
            },
            // Changed since it was scanned (e.g. loaded meanwhile through the backend).
            ANSWER_ITEM_NOT_LOADABLE: {
              target: 'loadScan',
              actions: assign({
                entry: '',
                error: 'item-not-loadable',
                errorDetail: ({ event }) => event.status,
              }),
            },
          },
        },
        noCompartment: {
          on: { BACK: { target: 'loadScan', actions: 'clearEntry' } },
        },
        secondCard: {
          entry: { type: 'reached', params: 'four-eyes' },
          exit: 'clearError',
          on: {
            CARD: { target: 'identifyingSecond', actions: 'identifySecondCard' },
            BACK: { target: 'loadScan', actions: assign({ error: null }) },
          },
        },
        identifyingSecond: {
          on: {
            ANSWER_STAFF_FOUND: [
              {
                guard: ({ event }) =>
                  event.lockedUntil !== null && event.lockedUntil > (event.at ?? 0),
                target: 'secondCard',
                actions: assign({ error: 'locked' }),
              },
              {
                target: 'secondPin',
                actions: assign({
                  error: null,
                  load: ({ context, event }) => ({
                    ...context.load!,
                    secondStaffId: event.staffId,
                  }),
                }),
              },
            ],
            ANSWER_STAFF_REFUSED: {
              target: 'secondCard',
              actions: assign({ error: ({ event }) => event.reason }),
            },
          },
        },
        secondPin: {
          exit: 'clearError',
          on: {
            ...entryKeys(
              PIN_KEYS,
              submitWhenComplete(STAFF_PIN_MIN_LENGTH, 'checkingSecondPin', 'incomplete-pin'),
            ),
            BACK: {
              target: 'secondCard',
              actions: assign({
                entry: '',
                load: ({ context }) => ({ ...context.load!, secondStaffId: null }),
              }),
            },
            CANCEL: { target: 'loadScan', actions: 'clearEntry' },
          },
        },
        checkingSecondPin: {
          entry: 'checkSecondPin',
          tags: AWAITING_ANSWER,
          on: {
            ANSWER_PIN_OK: { target: 'door', actions: [assign({ entry: '' }), 'loadJob'] },
            ANSWER_PIN_WRONG: {
              target: 'secondPin',
              actions: assign({ entry: '', error: 'wrong-pin' }),
            },
            ANSWER_PIN_LOCKED: {
              target: 'secondCard',
              actions: assign({
                entry: '',
                error: 'locked',
                load: ({ context }) => ({ ...context.load!, secondStaffId: null }),
              }),
            },
          },
        },
        door: doorJob({ target: 'finishingLoad' }),
        finishingLoad: {
          entry: 'finishLoad',
          tags: AWAITING_ANSWER,
          on: {
            ANSWER_LOAD_FINISHED: {
              target: 'loadScan',
              actions: assign({
                lastLoad: ({ context, event }) => ({
                  compartment: context.doors[0]!,
                  outcome: event.loaded ? ('loaded' as const) : ('not-detected' as const),
                }),
              }),
            },
          },
        },
        doorFailed: doorFailedState('loadScan'),
      },
    },

    /** Retrieval of expired items: every way out of a door returns to the list. */
    retrieval: {
      initial: 'listingExpired',
      states: {
        listingExpired: {
          entry: [{ type: 'reached', params: 'retrieve' }, 'listExpired'],
          on: {
            ANSWER_EXPIRED: {
              target: 'retrieveList',
              actions: assign({ expired: ({ event }) => event.items, queue: [] }),
            },
          },
        },
        retrieveList: {
          on: {
            RETRIEVE: {
              guard: ({ context, event }) =>
                context.expired.some((item) => item.id === event.itemId && item.compartment),
              target: 'door',
              actions: [
                assign({
                  queue: ({ context, event }) =>
                    context.expired.filter((item) => item.id === event.itemId),
                }),
                'retrieveHead',
              ],
            },
            RETRIEVE_ALL: {
              guard: ({ context }) => context.expired.some((item) => item.compartment),
              target: 'door',
              actions: [
                assign({
                  queue: ({ context }) => context.expired.filter((item) => item.compartment),
                }),
                'retrieveHead',
              ],
            },
            // The round ends here. (Not as an exit action: exits run when the session stops
            // the flow, and a stopped flow has no one to tell. A timed-out round is not counted.)
            BACK: { target: '#staff.menu', actions: ['finishRound', 'roundEnded'] },
          },
        },
        door: doorJob(
          [
            { guard: ({ context }) => !context.taken, target: 'retrieveConfirm' },
            {
              target: 'nextRetrieval',
              actions: RETRIEVAL_CONFIRMED,
            },
          ],
          undefined,
          { CONFIRM_TAKEN: { actions: 'noteTaken' } },
        ),
        retrieveConfirm: {
          on: {
            CONFIRM_TAKEN: {
              target: 'nextRetrieval',
              actions: RETRIEVAL_CONFIRMED,
            },
            // Still inside: nothing may be loaded there until someone has looked.
            NOT_TAKEN: {
              target: 'nextRetrieval',
              actions: [
                {
                  type: 'setDefective',
                  params: ({ context }) => ({
                    compartment: context.doors[0]!,
                    reason: 'check-contents',
                  }),
                },
                {
                  type: 'audit',
                  params: ({ context }) => ({
                    action: 'retrieval-not-taken',
                    subject: context.queue[0]?.id ?? null,
                    details: { compartment: context.doors[0] ?? null },
                  }),
                },
                assign({
                  lastDoor: ({ context }) => ({
                    compartment: context.doors[0]!,
                    purpose: 'retrieve' as const,
                    outcome: 'not-taken' as const,
                    reason: null,
                  }),
                }),
              ],
            },
          },
        },
        nextRetrieval: {
          always: [
            {
              guard: ({ context }) => context.queue.length > 1,
              target: 'door',
              actions: [assign({ queue: ({ context }) => context.queue.slice(1) }), 'retrieveHead'],
            },
            { target: 'listingExpired' },
          ],
        },
        doorFailed: doorFailedState('listingExpired'),
      },
    },

    /** Maintenance: every way out of a door returns to the compartments. */
    maintaining: {
      initial: 'maintenance',
      states: {
        maintenance: {
          entry: [
            { type: 'reached', params: 'maintenance' },
            'listCompartments',
            assign({ job: null, doors: [] }),
          ],
          on: {
            ANSWER_COMPARTMENTS: {
              actions: assign({ compartments: ({ event }) => event.compartments }),
            },
            OPEN_DOOR: {
              guard: 'knownCompartment',
              target: 'door',
              actions: assign({
                job: ({ event }) => ({
                  purpose: 'maintenance' as const,
                  itemIds: [],
                  reason: event.reason,
                }),
                doors: ({ event }) => [event.compartment],
                openedAt: null,
              }),
            },
            DOOR_TEST: {
              guard: 'knownCompartment',
              target: 'doorTest',
              actions: assign({
                job: { purpose: 'door-test' as const, itemIds: [], reason: null },
                doors: ({ event }) => [event.compartment],
                openedAt: null,
              }),
            },
            SET_DEFECTIVE: {
              guard: 'knownCompartment',
              actions: {
                type: 'setDefective',
                params: ({ event }) => ({
                  compartment: (event as { compartment: string }).compartment,
                  reason: (event as { reason: string }).reason,
                }),
              },
            },
            SET_REPAIRED: {
              guard: 'knownCompartment',
              actions: {
                type: 'setDefective',
                params: ({ event }) => ({
                  compartment: (event as { compartment: string }).compartment,
                  reason: null,
                }),
              },
            },
            // The round ends here. (Not as an exit action: exits run when the session stops
            // the flow, and a stopped flow has no one to tell. A timed-out round is not counted.)
            BACK: { target: '#staff.menu', actions: ['finishRound', 'roundEnded'] },
          },
        },
        door: doorJob({ target: 'maintenance', actions: { type: 'doorClosed', params: 'closed' } }),
        doorTest: doorJob(
          {
            target: 'maintenance',
            actions: [
              {
                type: 'audit',
                params: ({ context }) => ({
                  action: 'door-test',
                  subject: context.doors[0] ?? null,
                  details: { result: 'passed' },
                }),
              },
              { type: 'doorClosed', params: 'passed' },
            ],
          },
          {
            target: 'doorFailed',
            actions: [
              'doorFailed',
              {
                type: 'audit',
                params: ({ context, event }) => ({
                  action: 'door-test',
                  subject: context.doors[0] ?? null,
                  details: {
                    result: 'failed',
                    reason: event.type === 'door.failed' ? event.reason : null,
                  },
                }),
              },
            ],
          },
        ),
        doorFailed: doorFailedState('maintenance'),
      },
    },

    loggedOut: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
