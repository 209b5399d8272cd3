import type { SmsCodeClient } from '@amtomat/admin-sync/agent';
import type { Logger, Result } from '@amtomat/basics';
import {
  type AnyStateMachine,
  assign,
  type ContextFrom,
  type EventFromLogic,
  type EventObject,
  type StateValue,
} from 'xstate';
import type { z } from 'zod';
import type { OpenRequest } from '../doors/door-service.ts';
import type { PrintFaultShown, ReceiptContent } from '../receipts/types.ts';
import type { Store } from '../store/store.ts';
import { codeEntry, type EntryContext } from './code-entry.ts';
import { DOOR_ACTOR, doorMachine, doorParts } from './door.machine.ts';

/**
 * The answers a flow takes from its effect handlers: the machine's events named `CODE_…`,
 * `SECOND_FACTOR_…` or `ANSWER_…` (door news, `DOOR_…`, come from the door service).
 */
export type AnswerOf<M extends AnyStateMachine> = Extract<
  EventFromLogic<M>,
  { type: `${'CODE' | 'SECOND_FACTOR' | 'ANSWER'}_${string}` }
>;

/** What the input devices read (not UI events: the page cannot send them). */
export type DeviceEvent =
  | { type: 'CARD'; uid: string }
  | { type: 'SCAN'; text: string; symbology?: string };

/** A UI event schema: an object with a literal `type`. */
export type UiEventSchema = z.ZodType<{ type: string }>;

/** The type names of the events a list of schemas accepts. */
export type UiEventTypeOf<Schemas extends readonly UiEventSchema[]> = z.infer<
  Schemas[number]
>['type'];

/** Who a service flow is for (`FlowDefinition.audience`). */
export type Audience = 'citizen' | 'courier' | 'staff';

/** Whether the start screen offers the flow (citizens' and couriers' services). */
export const onStartScreen = (flow: { audience: Audience }) => flow.audience !== 'staff';

/**
 * A service flow plugs into the session through one definition: its machine, how its
 * states look on screen, which UI events each screen accepts, and the effects it asks the
 * core to run. The session, the view projection and the core know flows only through this.
 * Written with `defineFlow`, which keeps every type (screens, props, events, effects and
 * answers) for the contract (`kiosk/src/contract`) and checks them against each other.
 */
export interface FlowDefinition<
  Service extends string,
  Machine extends AnyStateMachine,
  Screen extends string,
  Props extends object,
  Schemas extends readonly UiEventSchema[],
  Effect extends FlowEffect,
> {
  /** Menu id, also the usage events' `service`. */
  service: Service;
  machine: Machine;
  /**
   * Whom the flow serves. The start screen offers citizens' services as its tiles and
   * couriers' apart, smaller (citizens should not take them for theirs); staff flows start
   * from a card instead.
   */
  audience: Audience;
  /** A session event that starts this flow from the start screen (e.g. `CARD`). */
  startsOn?: string;
  /**
   * Screen name for each top-level state of the machine; the screens
   * themselves are the keys of `allowedEvents`.
   */
  screens: Partial<Record<string, NoInfer<Screen>>>;
  /** Props of the current screen (given its top-level state). Must never include anything secret. */
  props(state: string, context: ContextFrom<Machine>): Props;
  /** Every screen of the flow, with the UI events it accepts besides language, accessibility and EXTEND. */
  allowedEvents: { [S in Screen]: readonly NoInfer<UiEventTypeOf<Schemas>>[] };
  /** Schemas of this flow's UI events. */
  uiEvents: Schemas;
  /** A handler for every effect kind the flow asks for, and no other. */
  effects: EffectHandlers<Effect, AnswerOf<Machine>>;
  /**
   * The session timer that ends this flow after inactivity (default `inactivityMs`); staff
   * flows use `staffTimeoutMs`, so the citizen timer does not cut a staff member off.
   */
  inactivityTimer?: 'inactivityMs' | 'staffTimeoutMs';
  /** Whether the citizen survey follows the flow (default true; staff are not asked). */
  survey?: boolean;
  /**
   * Work under way when the session cuts the flow off (timed out, interrupted), as a usage
   * fact to record then, ending at the last activity; undefined when there is none.
   */
  workCutShort?: (context: ContextFrom<Machine>, lastActivityAt: number) => CutWork | undefined;
}

/** A usage fact the session records for a flow it cut off (`FlowDefinition.workCutShort`). */
export interface CutWork {
  sessionId: string;
  usage: { type: string; service: string } & Record<string, string | number | boolean | null>;
}

/**
 * A flow as the session, the view projection and the core handle all of them alike. Every
 * `defineFlow` result is one; its handlers take only their own effects (`never` here), so
 * the core calls them through `runEffectHandler`, which the session's pairing of an effect
 * with the flow that asked for it makes safe.
 */
export interface AnyFlow {
  service: string;
  machine: AnyStateMachine;
  audience: Audience;
  startsOn?: string;
  screens: Partial<Record<string, string>>;
  props(state: string, context: unknown): object;
  allowedEvents: Record<string, readonly string[]>;
  uiEvents: readonly UiEventSchema[];
  effects: Record<string, (effect: never, context: EffectContext) => void | Promise<void>>;
  inactivityTimer?: 'inactivityMs' | 'staffTimeoutMs';
  survey?: boolean;
  workCutShort?: (context: never, lastActivityAt: number) => CutWork | undefined;
}

/**
 * Defines a flow. The effect union is named (`defineFlow<StaffEffect>()({...})`): the
 * machine builds its effects against the same union (`satisfies StaffEffect`), so a kind
 * misspelt in the machine or among the handlers does not type-check. Everything else is
 * inferred: screens from `allowedEvents`, props from `props()`, UI events from their schemas,
 * answers from the machine's events.
 */
export function defineFlow<Effect extends FlowEffect>() {
  return <
    const Service extends string,
    Machine extends AnyStateMachine,
    const Screen extends string,
    Props extends object,
    const Schemas extends readonly UiEventSchema[],
  >(
    flow: FlowDefinition<Service, Machine, Screen, Props, Schemas, Effect>,
  ) => flow;
}

/**
 * The state a flow shows: the innermost state of its current branch (`door.takeAndClose`
 * shows as `takeAndClose`, `loading.scan` as `scan`). Leaf names are unique within a flow.
 */
export function leafState(value: StateValue): string {
  let current = value;
  for (;;) {
    if (typeof current === 'string') return current;
    const [key, inner] = Object.entries(current)[0] ?? ['', ''];
    if (inner === undefined || (typeof inner === 'object' && Object.keys(inner).length === 0)) {
      return key;
    }
    current = inner;
  }
}

/** The screen of a top-level state, from a flow's `screens` table (`as const`). */
export const screenOf = <Screen extends string>(
  screens: Partial<Record<string, Screen>>,
  state: string,
): Screen | undefined => screens[state];

/**
 * "Step N of M": where a screen stands among the steps a citizen sees (`steps`, screen
 * names in order); null on a screen that is none of them.
 */
export const stepOf = (
  steps: readonly string[],
  screen: string | undefined,
): { index: number; count: number } | null => {
  const index = screen === undefined ? -1 : steps.indexOf(screen);
  return index >= 0 ? { index: index + 1, count: steps.length } : null;
};

/** A flow's handler for an effect that flow asked for (see `AnyFlow`); undefined: none. */
export const effectHandler = (flow: AnyFlow, kind: string) =>
  flow.effects[kind] as EffectHandler | undefined;

/** What every flow machine reports when it ends. */
export interface FlowOutput {
  outcome: 'completed' | 'abandoned' | 'failed';
  reason: string | null;
  stepsReached: string[];
  /** Compartments a completed pickup opened: the citizen may open them again for a while. */
  reopenable?: string[];
  /** A courier's card at the start screen: the courier deposit goes on, the courier logged in. */
  handover?: CourierHandover;
}

export interface CourierHandover {
  service: 'courier-deposit';
  courierId: string;
}

/** What a flow asks the core to do; each flow names its own union of these. */
export type FlowEffect = {
  kind: string;
  [field: string]: unknown;
};

/** Answers go back to the flow as events; the core stamps their time. */
export type FlowAnswer = { type: string; [field: string]: unknown };

export interface EffectContext<Answer = FlowAnswer> {
  store: Store;
  now(): number;
  sessionId: string | null;
  logger: Logger;
  /** A property, not a method: a handler may answer only what its flow takes. */
  answer: (event: Answer) => void;
  /** Opens a door through the intent protocol; its news arrive as DOOR_* events. */
  openDoor(request: Omit<OpenRequest, 'sessionId'>): Promise<void>;
  /** The terminal-wide brute-force lock for codes and second factors. */
  codeLock: { lockedUntil(): number | null; recordFailure(): number | null };
  /** The fleet's SMS codes, while the terminal is enrolled and online; else null. */
  smsCodes?: () => SmsCodeClient | null;
  /** The session's language (what the citizen reads), e.g. for an SMS. */
  language?: string;
  /**
   * Prints a receipt in the session's language on the site's printer; absent where the
   * site has none. Changes nothing in the store.
   */
  printReceipt?: (receipt: ReceiptContent) => Promise<Result<void, PrintFaultShown>>;
}

export type EffectHandler<Effect extends FlowEffect = FlowEffect, Answer = FlowAnswer> = (
  effect: Effect,
  context: EffectContext<Answer>,
) => void | Promise<void>;

/** A flow's handler of its effect `Kind`, answering only what its machine takes. */
export type HandlerOf<
  Effect extends FlowEffect,
  Machine extends AnyStateMachine,
  Kind extends Effect['kind'],
> = EffectHandler<Extract<Effect, { kind: Kind }>, AnswerOf<Machine>>;

/** One handler per effect kind, each typed with its own effect. */
export type EffectHandlers<Effect extends FlowEffect, Answer> = {
  [Kind in Effect['kind']]: EffectHandler<Extract<Effect, { kind: Kind }>, Answer>;
};

/**
 * The message that asks the session (and so the core) for an effect, typed by the flow's
 * effect union: `const ask = askCore<PickupEffect>()`, then `sendParent(({ context }) =>
 * ask({ kind: 'verify-code', code: context.entry }))`; a misspelt kind does not type-check.
 */
export const askCore =
  <Effect extends FlowEffect>() =>
  (effect: Effect) => ({ type: 'EFFECT' as const, effect });

/**
 * How a flow that ends in `done` ended: failed (with the reason) once a failure is noted,
 * completed once `done` was reached, else abandoned.
 */
export const endedAs = (context: {
  failure: string | null;
  stepsReached: string[];
}): FlowOutput => ({
  outcome: context.failure
    ? 'failed'
    : context.stepsReached.includes('done')
      ? 'completed'
      : 'abandoned',
  reason: context.failure,
  stepsReached: context.stepsReached,
});

/** The steps reached, with `step` added once (for the usage record). */
export const withStep = (steps: string[], step: string) =>
  steps.includes(step) ? steps : [...steps, step];

/** The action `{type: 'reached', params: step}` of every flow. */
export const reachedStep = <
  Context extends { stepsReached: string[] },
  Event extends EventObject,
>() =>
  assign<Context, Event, string, Event, never>(
    ({ context }, step) =>
      ({ stepsReached: withStep(context.stepsReached, step) }) as Partial<Context>,
  );

/**
 * What every flow machine's `setup` starts from: its types, the door actor and the actions
 * that run its doors (`door.machine.ts`), the code-entry actions and guards (`code-entry.ts`)
 * and the `reached` step. `const parts = flowParts<Context, Event, Output>()`, then
 * `types: parts.types, actors: parts.actors`, `actions: { ...parts.actions, … }`,
 * `guards: { ...parts.guards, … }`.
 */
export function flowParts<
  Context extends EntryContext & { stepsReached: string[] },
  Event extends EventObject,
  Output,
>() {
  const entry = codeEntry<Context, Event>();
  const door = doorParts<Context, Event>();
  return {
    types: { context: {} as Context, events: {} as Event, output: {} as Output },
    actors: { [DOOR_ACTOR]: doorMachine },
    actions: { ...entry.actions, ...door.actions, reached: reachedStep<Context, Event>() },
    guards: entry.guards,
  };
}

/** Context keys that hold what a person typed or presented; blanked before persisting. */
export const SECRET_CONTEXT_KEYS: ReadonlySet<string> = new Set(['entry', 'secrets']);

/**
 * Answers of the core and door news are named `CODE_…`, `SECOND_FACTOR_…`, `ANSWER_…` and
 * `DOOR_…`: no person acted, so they do not count as activity (the session's timers).
 */
export const isCoreAnswer = (type: string): boolean =>
  /^(CODE|SECOND_FACTOR|ANSWER|DOOR)_[A-Z_]+$/.test(type);

/**
 * Tag of flow states that wait for an answer of the core (a code check, a compartment).
 * After a restart the answer is gone with the process, and the session ends as interrupted.
 */
export const AWAITING_ANSWER = 'awaiting-answer';

/**
 * Tag of flow states where the person's job is done and only a last screen remains (a
 * receipt): walking away from it is a completed visit, not a timed-out one.
 */
export const JOB_DONE = 'job-done';
