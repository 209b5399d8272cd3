import { z } from 'zod';
import { defineFlow, type HandlerOf, screenOf, stepOf } from './flow.ts';
import { type ParcelEffect, parcelPickupMachine } from './parcel-pickup.machine.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';

/** A handler of one of this flow's effects, answering what the machine takes. */
type Handler<Kind extends ParcelEffect['kind']> = HandlerOf<
  ParcelEffect,
  typeof parcelPickupMachine,
  Kind
>;

/** Setting: `'true'` opens all compartments of one code together; default one after another. */
export const OPEN_TOGETHER_SETTING = 'parcel.open-together';

/**
 * A code typed or scanned: the loaded parcels it belongs to. Documents never open here
 * (they need their second factor); wrong codes count toward the terminal-wide lock.
 * The code is neither logged nor kept: it goes to the store's keyed hash and is forgotten.
 */
const verifyCode: Handler<'verify-code'> = (effect, { store, codeLock, answer, logger }) => {
  const locked = codeLock.lockedUntil();
  if (locked !== null) return answer({ type: 'CODE_WRONG', lockedUntil: locked });
  const parcels = store
    .itemsByCode(String(effect.code))
    .flatMap(({ id, kind, compartment }) =>
      kind === 'parcel' && compartment !== null ? [{ id, compartment }] : [],
    )
    // One door after another in the order of the labels on the front: A1, A2, B1, ...
    .sort((a, b) => (a.compartment < b.compartment ? -1 : a.compartment > b.compartment ? 1 : 0));
  if (parcels.length === 0) {
    return answer({ type: 'CODE_WRONG', lockedUntil: codeLock.recordFailure() });
  }
  const together = store.setting(OPEN_TOGETHER_SETTING) === 'true';
  logger.log('info', 'parcel.code_accepted', { parcels: parcels.length, together });
  answer({
    type: 'CODE_OK',
    items: parcels.map((item) => ({ id: item.id, compartment: item.compartment })),
    together,
  });
};

const SCREENS = {
  code: 'parcel.code',
  verifyingCode: 'parcel.checking',
  opening: 'parcel.opening',
  takeAndClose: 'parcel.take-and-close',
} as const;

/** Steps a citizen sees as "step N of M". */
const STEPS = ['parcel.code', 'parcel.take-and-close'];

export const parcelPickupFlow = defineFlow<ParcelEffect>()({
  service: 'parcel-pickup',
  machine: parcelPickupMachine,
  audience: 'citizen',
  screens: SCREENS,
  props(state, context) {
    const parcel = context;
    // The doors the person deals with now: all open ones together, else the current one.
    const current = parcel.together ? parcel.doors : parcel.doors.slice(0, 1);
    return {
      entered: parcel.entry.length,
      error: parcel.error,
      lockedUntil: parcel.lockedUntil,
      // The parcels behind the doors open now, not all of the code's.
      parcels: parcel.items.filter((item) => current.includes(item.compartment)).length,
      compartment: current[0] ?? null,
      compartments: current,
      remainingDoors: parcel.doors.length - current.length,
      step: stepOf(STEPS, screenOf(SCREENS, state)),
    };
  },
  allowedEvents: {
    'parcel.code': ENTRY_EVENTS,
    'parcel.checking': [],
    'parcel.opening': [],
    'parcel.take-and-close': [],
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().regex(/^[0-9A-Z]$/) }),
    z.object({ type: z.enum(['DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL']) }),
  ],
  effects: {
    'verify-code': verifyCode,
    'open-door': openDoorEffect,
  },
});
