import { z } from 'zod';
import type { CompartmentSize } from '../store/types.ts';
import {
  type DropOffEffect,
  dropOffMachine,
  maskReference,
  normaliseReference,
} from './drop-off.machine.ts';
import { defineFlow, type HandlerOf, screenOf, stepOf } from './flow.ts';
import { printReceiptEffect } from './print-receipt.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';

/** A handler of one of this flow's effects, answering what the machine takes. */
type Handler<Kind extends DropOffEffect['kind']> = HandlerOf<
  DropOffEffect,
  typeof dropOffMachine,
  Kind
>;

/** The smallest compartment a drop-off gets: what a person brings is not known in advance. */
export const DROP_OFF_SIZE: CompartmentSize = 'M';

/** What the full screen advises, in this order (the UI words it). */
export const FULL_ADVICE = ['try-again-later', 'town-hall'] as const;

/** A receipt number a person can read out: the start of the item id, in groups of four. */
export function receiptNumberOf(itemId: string): string {
  const digits = itemId
    .replace(/[^0-9a-zA-Z]/g, '')
    .slice(0, 12)
    .toUpperCase();
  return digits.match(/.{1,4}/g)?.join('-') ?? digits;
}

/**
 * Chooses a drop-off compartment and announces the drop-off (status `announced`): the door
 * intent carries its id, and the door's close records it as dropped off. References are
 * never logged.
 */
const prepare: Handler<'prepare-drop-off'> = (effect, { store, answer, logger }) => {
  const reference = normaliseReference(String(effect.reference));
  if (!reference) return answer({ type: 'ANSWER_DROP_OFF_REFUSED', reason: 'unreadable-scan' });
  const previous = store.itemByReference(reference);
  if (previous?.kind === 'drop-off' && previous.status === 'dropped_off') {
    logger.log('info', 'drop-off.refused', { reason: 'already-dropped-off' });
    return answer({ type: 'ANSWER_DROP_OFF_REFUSED', reason: 'already-dropped-off' });
  }
  if (
    previous?.kind === 'drop-off' &&
    previous.status === 'announced' &&
    !store.openIntents().some((intent) => intent.itemId === previous.id)
  ) {
    // Left by a visit that ended before its door was asked for (a crash): it never went in.
    const cancelled = store.cancelAnnounced(previous.id, 'system', 'abandoned');
    if (!cancelled.ok) {
      logger.log('warn', 'drop-off.cancel_failed', { item: previous.id, reason: cancelled.error });
    }
  }
  const compartment = store.chooseDropOffCompartment({ size: DROP_OFF_SIZE });
  if (!compartment) {
    logger.log('warn', 'drop-off.no_compartment', {});
    return answer({ type: 'ANSWER_DROP_OFF_FULL' });
  }
  let itemId: string;
  try {
    itemId = store.announceItem({ kind: 'drop-off', reference }).id;
  } catch {
    // Another active drop-off with this reference that `itemByReference` did not return.
    logger.log('info', 'drop-off.refused', { reason: 'already-dropped-off' });
    return answer({ type: 'ANSWER_DROP_OFF_REFUSED', reason: 'already-dropped-off' });
  }
  logger.log('info', 'drop-off.prepared', { item: itemId, compartment: compartment.label });
  answer({ type: 'ANSWER_DROP_OFF_READY', itemId, compartment: compartment.label });
};

/** The door did not open: nothing can be inside, the announced drop-off goes. */
const cancel: Handler<'cancel-drop-off'> = (effect, { store, logger }) => {
  const result = store.cancelAnnounced(String(effect.itemId), 'system', String(effect.reason));
  if (!result.ok) {
    logger.log('warn', 'drop-off.cancel_failed', {
      item: String(effect.itemId),
      error: result.error,
    });
  }
};

/** After the close: the receipt, or "nothing was put in" when the item sensor saw none. */
const receipt: Handler<'drop-off-receipt'> = (effect, { store, answer }) => {
  const item = store.item(String(effect.itemId));
  if (item?.status !== 'dropped_off' || item.loadedAt === null) {
    return answer({ type: 'ANSWER_NOTHING_INSERTED' });
  }
  answer({
    type: 'ANSWER_RECEIPT',
    receiptNumber: receiptNumberOf(item.id),
    droppedOffAt: item.loadedAt,
  });
};

const SCREENS = {
  reference: 'drop-off.reference',
  preparing: 'drop-off.checking',
  full: 'drop-off.full',
  opening: 'drop-off.opening',
  takeAndClose: 'drop-off.put-in-and-close',
  recording: 'drop-off.checking',
  receipt: 'drop-off.receipt',
} as const;

/** Steps a citizen sees as "step N of M". */
const STEPS = ['drop-off.reference', 'drop-off.put-in-and-close', 'drop-off.receipt'];

export const dropOffFlow = defineFlow<DropOffEffect>()({
  service: 'drop-off',
  machine: dropOffMachine,
  audience: 'citizen',
  screens: SCREENS,
  props(state, context) {
    const dropOff = context;
    return {
      entered: dropOff.entry.length,
      // While typing, what was typed, masked but its last 4 characters; later the masked
      // reference of the drop-off.
      reference: state === 'reference' ? maskReference(dropOff.entry) : dropOff.maskedReference,
      error: dropOff.error,
      compartment: dropOff.doors[0] ?? null,
      receiptNumber: dropOff.receipt?.receiptNumber ?? null,
      droppedOffAt: dropOff.receipt?.droppedOffAt ?? null,
      advice: state === 'full' ? FULL_ADVICE : null,
      print: state === 'receipt' ? dropOff.print : null,
      step: stepOf(STEPS, screenOf(SCREENS, state)),
    };
  },
  allowedEvents: {
    'drop-off.reference': ENTRY_EVENTS,
    'drop-off.checking': [],
    'drop-off.full': ['CONFIRM', 'BACK', 'CANCEL'],
    'drop-off.opening': [],
    'drop-off.put-in-and-close': [],
    'drop-off.receipt': ['PRINT', 'CONFIRM', 'CANCEL'],
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().regex(/^[0-9A-Z]$/) }),
    z.object({ type: z.enum(['DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL', 'CONFIRM', 'PRINT']) }),
  ],
  effects: {
    'prepare-drop-off': prepare,
    'open-door': openDoorEffect,
    'cancel-drop-off': cancel,
    'drop-off-receipt': receipt,
    'print-receipt': printReceiptEffect,
  },
});
