import type { DoorPurpose } from '../store/types.ts';
import type { EffectHandler } from './flow.ts';

/** What every flow's `open-door` effect carries (each flow narrows the purpose). */
export type OpenDoorEffect = {
  kind: 'open-door';
  purpose: DoorPurpose | undefined;
  compartment: string | undefined;
  itemIds: string[];
  staffId?: string | null;
};

/** `{ kind: 'open-door', purpose, compartment, itemIds, staffId? }` for every flow. */
export const openDoorEffect: EffectHandler<OpenDoorEffect, never> = async (effect, context) => {
  await context.openDoor({
    compartment: String(effect.compartment),
    purpose: effect.purpose as DoorPurpose,
    itemIds: Array.isArray(effect.itemIds) ? effect.itemIds.map(String) : [],
    staffId: typeof effect.staffId === 'string' ? effect.staffId : null,
  });
};

/** Code-entry keys shared by every screen that takes a code, a date or a PIN. */
export const ENTRY_EVENTS = ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL'] as const;
