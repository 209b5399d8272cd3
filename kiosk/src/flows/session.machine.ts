import {
  type AnyStateMachine,
  assign,
  type EventFromLogic,
  emit,
  enqueueActions,
  sendTo,
  setup,
} from 'xstate';
import type { DoorChildEvent } from './door.machine.ts';
import {
  type CourierHandover,
  type FlowEffect,
  type FlowOutput,
  isCoreAnswer,
  JOB_DONE,
  onStartScreen,
} from './flow.ts';

export type { FlowOutput };

import { type FLOW_DEFINITIONS, FLOWS } from './registry.ts';

const COURIER_SERVICE: CourierHandover['service'] = 'courier-deposit';

/**
 * One visit at the terminal: attract (which offers the services) → a service flow → a
 * two-question survey → attract. The session owns what every screen shares: language, accessibility
 * modes, the inactivity warning and its extensions. Flows plug in through the registry.
 * Time comes in on events (`at`), and deadlines are absolute times in context, so a
 * restored session needs no re-armed timers.
 */
/**
 * Raised whenever a persisted snapshot would not fit the machines (4: doors as child machines;
 * 5: the parcel pickup's doors as child machines, one per compartment; 6: no `menu` state).
 */
export const SESSION_MACHINE_VERSION = 6;

export const LANGUAGES = ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Accessibility {
  largeText: boolean;
  highContrast: boolean;
  speech: boolean;
}

/**
 * The person's speech settings for this session: volume and rate as steps from the
 * default, and how often the screen was asked to be read again (the narrator speaks on
 * each new count). Reset with the session.
 */
export interface SpeechSettings {
  volume: number;
  rate: number;
  repeat: number;
}
export const SPEECH_STEPS = 3;
export const DEFAULT_SPEECH: SpeechSettings = { volume: 0, rate: 0, repeat: 0 };
export type SpeechAction = 'repeat' | 'louder' | 'quieter' | 'faster' | 'slower';

export interface SessionTimers {
  /** No input for this long ends the session (after the warning). */
  inactivityMs: number;
  /** The warning shows this long before the end. */
  warningMs: number;
  /** The thank-you / survey screen returns home after this long. */
  returnHomeMs: number;
  maxExtensions: number;
  /** No input for this long ends a staff flow (flows with `inactivityTimer: 'staffTimeoutMs'`). */
  staffTimeoutMs: number;
  /** After a pickup's last door closes, the citizen may open it again for this long. */
  reopenGraceMs: number;
}

export const DEFAULT_TIMERS: SessionTimers = {
  inactivityMs: 90_000,
  warningMs: 20_000,
  returnHomeMs: 30_000,
  maxExtensions: 20,
  staffTimeoutMs: 120_000,
  reopenGraceMs: 60_000,
};

/**
 * How long the current screen waits for input: a flow may run on another session timer
 * (staff). Snapshots from before the staff timer existed fall back to its default.
 */
export function inactivityLimit(context: SessionContext): number {
  const timer = FLOWS.find((flow) => flow.service === context.service)?.inactivityTimer;
  if (timer === 'staffTimeoutMs')
    return context.timers.staffTimeoutMs ?? DEFAULT_TIMERS.staffTimeoutMs;
  return context.timers.inactivityMs;
}

export interface SessionContext {
  sessionId: string | null;
  language: Language;
  accessibility: Accessibility;
  /** Absent in a snapshot persisted before speech settings existed: read as the default. */
  speech?: SpeechSettings;
  /** The control the keypad focused last (speech names it), and the moves so far. */
  focus?: { control: string; moves: number } | null;
  timers: SessionTimers;
  startedAt: number | null;
  lastActivityAt: number;
  warning: boolean;
  extensions: number;
  service: string | null;
  /** Doors of this session being opened or standing open: the session may not end. */
  busyDoors: string[];
  /** When a door of this session last closed: the re-open grace counts from there. */
  lastDoorClosedAt: number | null;
  /** Times the citizen opened a pickup's doors again within the grace (for the evaluation). */
  reopened: number;
  result: FlowOutput | null;
  survey: { satisfaction: number | null; alternative: string | null; distanceBand: string | null };
}

/**
 * Events of the flows pass through the session to the running flow: the union of every flow
 * machine's events (what a door child tells its own flow stays inside that flow), so an event
 * type misspelt anywhere it is sent to the session does not type-check.
 */
export type FlowEvent = Exclude<
  EventFromLogic<(typeof FLOW_DEFINITIONS)[number]['machine']>,
  DoorChildEvent
>;

export type SessionEvent = (
  | { type: 'CHOOSE'; service: string }
  | { type: 'EXTEND' }
  | { type: 'SET_LANGUAGE'; language: Language }
  | { type: 'SET_ACCESSIBILITY'; settings: Partial<Accessibility> }
  | { type: 'SPEECH'; action: SpeechAction }
  | { type: 'FOCUS'; control: string }
  | {
      type: 'ANSWER';
      question: 'satisfaction' | 'alternative' | 'distanceBand';
      value: number | string | null;
    }
  | { type: 'FINISH' }
  | { type: 'TICK' }
  | { type: 'NEW_SESSION'; sessionId: string }
  | { type: 'EFFECT'; effect: FlowEffect }
  | { type: 'OPEN_AGAIN' }
  | { type: 'INTERRUPTED' }
  | FlowEvent
) & { at: number };

/** What the session tells the core: effects to run and usage facts to record. */
export type SessionEmitted =
  | { type: 'effect'; effect: FlowEffect; sessionId: string | null; service: string | null }
  | {
      type: 'usage';
      sessionId: string | null;
      usage: Record<string, string | number | boolean | null>;
    };

const initialContext = (timers: SessionTimers): SessionContext => ({
  sessionId: null,
  language: 'de',
  accessibility: { largeText: false, highContrast: false, speech: false },
  speech: DEFAULT_SPEECH,
  focus: null,
  timers,
  startedAt: null,
  lastActivityAt: 0,
  warning: false,
  extensions: 0,
  service: null,
  busyDoors: [],
  lastDoorClosedAt: null,
  reopened: 0,
  result: null,
  survey: { satisfaction: null, alternative: null, distanceBand: null },
});

/** One step louder, quieter, faster or slower (within ±SPEECH_STEPS), or one more repeat. */
function adjustSpeech(current: SpeechSettings | undefined, action: SpeechAction): SpeechSettings {
  const now = current ?? DEFAULT_SPEECH;
  const step = (value: number, by: number) =>
    Math.max(-SPEECH_STEPS, Math.min(SPEECH_STEPS, value + by));
  if (action === 'repeat') return { ...now, repeat: now.repeat + 1 };
  if (action === 'louder' || action === 'quieter')
    return { ...now, volume: step(now.volume, action === 'louder' ? 1 : -1) };
  return { ...now, rate: step(now.rate, action === 'faster' ? 1 : -1) };
}

const idle = (context: SessionContext, at: number) => at - context.lastActivityAt;
const withDoor = (doors: string[], door: unknown) =>
  typeof door === 'string' && !doors.includes(door) ? [...doors, door] : doors;

/** Until when a completed pickup's doors may be opened again (0: not at all). */
export function reopenGraceEnds(context: SessionContext): number {
  if (!context.result?.reopenable?.length || context.lastDoorClosedAt === null) return 0;
  return context.lastDoorClosedAt + context.timers.reopenGraceMs;
}
const field = <T>(event: { type: string }, name: string) =>
  (event as unknown as Record<string, T>)[name] as T;

/** The steps a running flow has reached (every flow's context keeps them). */
const stepsSoFar = (flowContext: unknown): Pick<FlowOutput, 'stepsReached'> | null =>
  typeof flowContext === 'object' &&
  flowContext !== null &&
  'stepsReached' in flowContext &&
  Array.isArray(flowContext.stepsReached)
    ? { stepsReached: flowContext.stepsReached.filter((step) => typeof step === 'string') }
    : null;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
    input: {} as { timers?: Partial<SessionTimers> },
  },
  actors: Object.fromEntries(FLOWS.map((flow) => [flow.service, flow.machine])) as Record<
    string,
    AnyStateMachine
  >,
  actions: {
    touch: assign({ lastActivityAt: ({ event }) => event.at, warning: false }),
    extend: assign({
      lastActivityAt: ({ event }) => event.at,
      warning: false,
      extensions: ({ context }) => context.extensions + 1,
    }),
    setLanguage: assign({ language: ({ event }) => field<Language>(event, 'language') }),
    setAccessibility: assign({
      accessibility: ({ context, event }) => ({
        ...context.accessibility,
        ...field<Partial<Accessibility>>(event, 'settings'),
      }),
    }),
    focus: assign({
      focus: ({ context, event }) => ({
        control: field<string>(event, 'control'),
        moves: (context.focus?.moves ?? 0) + 1,
      }),
    }),
    adjustSpeech: assign({
      speech: ({ context, event }) =>
        adjustSpeech(context.speech, field<SpeechAction>(event, 'action')),
    }),
    forwardEffect: emit(({ context, event }) => ({
      type: 'effect' as const,
      sessionId: context.sessionId,
      service: context.service,
      effect: field<FlowEffect>(event, 'effect'),
    })),
    markDoorBusy: assign({
      busyDoors: ({ context, event }) => {
        const effect = field<FlowEffect>(event, 'effect');
        return effect.kind === 'open-door'
          ? withDoor(context.busyDoors, effect.compartment)
          : context.busyDoors;
      },
    }),
    doorSettled: assign({
      busyDoors: ({ context, event }) =>
        context.busyDoors.filter((door) => door !== field<string>(event, 'compartment')),
      lastDoorClosedAt: ({ context, event }) =>
        event.type === 'DOOR_CLOSED' ? event.at : context.lastDoorClosedAt,
    }),
    /** Opens a completed pickup's compartments again: nothing changes but the audit. */
    reopenDoors: enqueueActions(({ context, enqueue }) => {
      for (const compartment of context.result?.reopenable ?? []) {
        const effect: FlowEffect = {
          kind: 'open-door',
          purpose: 'pickup',
          compartment,
          itemIds: [],
        };
        enqueue.emit({
          type: 'effect',
          sessionId: context.sessionId,
          service: context.service,
          effect,
        });
      }
      enqueue.assign({
        busyDoors: context.result?.reopenable ?? [],
        reopened: context.reopened + 1,
      });
    }),
    forwardToFlow: sendTo('flow', ({ event }) => event),
    startSession: assign({
      startedAt: ({ event }) => event.at,
      lastActivityAt: ({ event }) => event.at,
    }),
    sessionStarted: emit(({ context }) => ({
      type: 'usage' as const,
      sessionId: context.sessionId,
      usage: { type: 'session-started' },
    })),
    /** The flow's work under way when the session cuts it off (a staff retrieval round). */
    recordCutWork: enqueueActions(({ context, self, enqueue }) => {
      const flow = FLOWS.find((f) => f.service === context.service);
      const snapshot = self.getSnapshot().children.flow?.getSnapshot();
      if (!flow?.workCutShort || !snapshot) return;
      const cut = flow.workCutShort(snapshot.context as never, context.lastActivityAt);
      if (cut) enqueue.emit({ type: 'usage' as const, ...cut });
    }),
    /** The usage record of a finished visit: what, how far, how it ended; nobody's data. */
    recordEnd: emit(
      ({ context, event, self }, params: { outcome: string | null; reason?: string }) => {
        // A person who walks away from a receipt has done their job: completed, not timed out.
        const flow = self.getSnapshot().children.flow?.getSnapshot();
        const walkedAway = params.outcome === 'timed-out' && flow?.hasTag(JOB_DONE) === true;
        return {
          type: 'usage' as const,
          sessionId: context.sessionId,
          usage: {
            type: 'session-ended',
            service: context.service,
            outcome: walkedAway ? 'completed' : (params.outcome ?? context.result?.outcome ?? null),
            reason: walkedAway ? 'walked-away' : (params.reason ?? context.result?.reason ?? null),
            // Cut off inside a flow (timed out) there is no result yet: how far the flow got.
            steps: (context.result ?? stepsSoFar(flow?.context))?.stepsReached.join(',') ?? null,
            // A flow that ends without a survey ends on its own event, which has no time.
            durationMs:
              context.startedAt === null
                ? null
                : (typeof event.at === 'number' ? event.at : context.lastActivityAt) -
                  context.startedAt,
            satisfaction: context.survey.satisfaction,
            alternative: context.survey.alternative,
            // The trip's length counts only for a counter visit (the answer may have changed since).
            distanceBand: context.survey.alternative?.startsWith('counter-')
              ? context.survey.distanceBand
              : null,
            language: context.language,
            largeText: context.accessibility.largeText,
            highContrast: context.accessibility.highContrast,
            speech: context.accessibility.speech,
            extensions: context.extensions,
            reopened: context.reopened,
          },
        };
      },
    ),
    // Everything entered or chosen goes; language and accessibility return to defaults.
    reset: assign(({ context }) => initialContext(context.timers)),
  },
  guards: {
    validLanguage: ({ event }) =>
      (LANGUAGES as readonly string[]).includes(field<string>(event, 'language')),
    warningDue: ({ context, event }) =>
      idle(context, event.at) >= inactivityLimit(context) - context.timers.warningMs,
    timedOut: ({ context, event }) => idle(context, event.at) >= inactivityLimit(context),
    canExtend: ({ context }) =>
      context.warning && context.extensions < context.timers.maxExtensions,
    doorsIdle: ({ context }) => context.busyDoors.length === 0,
    canReopen: ({ context, event }) =>
      context.busyDoors.length === 0 && event.at < reopenGraceEnds(context),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => initialContext({ ...DEFAULT_TIMERS, ...input.timers }),
  initial: 'attract',
  on: {
    SET_LANGUAGE: { guard: 'validLanguage', actions: ['touch', 'setLanguage'] },
    SET_ACCESSIBILITY: { actions: ['touch', 'setAccessibility'] },
    SPEECH: { actions: ['touch', 'adjustSpeech'] },
    FOCUS: { actions: ['touch', 'focus'] },
  },
  states: {
    attract: {
      entry: 'reset',
      on: {
        // The start screen offers the services at once (one screen less to a pickup).
        CHOOSE: chooseService(['startSession', 'sessionStarted']),
        NEW_SESSION: {
          actions: assign({ sessionId: ({ event }) => field<string>(event, 'sessionId') }),
        },
        ...startEvents(),
      },
    },
    flow: {
      initial: FLOWS[0]!.service, // always entered through a concrete flow's target
      states: Object.fromEntries(
        FLOWS.map((flow) => [
          flow.service,
          {
            invoke: {
              id: 'flow',
              src: flow.service,
              input: ({ event }: { event: SessionEvent }) => ({ start: event }),
              onDone: [
                {
                  // A courier's card at the start screen: the same visit goes on as a deposit.
                  guard: ({ event }: { event: unknown }) =>
                    (event as { output: FlowOutput }).output.handover?.service === COURIER_SERVICE,
                  target: `#session.flow.${COURIER_SERVICE}`,
                  actions: assign({ service: COURIER_SERVICE }),
                },
                {
                  // Staff flows skip the citizen survey and go straight home.
                  target: flow.survey === false ? '#session.attract' : '#session.survey',
                  actions: [
                    assign({
                      result: ({ event }) => (event as unknown as { output: FlowOutput }).output,
                    }),
                    ...(flow.survey === false
                      ? [{ type: 'recordEnd' as const, params: { outcome: null } }]
                      : []),
                  ],
                },
              ],
            },
          },
        ]),
      ),
      on: {
        SET_LANGUAGE: { guard: 'validLanguage', actions: ['touch', 'setLanguage'] },
        SET_ACCESSIBILITY: { actions: ['touch', 'setAccessibility'] },
        // Declared again here: the '*' below would otherwise pass them to the flow.
        SPEECH: { actions: ['touch', 'adjustSpeech'] },
        FOCUS: { actions: ['touch', 'focus'] },
        EFFECT: { actions: ['forwardEffect', 'markDoorBusy'] },
        EXTEND: { guard: 'canExtend', actions: 'extend' },
        TICK: [
          {
            // Never end a session while its door is open or being opened.
            guard: ({ context, event }) =>
              context.busyDoors.length === 0 && idle(context, event.at) >= inactivityLimit(context),
            target: 'attract',
            actions: [{ type: 'recordEnd', params: { outcome: 'timed-out' } }, 'recordCutWork'],
          },
          { guard: 'warningDue', actions: assign({ warning: true }) },
          // Otherwise a tick must not fall through to '*': it is no one's activity.
          {},
        ],
        DOOR_CLOSED: { actions: ['doorSettled', 'forwardToFlow'] },
        DOOR_FAILED: { actions: ['doorSettled', 'forwardToFlow'] },
        // A restart while the flow waited for an answer that died with the process.
        INTERRUPTED: {
          guard: 'doorsIdle',
          target: 'attract',
          actions: [
            { type: 'recordEnd', params: { outcome: 'failed', reason: 'interrupted' } },
            'recordCutWork',
          ],
        },
        '*': [
          // Answers of the core and door news: no person acted, so no activity.
          { guard: ({ event }) => isCoreAnswer(event.type), actions: 'forwardToFlow' },
          // Everything else is a person's input for the flow.
          { actions: ['touch', 'forwardToFlow'] },
        ],
      },
    },
    survey: {
      // The door's close is the last thing the citizen did: home and grace count from it.
      entry: assign({
        warning: false,
        lastActivityAt: ({ context }) =>
          Math.max(context.lastActivityAt, context.lastDoorClosedAt ?? 0),
      }),
      on: {
        OPEN_AGAIN: { guard: 'canReopen', actions: ['touch', 'reopenDoors'] },
        DOOR_CLOSED: { actions: ['doorSettled', 'touch'] },
        DOOR_FAILED: { actions: 'doorSettled' },
        ANSWER: {
          actions: [
            'touch',
            assign({
              survey: ({ context, event }) => ({
                ...context.survey,
                [field<string>(event, 'question')]: field<string | number | null>(event, 'value'),
              }),
            }),
          ],
        },
        FINISH: { guard: 'doorsIdle', target: 'attract' },
        TICK: {
          guard: ({ context, event }) =>
            context.busyDoors.length === 0 &&
            idle(context, event.at) >= context.timers.returnHomeMs,
          target: 'attract',
        },
      },
      exit: { type: 'recordEnd', params: { outcome: null } },
    },
  },
});

/** CHOOSE a service on the start screen: into its flow. */
function chooseService(actions: ('startSession' | 'sessionStarted')[]) {
  return FLOWS.filter(onStartScreen).map((flow) => ({
    guard: ({ event }: { event: { type: string } }) =>
      field<string>(event, 'service') === flow.service,
    target: `#session.flow.${flow.service}`,
    actions: [
      ...actions,
      assign<SessionContext, SessionEvent, undefined, SessionEvent, never>({
        service: flow.service,
      }),
    ],
  }));
}

/** Transitions from attract straight into a flow that starts on an event (a card). */
function startEvents() {
  return Object.fromEntries(
    FLOWS.filter((flow) => flow.startsOn).map((flow) => [
      flow.startsOn!,
      {
        target: `#session.flow.${flow.service}`,
        actions: [
          assign({ service: flow.service }),
          assign({
            startedAt: ({ context, event }: { context: SessionContext; event: SessionEvent }) =>
              context.startedAt ?? event.at,
            lastActivityAt: ({ event }: { event: SessionEvent }) => event.at,
          }),
        ],
      },
    ]),
  );
}
