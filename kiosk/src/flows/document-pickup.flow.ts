import { z } from 'zod';
import { documentPickupMachine, type PickupContext } from './document-pickup.machine.ts';
import type { PickupEffect } from './effects.ts';
import { defineFlow, type HandlerOf, screenOf } from './flow.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';

type Handler<Kind extends PickupEffect['kind']> = HandlerOf<
  PickupEffect,
  typeof documentPickupMachine,
  Kind
>;

const verifyCode: Handler<'verify-code'> = (effect, { store, codeLock, answer }) => {
  const locked = codeLock.lockedUntil();
  if (locked !== null) return answer({ type: 'CODE_WRONG', lockedUntil: locked });
  const items = store
    .itemsByCode(String(effect.code))
    // Documents and objects in a compartment (narrowed for the answer's types).
    .flatMap(({ compartment, kind, ...item }) =>
      compartment !== null && kind !== 'drop-off' && kind !== 'parcel'
        ? [{ ...item, compartment, kind }]
        : [],
    );
  if (items.length === 0)
    return answer({ type: 'CODE_WRONG', lockedUntil: codeLock.recordFailure() });
  answer({
    type: 'CODE_OK',
    items: items.map((item) => ({
      id: item.id,
      kind: item.kind,
      compartment: item.compartment,
      needsPinLetterConfirmation: item.needsPinLetterConfirmation,
      hasSecondFactor: item.hasSecondFactor,
    })),
  });
};

const verifySecondFactor: Handler<'verify-second-factor'> = (
  effect,
  { store, codeLock, answer },
) => {
  const locked = codeLock.lockedUntil();
  if (locked !== null) return answer({ type: 'SECOND_FACTOR_WRONG', lockedUntil: locked });
  const date = /^(\d{2})(\d{2})(\d{4})$/.exec(String(effect.value));
  const iso = date ? `${date[3]}-${date[2]}-${date[1]}` : '';
  const itemIds = Array.isArray(effect.itemIds) ? effect.itemIds.map(String) : [];
  const matches = itemIds.every((id) => {
    const item = store.item(id);
    return !item?.hasSecondFactor || (iso !== '' && store.checkSecondFactor(id, iso));
  });
  if (matches) return answer({ type: 'SECOND_FACTOR_OK' });
  answer({ type: 'SECOND_FACTOR_WRONG', lockedUntil: codeLock.recordFailure() });
};

/**
 * The steps this pickup goes through, for "step N of M": the date of birth, the choice and
 * the PIN letter only when the code's items need them, so the counter never skips a number.
 * Before the code is checked the path is unknown: `null` (the code screen shows "step 1").
 */
function pickupSteps(state: string, pickup: PickupContext): string[] | null {
  if (pickup.items.length === 0) return null;
  // Once chosen, only the chosen items count; before, any item that may be chosen.
  const chosen = ['pinLetter', 'opening', 'takeAndClose'].includes(state)
    ? pickup.items.filter((item) => pickup.selected.includes(item.id))
    : pickup.items;
  return [
    'pickup.code',
    ...(pickup.items.some((item) => item.hasSecondFactor) ? ['pickup.date-of-birth'] : []),
    ...(pickup.items.length > 1 ? ['pickup.choose'] : []),
    ...(chosen.some((item) => item.needsPinLetterConfirmation) ? ['pickup.pin-letter'] : []),
    'pickup.door',
  ];
}

const SCREENS = {
  code: 'pickup.code',
  verifyingCode: 'pickup.checking',
  secondFactor: 'pickup.date-of-birth',
  verifyingSecondFactor: 'pickup.checking',
  choose: 'pickup.choose',
  confirmSelection: 'pickup.choose',
  pinLetter: 'pickup.pin-letter',
  // One screen that changes: "compartment A2 is opening", then "take your document".
  opening: 'pickup.door',
  takeAndClose: 'pickup.door',
} as const;

export const documentPickupFlow = defineFlow<PickupEffect>()({
  service: 'document-pickup',
  machine: documentPickupMachine,
  audience: 'citizen',
  screens: SCREENS,
  props(state, context) {
    const pickup = context;
    const screen: string = screenOf(SCREENS, state) ?? '';
    const steps = pickupSteps(state, pickup);
    const index = steps ? steps.indexOf(screen) : screen === 'pickup.code' ? 0 : -1;
    const compartment = pickup.doors[0] ?? null;
    return {
      entered: pickup.entry.length,
      error: pickup.error,
      lockedUntil: pickup.lockedUntil,
      items: pickup.items.map(({ id, kind }) => ({ id, kind })),
      selected: pickup.selected,
      compartment,
      // What the citizen takes out of this compartment ("your document" or "documents").
      inCompartment: pickup.items.filter(
        (item) => item.compartment === compartment && pickup.selected.includes(item.id),
      ).length,
      remainingDoors: Math.max(0, pickup.doors.length - 1),
      /** The door screen: the door is seen open (take, then close), not still opening. */
      doorOpen: state === 'takeAndClose',
      step: index >= 0 ? { index: index + 1, count: steps?.length ?? null } : null,
    };
  },
  allowedEvents: {
    'pickup.code': ENTRY_EVENTS,
    'pickup.checking': [],
    'pickup.date-of-birth': ENTRY_EVENTS,
    'pickup.choose': ['TOGGLE_ITEM', 'TAKE_ALL', 'CONFIRM', 'BACK', 'CANCEL'],
    'pickup.pin-letter': ['CONFIRM_PIN_LETTER', 'BACK', 'CANCEL'],
    'pickup.door': [],
  },
  uiEvents: [
    z.object({ type: z.literal('KEY'), key: z.string().regex(/^[0-9A-Z]$/) }),
    z.object({ type: z.enum(['DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL']) }),
    z.object({ type: z.literal('TOGGLE_ITEM'), itemId: z.string().min(1).max(64) }),
    z.object({ type: z.enum(['TAKE_ALL', 'CONFIRM', 'CONFIRM_PIN_LETTER']) }),
  ],
  effects: {
    'verify-code': verifyCode,
    'verify-second-factor': verifySecondFactor,
    'open-door': openDoorEffect,
  },
});
