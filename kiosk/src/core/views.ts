import type { SnapshotFrom } from 'xstate';
import type { PickupContext } from '../flows/document-pickup.machine.ts';
import type { sessionMachine } from '../flows/session.machine.ts';
import type { UiEvent } from './ui-events.ts';

/**
 * What the UI renders: a screen name and the props it needs, projected from the session
 * snapshot. Nothing secret: entered codes and dates appear only as their length.
 */
export interface View {
  screen: Screen;
  props: Record<string, unknown>;
  session: {
    language: string;
    accessibility: { largeText: boolean; highContrast: boolean; speech: boolean };
    /** The inactivity warning is showing; the session ends at `endsAt` unless extended. */
    warning: { endsAt: number; extensionsLeft: number } | null;
  };
}

export type Screen =
  | 'attract'
  | 'menu'
  | 'pickup.code'
  | 'pickup.checking'
  | 'pickup.date-of-birth'
  | 'pickup.choose'
  | 'pickup.pin-letter'
  | 'pickup.opening'
  | 'pickup.take-and-close'
  | 'survey';

const PICKUP_SCREENS: Record<string, Screen> = {
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

/** Steps a citizen sees as "step N of M" during a pickup. */
const PICKUP_STEPS: Screen[] = [
  'pickup.code',
  'pickup.date-of-birth',
  'pickup.choose',
  'pickup.pin-letter',
  'pickup.take-and-close',
];

const ALWAYS: UiEvent['type'][] = ['SET_LANGUAGE', 'SET_ACCESSIBILITY', 'EXTEND'];
const ENTRY: UiEvent['type'][] = ['KEY', 'DELETE', 'CLEAR', 'SUBMIT', 'BACK', 'CANCEL'];

/** The events each screen accepts; anything else is refused (and logged) by the core. */
export const ALLOWED_EVENTS: Record<Screen, readonly UiEvent['type'][]> = {
  attract: [...ALWAYS, 'START'],
  menu: [...ALWAYS, 'CHOOSE', 'CANCEL'],
  'pickup.code': [...ALWAYS, ...ENTRY],
  'pickup.checking': [...ALWAYS],
  'pickup.date-of-birth': [...ALWAYS, ...ENTRY],
  'pickup.choose': [...ALWAYS, 'TOGGLE_ITEM', 'TAKE_ALL', 'CONFIRM', 'BACK', 'CANCEL'],
  'pickup.pin-letter': [...ALWAYS, 'CONFIRM_PIN_LETTER', 'BACK', 'CANCEL'],
  'pickup.opening': [...ALWAYS],
  'pickup.take-and-close': [...ALWAYS],
  survey: [...ALWAYS, 'ANSWER', 'FINISH'],
};

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

export function projectView(snapshot: SessionSnapshot): View {
  const { context } = snapshot;
  const { timers } = context;
  const session: View['session'] = {
    language: context.language,
    accessibility: context.accessibility,
    warning: context.warning
      ? {
          endsAt: context.lastActivityAt + timers.inactivityMs,
          extensionsLeft: timers.maxExtensions - context.extensions,
        }
      : null,
  };
  if (snapshot.matches('attract')) return { screen: 'attract', props: {}, session };
  if (snapshot.matches('menu'))
    return { screen: 'menu', props: { services: ['document-pickup'] }, session };
  if (snapshot.matches('survey')) {
    return {
      screen: 'survey',
      props: {
        outcome: context.result?.outcome ?? null,
        reason: context.result?.reason ?? null,
        answered: context.survey,
      },
      session,
    };
  }
  const flow = snapshot.children.flow?.getSnapshot();
  const state = typeof flow?.value === 'string' ? flow.value : 'code';
  const pickup = (flow?.context ?? {}) as Partial<PickupContext>;
  const screen = PICKUP_SCREENS[state] ?? 'pickup.code';
  const step = PICKUP_STEPS.indexOf(screen);
  return {
    screen,
    props: {
      entered: pickup.entry?.length ?? 0,
      error: pickup.error ?? null,
      lockedUntil: pickup.lockedUntil ?? null,
      items: (pickup.items ?? []).map(({ id, kind }) => ({ id, kind })),
      selected: pickup.selected ?? [],
      compartment: pickup.doors?.[0] ?? null,
      remainingDoors: Math.max(0, (pickup.doors?.length ?? 1) - 1),
      step: step >= 0 ? { index: step + 1, count: PICKUP_STEPS.length } : null,
    },
    session,
  };
}
