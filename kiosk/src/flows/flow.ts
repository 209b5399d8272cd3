import type { Logger } from '@amtomat/basics';
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { OpenRequest } from '../doors/door-service.ts';
import type { Store } from '../store/store.ts';

/**
 * A service flow plugs into the session through one definition: its machine, how its
 * states look on screen, which UI events each screen accepts, and the effects it asks the
 * core to run. The session, the view projection and the core know flows only through this.
 */
export interface FlowDefinition {
  /** Menu id, also the usage events' `service`. */
  service: string;
  machine: AnyStateMachine;
  /** Shown in the citizen menu (staff flows start from a card instead). */
  inMenu: boolean;
  /** A session event that starts this flow from the attract or menu screen (e.g. `CARD`). */
  startsOn?: string;
  /** Screen name for each top-level state of the machine. */
  screens: Record<string, string>;
  /** Props of the current screen. Must never include anything secret. */
  props(state: string, context: unknown): Record<string, unknown>;
  /** UI events each screen accepts, besides language, accessibility and EXTEND. */
  allowedEvents: Record<string, readonly string[]>;
  /** Schemas of this flow's UI events. */
  uiEvents: readonly z.ZodType<{ type: string }>[];
  /** Effects the flow may ask for, by `kind`. */
  effects: Record<string, EffectHandler>;
  /**
   * The session timer that ends this flow after inactivity (default `inactivityMs`); staff
   * flows use `staffTimeoutMs`, so the citizen timer does not cut a staff member off.
   */
  inactivityTimer?: 'inactivityMs' | 'staffTimeoutMs';
  /** Whether the citizen survey follows the flow (default true; staff are not asked). */
  survey?: boolean;
}

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

export interface FlowEffect {
  kind: string;
  [field: string]: unknown;
}

/** Answers go back to the flow as events; the core stamps their time. */
export type FlowAnswer = { type: string; [field: string]: unknown };

export interface EffectContext {
  store: Store;
  now(): number;
  sessionId: string | null;
  logger: Logger;
  answer(event: FlowAnswer): void;
  /** Opens a door through the intent protocol; its news arrive as DOOR_* events. */
  openDoor(request: Omit<OpenRequest, 'sessionId'>): Promise<void>;
  /** The terminal-wide brute-force lock for codes and second factors. */
  codeLock: { lockedUntil(): number | null; recordFailure(): number | null };
}

export type EffectHandler = (effect: FlowEffect, context: EffectContext) => void | Promise<void>;

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
