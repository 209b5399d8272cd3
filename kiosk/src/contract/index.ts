/**
 * The contract between the kiosk core and the kiosk page (docs/architecture.md, "The
 * contract"): screens and their props, UI events, each flow's effects and answers, the RPC
 * paths. Both sides import it; it has no runtime dependencies beyond zod (and only the RPC
 * paths are values).
 */
export type { BareEventType, UiEvent, UiEventOf, UiEventType } from './events.ts';
export type { AnswerOf, EffectOf, Flow, FlowOf, FlowScreen, Service } from './flows.ts';
export {
  DEFAULT_LAYOUT,
  REACH_CM,
  type ReachBand,
  type TerminalLayout,
  type Translate,
  type Wall,
  type WallCompartment,
  whereText,
} from './layout.ts';
export {
  type EventError,
  type EventReply,
  type Health,
  RPC_PATHS,
  type SyncStatusView,
  VIEW_EVENT,
} from './rpc.ts';
export type {
  DoorAlert,
  PropsOf,
  Screen,
  SessionScreen,
  SessionScreenProps,
  SessionView,
  View,
  ViewOf,
} from './view.ts';
