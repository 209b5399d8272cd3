/**
 * Type-level tests of the contract: `npm run typecheck` checks this file (it is never run).
 * Each `@ts-expect-error` line is one of the mistakes of issue #10 that used to type-check
 * and fail only at run time; TypeScript reports an unused `@ts-expect-error`, so the
 * typecheck fails if any of them ever compiles again. The page's mistakes (a misspelt event
 * in `send`, a screen component that reads a renamed prop) are in
 * kiosk/ui/src/contract.type-test.tsx.
 */

import { documentPickupFlow } from '../flows/document-pickup.flow.ts';
import type { PickupEffect } from '../flows/effects.ts';
import { defineFlow, type EffectHandler } from '../flows/flow.ts';
import type { SessionEvent } from '../flows/session.machine.ts';
import { staffFlow } from '../flows/staff.flow.ts';
import { type StaffEffect, staffMachine } from '../flows/staff.machine.ts';
import type {
  AnswerOf,
  EffectOf,
  PropsOf,
  Screen,
  Service,
  UiEvent,
  UiEventOf,
  View,
} from './index.ts';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectTrue = <T extends true>(_proof?: T) => undefined;

// The registry keeps every flow's own types (`defineFlow` + the `as const` tuple).
expectTrue<
  Equal<
    Service,
    'document-pickup' | 'courier-deposit' | 'parcel-pickup' | 'drop-off' | 'application' | 'staff'
  >
>();
expectTrue<Equal<EffectOf<'staff'>, StaffEffect>>();
expectTrue<Equal<EffectOf<'document-pickup'>, PickupEffect>>();
expectTrue<Equal<PropsOf<'pickup.code'>['entered'], number>>();
expectTrue<Equal<UiEventOf<'TOGGLE_ITEM'>, { type: 'TOGGLE_ITEM'; itemId: string }>>();

// 1. An answer name misspelt in a *.flow.ts: a handler answers only what its machine takes.
type CheckPin = EffectHandler<Extract<StaffEffect, { kind: 'check-pin' }>, AnswerOf<'staff'>>;
export const answers: CheckPin = (_effect, { answer }) => {
  answer({ type: 'ANSWER_PIN_OK' });
  // @ts-expect-error ANSWER_PIN_OKAY is no event of the staff machine
  answer({ type: 'ANSWER_PIN_OKAY' });
  // @ts-expect-error an answer with a field missing
  answer({ type: 'ANSWER_PIN_LOCKED' });
};

// 2. An effect kind misspelt in a machine: machines build their effects against the flow's
// union (`satisfies PickupEffect`; the staff machine's `effect(request: StaffEffect)`), which
// is the registry's `EffectOf` (checked above).
export const asked = [
  { kind: 'check-pin', staffId: 's1', pin: '1234', purpose: 'login' } satisfies StaffEffect,
  // @ts-expect-error check-pinn is no effect of the staff flow
  { kind: 'check-pinn', staffId: 's1', pin: '1234', purpose: 'login' } satisfies StaffEffect,
  // @ts-expect-error verify-codes is no effect of the document pickup
  { kind: 'verify-codes', code: '1234' } satisfies EffectOf<'document-pickup'>,
];

// 3. A key of a flow's effect handlers misspelt: one handler per kind, no other.
export const misspeltHandler = defineFlow<StaffEffect>()({
  ...staffFlow,
  effects: {
    ...staffFlow.effects,
    // @ts-expect-error check-pinn is no effect kind of the staff flow
    'check-pinn': staffFlow.effects['check-pin'],
  },
});
const { 'check-pin': _dropped, ...withoutCheckPin } = staffFlow.effects;
export const missingHandler = defineFlow<StaffEffect>()({
  ...staffFlow,
  // @ts-expect-error the handler of check-pin is missing
  effects: withoutCheckPin,
});
export const wrongMachine = defineFlow<StaffEffect>()({
  ...staffFlow,
  machine: staffMachine,
  // @ts-expect-error a screen that is not one of allowedEvents' keys
  screens: { ...staffFlow.screens, pin: 'staff.pinn' },
});

// 4. A prop renamed in a flow's props(): the contract's props of that screen (what the page's
// components take) no longer match. The page's side: kiosk/ui/src/contract.type-test.tsx.
const renamed = defineFlow<PickupEffect>()({
  ...documentPickupFlow,
  props(state, context) {
    const { entered, ...rest } = documentPickupFlow.props(state, context);
    return { ...rest, typedLength: entered };
  },
});
declare const context: Parameters<typeof documentPickupFlow.props>[1];
// @ts-expect-error `entered` is missing from the renamed props
export const renamedProps: PropsOf<'pickup.code'> = renamed.props('code', context);

// 5. An event misspelt for the core: the UI events are inferred from their zod schemas.
export const events: UiEvent[] = [
  { type: 'CONFIRM_PIN_LETTER' },
  // @ts-expect-error CONFIRM_PIN_LETTERS is no UI event
  { type: 'CONFIRM_PIN_LETTERS' },
  // @ts-expect-error KEY needs its key
  { type: 'KEY' },
];

// 6. An event type misspelt where it is sent to the session (the core's answers and door news,
// a test's input): no catch-all, the session takes its own events and those of its flows.
export const sessionEvents: SessionEvent[] = [
  { type: 'DOOR_OPENED', compartment: 'A2', at: 0 },
  // @ts-expect-error DOOR_OPEND is no event of the session or of any flow
  { type: 'DOOR_OPEND', compartment: 'A2', at: 0 },
  // @ts-expect-error a flow's event with a field of the wrong type
  { type: 'CODE_WRONG', lockedUntil: 'soon', at: 0 },
];

// The view is a union by screen: narrowing the screen gives that screen's props.
export function narrowed(view: View): number | null {
  if (view.screen === 'staff.menu') return view.props.sync?.queueLength ?? null;
  if (view.screen === 'pickup.code') return view.props.entered;
  // @ts-expect-error no screen of that name
  if (view.screen === 'pickup.cod') return null;
  return null;
}
export const screens: Screen[] = ['attract', 'survey', 'courier.login'];
