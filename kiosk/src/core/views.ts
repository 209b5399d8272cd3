import { DEFAULT_TIME_ZONE } from '@amtomat/admin-sync/protocol';
import type { SnapshotFrom } from 'xstate';
import { FLOWS } from '../flows/registry.ts';
import { inactivityLimit, reopenGraceEnds, type sessionMachine } from '../flows/session.machine.ts';

/**
 * What the UI renders: a screen name and the props it needs, projected from the session
 * snapshot. Nothing secret: entered codes and dates appear only as their length.
 */
export interface View {
  screen: string;
  props: Record<string, unknown>;
  /** The events this screen takes (the core refuses any other): what the page may offer. */
  allowed: readonly string[];
  session: {
    language: string;
    accessibility: { largeText: boolean; highContrast: boolean; speech: boolean };
    /** The inactivity warning is showing; the session ends at `endsAt` unless extended. */
    warning: { endsAt: number; extensionsLeft: number } | null;
    /**
     * Doors standing open that should not: shown on every screen ("please close door 7;
     * staff have been told"). Compartment labels only.
     */
    doorAlerts: DoorAlert[];
    /** The site's time zone (IANA): every time on screen is shown in it, not the browser's. */
    timeZone: string;
  };
}

/** The fleet sync as the staff menu shows it; null when the site has no sync. */
export interface SyncStatusView {
  online: boolean;
  lastSync: number | null;
  queueLength: number;
  lastError: string | null;
}

export interface DoorAlert {
  compartment: string;
  kind: 'left-open' | 'forced-open';
}

/** Events every screen takes: nobody needs to find a mode to reach it (EN 301 549). */
const ALWAYS = ['SET_LANGUAGE', 'SET_ACCESSIBILITY', 'EXTEND'];

const SESSION_SCREENS: Record<string, readonly string[]> = {
  attract: ['START'],
  menu: ['CHOOSE', 'CANCEL'],
  survey: ['ANSWER', 'FINISH', 'OPEN_AGAIN'],
};

/** The events each screen accepts; anything else is refused (and logged) by the core. */
export function allowedEvents(screen: string): readonly string[] {
  const own =
    SESSION_SCREENS[screen] ??
    FLOWS.map((flow) => flow.allowedEvents[screen]).find((events) => events !== undefined) ??
    [];
  return [...ALWAYS, ...own];
}

export const ALL_SCREENS: readonly string[] = [
  ...Object.keys(SESSION_SCREENS),
  ...FLOWS.flatMap((flow) => Object.keys(flow.allowedEvents)),
];

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

export function projectView(
  snapshot: SessionSnapshot,
  doorAlerts: DoorAlert[] = [],
  timeZone = DEFAULT_TIME_ZONE,
): View {
  const view = projectScreen(snapshot, doorAlerts, timeZone);
  return { ...view, allowed: allowedEvents(view.screen) };
}

function projectScreen(
  snapshot: SessionSnapshot,
  doorAlerts: DoorAlert[],
  timeZone: string,
): Omit<View, 'allowed'> {
  const { context } = snapshot;
  const { timers } = context;
  const session: View['session'] = {
    language: context.language,
    accessibility: context.accessibility,
    warning: context.warning
      ? {
          endsAt: context.lastActivityAt + inactivityLimit(context),
          extensionsLeft: timers.maxExtensions - context.extensions,
        }
      : null,
    doorAlerts,
    timeZone,
  };
  if (snapshot.matches('attract')) return { screen: 'attract', props: {}, session };
  if (snapshot.matches('menu')) {
    const services = FLOWS.filter((flow) => flow.inMenu).map((flow) => flow.service);
    return { screen: 'menu', props: { services }, session };
  }
  if (snapshot.matches('survey')) {
    return {
      screen: 'survey',
      props: {
        service: context.service,
        outcome: context.result?.outcome ?? null,
        reason: context.result?.reason ?? null,
        answered: context.survey,
        /** Until when "open the door again" is offered; null when it is not. */
        reopenUntil: reopenGraceEnds(context) || null,
        doorOpen: context.busyDoors.length > 0,
      },
      session,
    };
  }
  const flow = FLOWS.find((candidate) => candidate.service === context.service);
  const child = snapshot.children.flow?.getSnapshot();
  if (!flow || !child) return { screen: 'attract', props: {}, session };
  const state = typeof child.value === 'string' ? child.value : Object.keys(child.value)[0]!;
  return {
    screen: flow.screens[state] ?? `${flow.service}.${state}`,
    props: flow.props(state, child.context),
    session,
  };
}
