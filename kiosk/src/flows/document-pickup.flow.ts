import { z } from 'zod';
import { documentPickupMachine, type PickupContext } from './document-pickup.machine.ts';
import type { EffectHandler, FlowDefinition } from './flow.ts';
import { ENTRY_EVENTS, openDoorEffect } from './shared-effects.ts';

const verifyCode: EffectHandler = (effect, { store, codeLock, answer }) => {
  const locked = codeLock.lockedUntil();
  if (locked !== null) return answer({ type: 'CODE_WRONG', lockedUntil: locked });
  const items = store
    .itemsByCode(String(effect.code))
    .filter(
      (item) => item.compartment !== null && item.kind !== 'drop-off' && item.kind !== 'parcel',
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

const verifySecondFactor: EffectHandler = (effect, { store, codeLock, answer }) => {
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

/** Steps a citizen sees as "step N of M". */
const STEPS = [
  'pickup.code',
  'pickup.date-of-birth',
  'pickup.choose',
  'pickup.pin-letter',
  'pickup.take-and-close',
];

const SCREENS: Record<string, string> = {
  code: 'pickup.code',
  verifyingCode: 'pickup.checking',
  secondFactor: 'pickup.date-of-birth',
  verifyingSecondFactor: 'pickup.checking',
  choose: 'pickup.choose',
  confirmSelection: 'pickup.choose',
  pinLetter: 'pickup.pin-letter',
  opening: 'pickup.opening',
  takeAndClose: 'pickup.take-and-close',
};

export const documentPickupFlow: FlowDefinition = {
  service: 'document-pickup',
  machine: documentPickupMachine,
  inMenu: true,
  screens: SCREENS,
  props(state, context) {
    const pickup = context as PickupContext;
    const step = STEPS.indexOf(SCREENS[state] ?? '');
    return {
      entered: pickup.entry.length,
      error: pickup.error,
      lockedUntil: pickup.lockedUntil,
      items: pickup.items.map(({ id, kind }) => ({ id, kind })),
      selected: pickup.selected,
      compartment: pickup.doors[0] ?? null,
      remainingDoors: Math.max(0, pickup.doors.length - 1),
      step: step >= 0 ? { index: step + 1, count: STEPS.length } : null,
    };
  },
  allowedEvents: {
    'pickup.code': ENTRY_EVENTS,
    'pickup.checking': [],
    'pickup.date-of-birth': ENTRY_EVENTS,
    'pickup.choose': ['TOGGLE_ITEM', 'TAKE_ALL', 'CONFIRM', 'BACK', 'CANCEL'],
    'pickup.pin-letter': ['CONFIRM_PIN_LETTER', 'BACK', 'CANCEL'],
    'pickup.opening': [],
    'pickup.take-and-close': [],
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
};
