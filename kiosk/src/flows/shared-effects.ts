import type { DoorPurpose } from '../store/types.ts';
import type { EffectHandler } from './flow.ts';

/** `{ kind: 'open-door', purpose, compartment, itemIds, staffId? }` for every flow. */
export const openDoorEffect: EffectHandler = async (effect, context) => {
  await context.openDoor({
    compartment: String(effect.compartment),
    purpose: effect.purpose as DoorPurpose,
    itemIds: Array.isArray(effect.itemIds) ? effect.itemIds.map(String) : [],
    staffId: typeof effect.staffId === 'string' ? effect.staffId : null,
  });
};

/** Code-entry keys shared by every screen that takes a code, a date or a PIN. */
export const ENTRY_EVENTS = ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL'] as const;
