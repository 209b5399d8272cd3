import { assign, sendParent, setup } from 'xstate';
import { type EntryUiEvent, entryKeys, submitWhenComplete } from './code-entry.ts';
import { type DoorChildEvent, doorState } from './door.machine.ts';
import type { CoreEvent, PickupEffect, PickupItem } from './effects.ts';
import { AWAITING_ANSWER, askCore, endedAs, type FlowOutput, flowParts } from './flow.ts';

/**
 * Document pickup: code (masked) → date of birth → choose items (when several wait) →
 * confirm receipt of the PIN letter (ID documents) → door opens → take and close → done.
 * One compartment after another when the chosen items lie in several.
 */
export const CODE_MAX_LENGTH = 12;
export const CODE_MIN_LENGTH = 4;
const DATE_OF_BIRTH_DIGITS = 8; // DDMMYYYY

export type PickupUiEvent =
  | EntryUiEvent
  | { type: 'TOGGLE_ITEM'; itemId: string }
  | { type: 'TAKE_ALL' }
  | { type: 'CONFIRM' }
  | { type: 'CONFIRM_PIN_LETTER' };

export type PickupEvent = (PickupUiEvent | CoreEvent | DoorChildEvent) & { at?: number };

export type PickupError =
  | 'wrong-code'
  | 'locked'
  | 'wrong-date-of-birth'
  | 'incomplete-code'
  | 'incomplete-date'
  | null;

export interface PickupContext {
  /** What the person typed; secret: never in a view, blanked before persisting. */
  entry: string;
  error: PickupError;
  lockedUntil: number | null;
  items: PickupItem[];
  selected: string[];
  /** Compartments still to open, in order; the first is the current one. */
  doors: string[];
  failure: string | null;
  stepsReached: string[];
}

export type PickupOutput = FlowOutput;

const selectedItems = (context: PickupContext) =>
  context.items.filter((item) => context.selected.includes(item.id));

/** The compartments of some items, each once, in the items' order. */
export const compartmentsOf = (items: { compartment: string }[]) => [
  ...new Set(items.map((item) => item.compartment)),
];

/** The keys of a pickup code (also the parcel pickup's), and of a date of birth. */
export const CODE_KEYS = { keys: /^[0-9A-Z]$/, maxLength: CODE_MAX_LENGTH };
const DATE_KEYS = { keys: /^[0-9A-Z]$/, maxLength: DATE_OF_BIRTH_DIGITS };
/** The keys of a pickup's `code` state (document and parcel): on to `verifyingCode`. */
export const PICKUP_CODE_KEYS = entryKeys(
  CODE_KEYS,
  submitWhenComplete(CODE_MIN_LENGTH, 'verifyingCode', 'incomplete-code' as const),
);
const parts = flowParts<PickupContext, PickupEvent, PickupOutput>();
const ask = askCore<PickupEffect>();

export const documentPickupMachine = setup({
  types: parts.types,
  actors: parts.actors,
  actions: {
    ...parts.actions,
    requestCode: sendParent(({ context }) => ask({ kind: 'verify-code', code: context.entry })),
    requestSecondFactor: sendParent(({ context }) =>
      ask({
        kind: 'verify-second-factor',
        itemIds: context.items.map((item) => item.id),
        value: context.entry,
      }),
    ),
  },
  guards: {
    ...parts.guards,
    needsSecondFactor: ({ context }) => context.items.some((item) => item.hasSecondFactor),
    severalItems: ({ context }) => context.items.length > 1,
    somethingSelected: ({ context }) => context.selected.length > 0,
    needsPinLetter: ({ context }) =>
      selectedItems(context).some((item) => item.needsPinLetterConfirmation),
    moreDoors: ({ context }) => context.doors.length > 1,
  },
}).createMachine({
  id: 'documentPickup',
  initial: 'code',
  context: {
    entry: '',
    error: null,
    lockedUntil: null,
    items: [],
    selected: [],
    doors: [],
    failure: null,
    stepsReached: ['code'],
  },
  output: ({ context }) => ({
    ...endedAs(context),
    reopenable: context.stepsReached.includes('done') ? compartmentsOf(selectedItems(context)) : [],
  }),
  on: { CANCEL: '.abandoned' },
  states: {
    code: { on: { ...PICKUP_CODE_KEYS, BACK: 'abandoned' } },
    verifyingCode: {
      entry: 'requestCode',
      tags: AWAITING_ANSWER,
      on: {
        CODE_OK: [
          {
            guard: ({ event }) => event.items.some((item) => item.hasSecondFactor),
            target: 'secondFactor',
            actions: assign({ items: ({ event }) => event.items, entry: '', lockedUntil: null }),
          },
          {
            target: 'choose',
            actions: assign({ items: ({ event }) => event.items, entry: '', lockedUntil: null }),
          },
        ],
        CODE_WRONG: {
          target: 'code',
          actions: { type: 'entryRefused', params: { wrong: 'wrong-code' } },
        },
      },
    },
    secondFactor: {
      entry: { type: 'reached', params: 'second-factor' },
      on: {
        ...entryKeys(
          DATE_KEYS,
          submitWhenComplete(DATE_OF_BIRTH_DIGITS, 'verifyingSecondFactor', 'incomplete-date'),
        ),
        BACK: { target: 'code', actions: assign({ entry: '', items: [], error: null }) },
      },
    },
    verifyingSecondFactor: {
      entry: 'requestSecondFactor',
      tags: AWAITING_ANSWER,
      on: {
        SECOND_FACTOR_OK: { target: 'choose', actions: 'clearEntry' },
        SECOND_FACTOR_WRONG: [
          {
            // Too many wrong answers count as wrong codes: back to the start, locked.
            guard: ({ event }) => event.lockedUntil !== null,
            target: 'code',
            actions: assign({
              entry: '',
              items: [],
              error: 'locked',
              lockedUntil: ({ event }) => event.lockedUntil,
            }),
          },
          { target: 'secondFactor', actions: assign({ entry: '', error: 'wrong-date-of-birth' }) },
        ],
      },
    },
    choose: {
      always: {
        guard: ({ context }) => context.items.length === 1,
        target: 'confirmSelection',
        actions: assign({ selected: ({ context }) => context.items.map((item) => item.id) }),
      },
      entry: { type: 'reached', params: 'choose' },
      on: {
        TOGGLE_ITEM: {
          actions: assign({
            selected: ({ context, event }) =>
              context.selected.includes(event.itemId)
                ? context.selected.filter((id) => id !== event.itemId)
                : context.items.some((item) => item.id === event.itemId)
                  ? [...context.selected, event.itemId]
                  : context.selected,
          }),
        },
        TAKE_ALL: {
          target: 'confirmSelection',
          actions: assign({ selected: ({ context }) => context.items.map((item) => item.id) }),
        },
        CONFIRM: { guard: 'somethingSelected', target: 'confirmSelection' },
        BACK: {
          target: 'code',
          actions: assign({ items: [], selected: [], doors: [], error: null }),
        },
      },
    },
    confirmSelection: {
      always: [{ guard: 'needsPinLetter', target: 'pinLetter' }, { target: 'door' }],
      exit: assign({ doors: ({ context }) => compartmentsOf(selectedItems(context)) }),
    },
    pinLetter: {
      entry: { type: 'reached', params: 'pin-letter' },
      on: {
        CONFIRM_PIN_LETTER: 'door',
        BACK: {
          target: 'code',
          actions: assign({ items: [], selected: [], doors: [], error: null }),
        },
      },
    },
    /** One compartment after another, each through the door sub-machine. */
    door: {
      entry: { type: 'reached', params: 'door' },
      ...doorState({
        request: ({ context }: { context: PickupContext }) => ({
          purpose: 'pickup' as const,
          compartment: context.doors[0]!,
          itemIds: selectedItems(context)
            .filter((item) => item.compartment === context.doors[0])
            .map((item) => item.id),
        }),
        opened: [],
        closed: [
          {
            guard: 'moreDoors',
            target: 'door',
            reenter: true,
            actions: assign({ doors: ({ context }) => context.doors.slice(1) }),
          },
          { target: 'done' },
        ],
        failed: {
          target: 'failed',
          actions: assign({ failure: ({ event }) => `door-${event.reason}` }),
        },
      }),
    },
    done: { entry: { type: 'reached', params: 'done' }, type: 'final' },
    failed: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
