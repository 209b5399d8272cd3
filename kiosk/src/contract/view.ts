/**
 * What the page renders: one view per screen, a discriminated union on `screen`. Each
 * screen's props come from its flow's `props()` (or the session's, below). Types only.
 */
import type { FlowOutput } from '../flows/flow.ts';
import type { UiEventType } from './events.ts';
import type { FlowPropsOf, FlowScreen, Service } from './flows.ts';
import type { TerminalLayout } from './layout.ts';
import type { SyncStatusView } from './rpc.ts';

/** Props of the session's own screens (projected in core/views.ts). */
export interface SessionScreenProps {
  /**
   * The start screen offers the services at once: the citizens' as its tiles, the
   * couriers' apart from them (not to be taken for a citizen's).
   */
  attract: { services: Service[]; courierServices: Service[] };
  survey: {
    service: string | null;
    outcome: FlowOutput['outcome'] | null;
    reason: string | null;
    /** `distanceBand` once the trip's length is answered (asked after a counter visit's mode). */
    answered: { satisfaction: number | null; alternative: string | null; distanceBand?: string };
    /** Until when "open the door again" is offered; null when it is not. */
    reopenUntil: number | null;
    doorOpen: boolean;
  };
}
export type SessionScreen = keyof SessionScreenProps;

/** Props the core adds to a flow's (the fleet sync on the staff menu, the site's printer). */
interface AddedProps {
  'staff.menu': { sync: SyncStatusView | null };
  /** A receipt printer is configured: the screen offers "print receipt". */
  'application.receipt': { printer: boolean };
  'drop-off.receipt': { printer: boolean };
}

/** Every screen there is. */
export type Screen = SessionScreen | FlowScreen;

/** The props of one screen. */
export type PropsOf<S extends Screen> = S extends SessionScreen
  ? SessionScreenProps[S]
  : S extends FlowScreen
    ? FlowPropsOf<S> & (S extends keyof AddedProps ? AddedProps[S] : unknown)
    : never;

export interface DoorAlert {
  compartment: string;
  kind: 'left-open' | 'forced-open';
}

/** What every screen shares: the session's settings and notices. */
export interface SessionView {
  language: string;
  accessibility: { largeText: boolean; highContrast: boolean; speech: boolean };
  /** Speech volume and rate (steps from the default) and the repeat count of this session. */
  speech: { volume: number; rate: number; repeat: number };
  /**
   * The control the keypad last moved the focus to (the page's id for it) and how often
   * the focus moved in this session: speech names the control on each move. Null: none yet.
   */
  focus: { control: string; moves: number } | null;
  /** The inactivity warning is showing; the session ends at `endsAt` unless extended. */
  warning: { endsAt: number; extensionsLeft: number } | null;
  /**
   * Doors standing open that should not: shown on every screen ("please close door 7;
   * staff have been told"). Compartment labels only.
   */
  doorAlerts: DoorAlert[];
  /** The site's time zone (IANA): every time on screen is shown in it, not the browser's. */
  timeZone: string;
  /** The reach band on this screen and the locker wall (site file; `contract/layout.ts`). */
  layout: TerminalLayout;
}

type AllPropKeys = { [S in Screen]: keyof PropsOf<S> }[Screen];

/** The view of one screen. Nothing secret: entered codes and dates appear only as their length. */
export interface ViewOf<S extends Screen> {
  screen: S;
  /**
   * The screen's props. The keys of other screens' props are typed as absent, so code that
   * handles any view (tests, the shell) may read a prop without first narrowing the screen.
   */
  props: PropsOf<S> & { [K in Exclude<AllPropKeys, keyof PropsOf<S>>]?: never };
  /** The events this screen takes (the core refuses any other): what the page may offer. */
  allowed: readonly UiEventType[];
  session: SessionView;
}

/** What the UI renders: a discriminated union on `screen`. */
export type View = { [S in Screen]: ViewOf<S> }[Screen];
