/**
 * The flows as the contract sees them: every type is read off the registry's definitions
 * (`defineFlow` keeps them), so a flow changes its screens, props, events or effects in one
 * place. Type imports only.
 */
import type { AnswerOf as MachineAnswers } from '../flows/flow.ts';
import type { FLOW_DEFINITIONS } from '../flows/registry.ts';

/** Every flow definition of the registry, each with its own types. */
export type Flow = (typeof FLOW_DEFINITIONS)[number];
/** A flow's id (menu entry, usage records). */
export type Service = Flow['service'];
/** The flow of a service. */
export type FlowOf<S extends Service> = Extract<Flow, { service: S }>;

/** The effects a flow asks the core for: one union per flow, from its handlers. */
export type EffectOf<S extends Service> = {
  [K in keyof FlowOf<S>['effects']]: FlowOf<S>['effects'][K] extends (
    effect: infer E,
    ...rest: never[]
  ) => unknown
    ? E
    : never;
}[keyof FlowOf<S>['effects']];
/** The answers a flow's effect handlers may give: read off the flow machine's events. */
export type AnswerOf<S extends Service> = MachineAnswers<FlowOf<S>['machine']>;

/** Screens of one flow: the keys of its `allowedEvents`. */
type ScreensOf<F> = F extends Flow ? keyof F['allowedEvents'] & string : never;
/** Every screen a flow shows. */
export type FlowScreen = ScreensOf<Flow>;
/** The flow that shows a screen. */
export type FlowOfScreen<S extends FlowScreen> = Flow extends infer F
  ? F extends Flow
    ? S extends ScreensOf<F>
      ? F
      : never
    : never
  : never;

type AllKeys<U> = U extends unknown ? keyof U : never;
type ValueOf<U, K extends PropertyKey> = U extends unknown
  ? K extends keyof U
    ? U[K]
    : never
  : never;
/**
 * One object type for a `props()` that returns different shapes by screen (the courier's):
 * keys every shape has stay required, the others are optional.
 */
export type Merged<U> = {
  [K in keyof U]: ValueOf<U, K>;
} & { [K in Exclude<AllKeys<U>, keyof U>]?: ValueOf<U, K> };
type Simplify<T> = { [K in keyof T]: T[K] };

/** What a flow's `props()` gives its screen. */
export type FlowPropsOf<S extends FlowScreen> = Simplify<
  Merged<ReturnType<FlowOfScreen<S>['props']>>
>;
