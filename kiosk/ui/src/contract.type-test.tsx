/**
 * Type-level tests of the page's side of the contract: `npm run typecheck` checks this file
 * (kiosk/ui/tsconfig.json includes src; nothing imports it, so it is never bundled). Each
 * `@ts-expect-error` line is a mistake that used to render a wrong or empty screen at run
 * time; an unused `@ts-expect-error` fails the typecheck. The core's side:
 * kiosk/src/contract/contract.type-test.ts.
 */
import type { ComponentType } from 'react';
import { documentPickupFlow } from '../../src/flows/document-pickup.flow.ts';
import type { PickupEffect } from '../../src/flows/effects.ts';
import { defineFlow } from '../../src/flows/flow.ts';
import { Action } from './components/Action.tsx';
import type { ScreenMap, UiEvent } from './contract.ts';
import { SCREENS } from './screens/index.tsx';
import { PickupCode } from './screens/pickup/PickupCode.tsx';
import type { ScreenApi } from './shell/screen-context.ts';

// 4. A prop renamed in a flow's props(): the screen's component no longer fits it.
const renamed = defineFlow<PickupEffect>()({
  ...documentPickupFlow,
  props(state, context) {
    const { entered, ...rest } = documentPickupFlow.props(state, context);
    return { ...rest, typedLength: entered };
  },
});
type RenamedProps = ReturnType<typeof renamed.props>;
// @ts-expect-error PickupCode reads `entered`, which the renamed props() no longer gives
export const stale: ComponentType<RenamedProps> = PickupCode;
// The screen map takes for each screen only a component of exactly that screen's props.
export const map: ScreenMap = {
  ...SCREENS,
  // @ts-expect-error a component of other props than pickup.code's
  'pickup.code': (_props: { typedLength: number }) => null,
};
export const typo: ScreenMap = {
  ...SCREENS,
  // @ts-expect-error pickup.cod is no screen
  'pickup.cod': PickupCode,
};

// 5. An event type misspelt in a UI send(...), or in an Action (which would render nothing).
export function sends(send: ScreenApi['send'], can: ScreenApi['can']) {
  send({ type: 'TAKE_ALL' });
  // @ts-expect-error TAKE_ALLL is no UI event
  send({ type: 'TAKE_ALLL' });
  // @ts-expect-error TOGGLE_ITEM needs the item
  send({ type: 'TOGGLE_ITEM' });
  // @ts-expect-error CONFIRM_PIN is no UI event
  return can('CONFIRM_PIN');
}
export const actions = [
  <Action key="ok" event={{ type: 'CONFIRM' }} testId="ok">
    OK
  </Action>,
  // @ts-expect-error CONFIRMM is no UI event: the button would never show
  <Action key="typo" event={{ type: 'CONFIRMM' }} testId="typo">
    OK
  </Action>,
];
export const event: UiEvent = { type: 'SET_LANGUAGE', language: 'de' };
