import { assign, sendParent, setup } from 'xstate';
import { referenceKey } from '../store/reference.ts';
import { type EntryUiEvent, entryKeys, submitWhenComplete } from './code-entry.ts';
import { type DoorChildEvent, type DoorNews, doorState } from './door.machine.ts';
import { AWAITING_ANSWER, askCore, endedAs, flowParts, JOB_DONE } from './flow.ts';
import {
  PRINT_ON_RECEIPT,
  type PrintAnswer,
  type PrintReceiptEffect,
  type PrintStatus,
  printParts,
} from './print-receipt.ts';

/**
 * Drop-off / returns: scan or type a reference (a return label, an old document, a form)
 * → the terminal chooses a drop-off compartment (none free: say so and advise) → the door
 * opens → put it in and close the door → receipt data → done. The drop-off is recorded with
 * the door's close (door service); a door that does not open cancels the announced drop-off.
 */
export const DROP_OFF_MACHINE_ID = 'dropOff';
export const REFERENCE_MIN_LENGTH = 4;
export const REFERENCE_MAX_LENGTH = 40;

export type DropOffUiEvent = EntryUiEvent | { type: 'CONFIRM' } | { type: 'PRINT' };

/** Device input, answers of the core and door news. `at` is stamped by the core. */
export type DropOffCoreEvent =
  | { type: 'SCAN'; text: string; symbology?: string }
  | { type: 'ANSWER_DROP_OFF_READY'; itemId: string; compartment: string }
  | { type: 'ANSWER_DROP_OFF_FULL' }
  | { type: 'ANSWER_DROP_OFF_REFUSED'; reason: 'already-dropped-off' | 'unreadable-scan' }
  | { type: 'ANSWER_RECEIPT'; receiptNumber: string; droppedOffAt: number }
  | { type: 'ANSWER_NOTHING_INSERTED' }
  | PrintAnswer
  | DoorNews;

export type DropOffEvent = (DropOffUiEvent | DropOffCoreEvent | DoorChildEvent) & { at?: number };

export type DropOffEffect =
  | { kind: 'prepare-drop-off'; reference: string }
  | { kind: 'open-door'; purpose: 'drop-off'; compartment: string; itemIds: string[] }
  | { kind: 'cancel-drop-off'; itemId: string; reason: string }
  | { kind: 'drop-off-receipt'; itemId: string }
  | PrintReceiptEffect;

export type DropOffError =
  | 'incomplete-reference'
  | 'unreadable-scan'
  | 'already-dropped-off'
  | null;

export interface DropOffReceipt {
  receiptNumber: string;
  droppedOffAt: number;
}

export interface DropOffContext {
  /** The reference typed or scanned; kept only until the drop-off is announced. */
  entry: string;
  error: DropOffError;
  /** The reference as shown: masked except its last 4 characters. */
  maskedReference: string | null;
  itemId: string | null;
  /** The drop-off compartment (a list, like every flow with a door). */
  doors: string[];
  receipt: DropOffReceipt | null;
  failure: string | null;
  stepsReached: string[];
  /** The receipt's printing, once asked for. */
  print: PrintStatus | null;
}

export interface DropOffOutput {
  outcome: 'completed' | 'abandoned' | 'failed';
  reason: string | null;
  stepsReached: string[];
}

/** A scanned reference in the typed alphabet: the store's key (upper case, no punctuation). */
export function normaliseReference(text: string): string | null {
  const reference = referenceKey(text);
  return new RegExp(`^[A-Z0-9]{${REFERENCE_MIN_LENGTH},${REFERENCE_MAX_LENGTH}}$`).test(reference)
    ? reference
    : null;
}

/** All but the last 4 characters hidden. */
export const maskReference = (reference: string) =>
  '*'.repeat(Math.max(0, reference.length - 4)) + reference.slice(-4);

const REFERENCE_KEYS = { keys: /^[0-9A-Z]$/, maxLength: REFERENCE_MAX_LENGTH };
const print = printParts<DropOffContext, DropOffEvent>();
const parts = flowParts<DropOffContext, DropOffEvent, DropOffOutput>();
const ask = askCore<DropOffEffect>();

export const dropOffMachine = setup({
  types: parts.types,
  actors: parts.actors,
  actions: {
    ...print.actions,
    ...parts.actions,
    requestPreparation: sendParent(({ context }) =>
      ask({ kind: 'prepare-drop-off', reference: context.entry }),
    ),
    requestCancel: sendParent(({ context }) =>
      ask({
        kind: 'cancel-drop-off',
        itemId: context.itemId!,
        reason: context.failure ?? 'door-failed',
      }),
    ),
    requestReceipt: sendParent(({ context }) =>
      ask({ kind: 'drop-off-receipt', itemId: context.itemId! }),
    ),
    requestPrint: sendParent(({ context }) =>
      ask({
        kind: 'print-receipt',
        receipt: {
          kind: 'drop-off',
          receiptNumber: context.receipt?.receiptNumber ?? '',
          compartment: context.doors[0] ?? '',
        },
      }),
    ),
  },
  guards: {
    ...print.guards,
    ...parts.guards,
  },
}).createMachine({
  id: DROP_OFF_MACHINE_ID,
  initial: 'reference',
  context: {
    entry: '',
    error: null,
    maskedReference: null,
    itemId: null,
    doors: [],
    receipt: null,
    failure: null,
    stepsReached: ['reference'],
    print: null,
  },
  output: ({ context }) => endedAs(context),
  on: { CANCEL: '.abandoned' },
  states: {
    reference: {
      on: {
        ...entryKeys(
          REFERENCE_KEYS,
          submitWhenComplete(REFERENCE_MIN_LENGTH, 'preparing', 'incomplete-reference'),
        ),
        SCAN: [
          {
            guard: ({ event }) => normaliseReference(event.text) !== null,
            target: 'preparing',
            actions: assign({ entry: ({ event }) => normaliseReference(event.text)!, error: null }),
          },
          { actions: assign({ error: 'unreadable-scan' }) },
        ],
        BACK: 'abandoned',
      },
    },
    preparing: {
      entry: 'requestPreparation',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_DROP_OFF_READY: {
          target: 'door',
          actions: assign({
            maskedReference: ({ context }) => maskReference(context.entry),
            entry: '',
            itemId: ({ event }) => event.itemId,
            doors: ({ event }) => [event.compartment],
          }),
        },
        ANSWER_DROP_OFF_FULL: { target: 'full', actions: assign({ entry: '' }) },
        ANSWER_DROP_OFF_REFUSED: {
          target: 'reference',
          actions: assign({ entry: '', error: ({ event }) => event.reason }),
        },
      },
    },
    /** No drop-off compartment is free: the person is told where else to go. */
    full: {
      entry: [{ type: 'reached', params: 'full' }, assign({ failure: 'no-compartment' })],
      on: { CONFIRM: 'failed', BACK: 'failed', CANCEL: 'failed' },
    },
    /** The door sub-machine; "put it in and close the door" shows as `takeAndClose`. */
    door: {
      entry: { type: 'reached', params: 'door' },
      ...doorState({
        request: ({ context }: { context: DropOffContext }) => ({
          purpose: 'drop-off' as const,
          compartment: context.doors[0]!,
          itemIds: [context.itemId!],
        }),
        opened: { type: 'reached', params: 'put-in-and-close' },
        closed: { target: 'recording' },
        failed: {
          target: 'failed',
          actions: [
            assign({ failure: ({ event }) => `door-${event.reason}` }),
            // Nothing can have been put in: the announced drop-off goes.
            'requestCancel',
          ],
        },
      }),
    },
    recording: {
      entry: 'requestReceipt',
      tags: AWAITING_ANSWER,
      on: {
        ANSWER_RECEIPT: {
          target: 'receipt',
          actions: assign({
            receipt: ({ event }) => ({
              receiptNumber: event.receiptNumber,
              droppedOffAt: event.droppedOffAt,
            }),
          }),
        },
        ANSWER_NOTHING_INSERTED: {
          target: 'failed',
          actions: assign({ failure: 'nothing-inserted' }),
        },
      },
    },
    receipt: {
      entry: { type: 'reached', params: 'receipt' },
      tags: JOB_DONE,
      on: {
        CONFIRM: 'done',
        // The drop-off is done; leaving the receipt is no abandonment.
        CANCEL: 'done',
        ...PRINT_ON_RECEIPT,
      },
    },
    done: { entry: { type: 'reached', params: 'done' }, type: 'final' },
    failed: { type: 'final' },
    abandoned: { type: 'final' },
  },
});
