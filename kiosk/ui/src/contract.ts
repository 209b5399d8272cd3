/**
 * The page's side of the contract (kiosk/src/contract): the screens, their props and the
 * events the page may send, all derived from the flows. Type imports only, but the RPC
 * paths, which have no imports of their own: nothing of the service is bundled.
 */
import type { ComponentType } from 'react';
import type { PropsOf, Screen } from '../../src/contract/index.ts';

export type {
  BareEventType,
  DoorAlert,
  EventReply,
  PropsOf,
  Screen,
  SessionView,
  SyncStatusView,
  UiEvent,
  UiEventType,
  View,
  ViewOf,
} from '../../src/contract/index.ts';
export { CONTROL_ID, RPC_PATHS, VIEW_EVENT } from '../../src/contract/rpc.ts';

/** A component for every screen, each taking exactly the props its flow gives that screen. */
export type ScreenMap = { [S in Screen]: ComponentType<PropsOf<S>> };
