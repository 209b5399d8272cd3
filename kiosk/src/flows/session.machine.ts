import { assign, emit, sendTo, setup } from 'xstate';
import {
  documentPickupMachine,
  type PickupOutput,
  type PickupUiEvent,
} from './document-pickup.machine.ts';
import type { CoreEvent, Effect } from './effects.ts';

/**
 * One visit at the terminal: attract → service menu → a service flow → a two-question
 * survey → attract. The session owns what every screen shares: language, accessibility
 * modes, the inactivity warning and its extensions. Time comes in on events (`at`), and
 * deadlines are absolute times in context, so a restored session needs no re-armed timers.
 */
export const SESSION_MACHINE_VERSION = 1;

export const LANGUAGES = ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Service = 'document-pickup';
export const SERVICES: readonly Service[] = ['document-pickup'];

export interface Accessibility {
  largeText: boolean;
  highContrast: boolean;
  speech: boolean;
}

export interface SessionTimers {
  /** No input for this long ends the session (after the warning). */
  inactivityMs: number;
  /** The warning shows this long before the end. */
  warningMs: number;
  /** The thank-you / survey screen returns home after this long. */
  returnHomeMs: number;
  maxExtensions: number;
}

export const DEFAULT_TIMERS: SessionTimers = {
  inactivityMs: 90_000,
  warningMs: 20_000,
  returnHomeMs: 30_000,
  maxExtensions: 20,
};

export interface SessionContext {
  sessionId: string | null;
  language: Language;
  accessibility: Accessibility;
  timers: SessionTimers;
  startedAt: number | null;
  lastActivityAt: number;
  warning: boolean;
  extensions: number;
  service: Service | null;
  /** A door of this session is being opened or stands open: the session may not end. */
  doorBusy: boolean;
  result: PickupOutput | null;
  survey: { satisfaction: number | null; alternative: string | null };
}

export type SessionUiEvent =
  | { type: 'START' }
  | { type: 'CHOOSE'; service: Service }
  | { type: 'EXTEND' }
  | { type: 'SET_LANGUAGE'; language: Language }
  | { type: 'SET_ACCESSIBILITY'; settings: Partial<Accessibility> }
  | { type: 'ANSWER'; question: 'satisfaction'; value: number }
  | { type: 'ANSWER'; question: 'alternative'; value: string }
  | { type: 'FINISH' }
  | PickupUiEvent;

export type SessionEvent = (
  | SessionUiEvent
  | CoreEvent
  | { type: 'TICK' }
  | { type: 'NEW_SESSION'; sessionId: string }
  | { type: 'EFFECT'; effect: Effect }
) & { at: number };

/** What the session tells the core: effects to run and usage facts to record. */
export type SessionEmitted =
  | { type: 'effect'; effect: Effect; sessionId: string | null }
  | {
      type: 'usage';
      sessionId: string | null;
      usage: Record<string, string | number | boolean | null>;
    };

const USER_EVENTS = new Set([
  'START',
  'CHOOSE',
  'EXTEND',
  'SET_LANGUAGE',
  'SET_ACCESSIBILITY',
  'ANSWER',
  'FINISH',
  'KEY',
  'DELETE',
  'CLEAR',
  'SUBMIT',
  'BACK',
  'CANCEL',
  'TOGGLE_ITEM',
  'TAKE_ALL',
  'CONFIRM',
  'CONFIRM_PIN_LETTER',
]);
const FLOW_EVENTS = [
  'KEY',
  'DELETE',
  'CLEAR',
  'SUBMIT',
  'BACK',
  'CANCEL',
  'TOGGLE_ITEM',
  'TAKE_ALL',
  'CONFIRM',
  'CONFIRM_PIN_LETTER',
  'CODE_OK',
  'CODE_WRONG',
  'SECOND_FACTOR_OK',
  'SECOND_FACTOR_WRONG',
  'DOOR_OPENED',
  'DOOR_FAILED',
  'DOOR_CLOSED',
] as const;

const initialContext = (timers: SessionTimers): SessionContext => ({
  sessionId: null,
  language: 'de',
  accessibility: { largeText: false, highContrast: false, speech: false },
  timers,
  startedAt: null,
  lastActivityAt: 0,
  warning: false,
  extensions: 0,
  service: null,
  doorBusy: false,
  result: null,
  survey: { satisfaction: null, alternative: null },
});

const idle = (context: SessionContext, at: number) => at - context.lastActivityAt;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
    input: {} as { timers?: Partial<SessionTimers> },
  },
  actors: { documentPickup: documentPickupMachine },
  actions: {
    touch: assign({
      lastActivityAt: ({ event }) => event.at,
      warning: false,
    }),
    usage: emit(({ context }, usage: Record<string, string | number | boolean | null>) => ({
      type: 'usage' as const,
      sessionId: context.sessionId,
      usage,
    })),
    forwardEffect: emit(({ context, event }) => ({
      type: 'effect' as const,
      sessionId: context.sessionId,
      effect: (event as { effect: Effect }).effect,
    })),
    /** The usage record of a finished visit: what, how far, how it ended; nobody's data. */
    recordEnd: emit(({ context }, params: { outcome: string | null }) => ({
      type: 'usage' as const,
      sessionId: context.sessionId,
      usage: {
        type: 'session-ended',
        service: context.service,
        outcome: params.outcome ?? context.result?.outcome ?? null,
        reason: context.result?.reason ?? null,
        steps: context.result?.stepsReached.join(',') ?? null,
        satisfaction: context.survey.satisfaction,
        alternative: context.survey.alternative,
        language: context.language,
        largeText: context.accessibility.largeText,
        highContrast: context.accessibility.highContrast,
        speech: context.accessibility.speech,
        extensions: context.extensions,
      },
    })),
    // Everything entered or chosen goes; language and accessibility return to defaults.
    reset: assign(({ context }) => initialContext(context.timers)),
  },
  guards: {
    warningDue: ({ context, event }) =>
      idle(context, event.at) >= context.timers.inactivityMs - context.timers.warningMs,
    timedOut: ({ context, event }) => idle(context, event.at) >= context.timers.inactivityMs,
    canExtend: ({ context }) =>
      context.warning && context.extensions < context.timers.maxExtensions,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => initialContext({ ...DEFAULT_TIMERS, ...input.timers }),
  initial: 'attract',
  on: {
    SET_LANGUAGE: {
      guard: ({ event }) => (LANGUAGES as readonly string[]).includes(event.language),
      actions: ['touch', assign({ language: ({ event }) => event.language })],
    },
    SET_ACCESSIBILITY: {
      actions: [
        'touch',
        assign({
          accessibility: ({ context, event }) => ({ ...context.accessibility, ...event.settings }),
        }),
      ],
    },
    EFFECT: {
      actions: [
        'forwardEffect',
        assign({
          doorBusy: ({ context, event }) => context.doorBusy || event.effect.kind === 'open-door',
        }),
      ],
    },
  },
  states: {
    attract: {
      entry: 'reset',
      on: {
        START: {
          target: 'menu',
          actions: assign({
            startedAt: ({ event }) => event.at,
            lastActivityAt: ({ event }) => event.at,
          }),
        },
        NEW_SESSION: { actions: assign({ sessionId: ({ event }) => event.sessionId }) },
      },
    },
    menu: {
      entry: { type: 'usage', params: { type: 'session-started' } },
      on: {
        CHOOSE: {
          guard: ({ event }) => SERVICES.includes(event.service),
          target: 'flow',
          actions: ['touch', assign({ service: ({ event }) => event.service })],
        },
        CANCEL: {
          target: 'attract',
          actions: { type: 'recordEnd', params: { outcome: 'abandoned' } },
        },
        EXTEND: {
          guard: 'canExtend',
          actions: ['touch', assign({ extensions: ({ context }) => context.extensions + 1 })],
        },
        TICK: [
          {
            guard: 'timedOut',
            target: 'attract',
            actions: { type: 'recordEnd', params: { outcome: 'timed-out' } },
          },
          { guard: 'warningDue', actions: assign({ warning: true }) },
        ],
        START: { actions: 'touch' },
      },
    },
    flow: {
      invoke: {
        id: 'flow',
        src: 'documentPickup',
        onDone: {
          target: 'survey',
          actions: assign({ result: ({ event }) => event.output }),
        },
      },
      on: {
        DOOR_CLOSED: {
          actions: [assign({ doorBusy: false }), sendTo('flow', ({ event }) => event)],
        },
        DOOR_FAILED: {
          actions: [assign({ doorBusy: false }), sendTo('flow', ({ event }) => event)],
        },
        ...Object.fromEntries(
          FLOW_EVENTS.filter((type) => type !== 'DOOR_CLOSED' && type !== 'DOOR_FAILED').map(
            (type) => [
              type,
              {
                actions: [
                  ...(USER_EVENTS.has(type) ? ['touch' as const] : []),
                  sendTo('flow', ({ event }) => event),
                ],
              },
            ],
          ),
        ),
        EXTEND: {
          guard: 'canExtend',
          actions: ['touch', assign({ extensions: ({ context }) => context.extensions + 1 })],
        },
        TICK: [
          {
            // Never end a session while its door is open or being opened.
            guard: ({ context, event }) =>
              !context.doorBusy && idle(context, event.at) >= context.timers.inactivityMs,
            target: 'attract',
            actions: { type: 'recordEnd', params: { outcome: 'timed-out' } },
          },
          { guard: 'warningDue', actions: assign({ warning: true }) },
        ],
      },
    },
    survey: {
      entry: assign({ warning: false }),
      on: {
        ANSWER: {
          actions: [
            'touch',
            assign({
              survey: ({ context, event }) => ({
                ...context.survey,
                [event.question]: event.value,
              }),
            }),
          ],
        },
        FINISH: 'attract',
        TICK: {
          guard: ({ context, event }) => idle(context, event.at) >= context.timers.returnHomeMs,
          target: 'attract',
        },
      },
      exit: { type: 'recordEnd', params: { outcome: null } },
    },
  },
});
