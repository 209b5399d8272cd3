import { DEFAULT_TIME_ZONE } from '@amtomat/admin-sync/protocol';
import type { SnapshotFrom } from 'xstate';
import type {
  DoorAlert,
  PropsOf,
  Screen,
  SessionScreen,
  SyncStatusView,
  UiEventType,
  View,
} from '../contract/index.ts';
import { DEFAULT_LAYOUT, type TerminalLayout } from '../contract/layout.ts';
import { type Audience, leafState } from '../flows/flow.ts';
import { FLOW_DEFINITIONS, FLOWS } from '../flows/registry.ts';
import {
  DEFAULT_SPEECH,
  inactivityLimit,
  reopenGraceEnds,
  type sessionMachine,
} from '../flows/session.machine.ts';

export type { DoorAlert, SyncStatusView, View };

/** Events every screen takes: nobody needs to find a mode to reach it (EN 301 549). */
const ALWAYS: readonly UiEventType[] = [
  'SET_LANGUAGE',
  'SET_ACCESSIBILITY',
  'EXTEND',
  'SPEECH',
  'FOCUS',
];

const SESSION_SCREENS: Record<SessionScreen, readonly UiEventType[]> = {
  attract: ['CHOOSE'],
  survey: ['ANSWER', 'FINISH', 'OPEN_AGAIN'],
};

/** The start screen's services: the citizens' tiles, and apart from them the couriers'. */
export function startScreenProps(): PropsOf<'attract'> {
  const of = (audience: Audience) =>
    FLOW_DEFINITIONS.filter((flow) => flow.audience === audience).map((flow) => flow.service);
  return { services: of('citizen'), courierServices: of('courier') };
}

/** The events each screen accepts; anything else is refused (and logged) by the core. */
export function allowedEvents(screen: string): readonly UiEventType[] {
  const own =
    SESSION_SCREENS[screen as SessionScreen] ??
    FLOWS.map((flow) => flow.allowedEvents[screen]).find((events) => events !== undefined) ??
    [];
  // A flow's allowed events are its own UI events (`defineFlow` checks them).
  return [...ALWAYS, ...(own as readonly UiEventType[])];
}

export const ALL_SCREENS = [
  ...Object.keys(SESSION_SCREENS),
  ...FLOWS.flatMap((flow) => Object.keys(flow.allowedEvents)),
] as readonly Screen[];

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

/** The screens that offer a printed receipt (`printer` added to their props). */
const RECEIPT_SCREENS: readonly string[] = ['application.receipt', 'drop-off.receipt'];

/** What the projection adds to a session snapshot. */
export interface ViewExtras {
  doorAlerts?: DoorAlert[];
  /** The fleet sync's state: asked for only when the staff menu shows. */
  syncStatus?: () => SyncStatusView | null;
  /** The site's time zone (default Europe/Berlin). */
  timeZone?: string;
  /** The reach band and the locker wall (default: a portrait screen, no wall). */
  layout?: TerminalLayout;
  /** A receipt printer is configured: the receipt screens offer "print receipt". */
  printer?: boolean;
}

/** A view before its allowed events: the screen and props as `projectScreen` finds them. */
interface Projected {
  screen: string;
  props: object;
  session: View['session'];
}

export function projectView(snapshot: SessionSnapshot, extras: ViewExtras = {}): View {
  const view = projectScreen(
    snapshot,
    extras.doorAlerts ?? [],
    extras.timeZone ?? DEFAULT_TIME_ZONE,
    extras.layout ?? DEFAULT_LAYOUT,
  );
  const props = withAddedProps(view.screen, view.props, extras);
  // The props are the ones the registry's types derive for this screen (the contract):
  // the session's below, or the flow's own `props()` for its screen.
  return { ...view, props, allowed: allowedEvents(view.screen) } as View;
}

/** A screen's props with what the core adds to a flow's own (`AddedProps` of the contract). */
export function withAddedProps(screen: string, props: object, extras: ViewExtras = {}): object {
  if (screen === 'staff.menu') return { ...props, sync: extras.syncStatus?.() ?? null };
  if (RECEIPT_SCREENS.includes(screen)) return { ...props, printer: extras.printer ?? false };
  return props;
}

function projectScreen(
  snapshot: SessionSnapshot,
  doorAlerts: DoorAlert[],
  timeZone: string,
  layout: TerminalLayout,
): Projected {
  const { context } = snapshot;
  const { timers } = context;
  const session: Projected['session'] = {
    language: context.language,
    accessibility: context.accessibility,
    speech: context.speech ?? DEFAULT_SPEECH,
    focus: context.focus ?? null,
    warning: context.warning
      ? {
          endsAt: context.lastActivityAt + inactivityLimit(context),
          extensionsLeft: timers.maxExtensions - context.extensions,
        }
      : null,
    doorAlerts,
    timeZone,
    layout,
  };
  const start = startScreenProps();
  if (snapshot.matches('attract')) return { screen: 'attract', props: start, session };
  if (snapshot.matches('survey')) {
    const props: PropsOf<'survey'> = {
      service: context.service,
      outcome: context.result?.outcome ?? null,
      reason: context.result?.reason ?? null,
      answered: {
        satisfaction: context.survey.satisfaction,
        alternative: context.survey.alternative,
        ...(context.survey.distanceBand !== null && { distanceBand: context.survey.distanceBand }),
      },
      /** Until when "open the door again" is offered; null when it is not. */
      reopenUntil: reopenGraceEnds(context) || null,
      doorOpen: context.busyDoors.length > 0,
    };
    return { screen: 'survey', props, session };
  }
  const flow = FLOWS.find((candidate) => candidate.service === context.service);
  const child = snapshot.children.flow?.getSnapshot();
  if (!flow || !child) return { screen: 'attract', props: start, session };
  const state = leafState(child.value);
  return {
    screen: flow.screens[state] ?? `${flow.service}.${state}`,
    props: flow.props(state, child.context),
    session,
  };
}
