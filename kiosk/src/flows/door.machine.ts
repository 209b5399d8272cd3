import {
  type AnyActorRef,
  type EventObject,
  enqueueActions,
  type MachineContext,
  sendParent,
  setup,
} from 'xstate';
import type { DoorPurpose } from '../store/types.ts';

/**
 * The one door sequence every flow runs, as a child machine the flow invokes (or spawns,
 * one per compartment, where several doors open together):
 *
 *   opening ──DOOR_OPENED──► takeAndClose ──DOOR_CLOSED──► closed
 *      │                          (left open: the door service's alarm and alert)
 *      └──DOOR_FAILED (jammed, timeout, board silent, uncertain …)──► failed
 *
 * Entering `opening` asks the core for the unlock (an `open-door` effect, sent to the flow,
 * which hands it on to the session); the door service's news (`DOOR_*`, forwarded by the
 * flow) move it on. It tells its flow `door.open`, then `door.closed` or `door.failed`.
 * A child machine persists with the session's snapshot, so a restored door simply waits
 * and the core tells it what became of its door (`resyncSession`); nothing re-runs.
 */
export const DOOR_ACTOR = 'door';

/** What a flow asks its door to do: the `open-door` effect's fields. */
export interface DoorRequest {
  purpose: DoorPurpose;
  compartment: string;
  itemIds: string[];
  staffId?: string | null;
  reason?: string | null;
}

/** Door news from the door service (stamped with `at` by the core). */
export type DoorNews = (
  | { type: 'DOOR_OPENED'; compartment: string }
  | { type: 'DOOR_FAILED'; compartment: string; reason: string }
  | { type: 'DOOR_CLOSED'; compartment: string }
) & { at?: number };

/** What a door tells its flow, at the time of the door news (as if the core had stamped it). */
export type DoorReport = (
  | { type: 'door.open'; compartment: string }
  | { type: 'door.closed'; compartment: string }
  | { type: 'door.failed'; compartment: string; reason: string }
) & { at?: number };

/** The effect a door asks for (every flow's `open-door`). */
export type DoorEffect = { kind: 'open-door' } & DoorRequest;

interface DoorContext {
  request: DoorRequest;
}

export const doorMachine = setup({
  types: {
    context: {} as DoorContext,
    events: {} as DoorNews,
    input: {} as DoorRequest,
  },
  actions: {
    requestUnlock: sendParent(({ context }) => ({
      type: 'EFFECT',
      effect: { kind: 'open-door', ...context.request } satisfies DoorEffect,
    })),
    report: sendParent(({ context, event }, type: DoorReport['type']): DoorReport => {
      const news = { compartment: context.request.compartment, at: event.at };
      return event.type === 'DOOR_FAILED'
        ? { type: 'door.failed', ...news, reason: event.reason }
        : { type: type === 'door.open' ? type : 'door.closed', ...news };
    }),
  },
  guards: {
    thisDoor: ({ context, event }) => event.compartment === context.request.compartment,
  },
}).createMachine({
  id: 'door',
  context: ({ input }) => ({ request: input }),
  initial: 'opening',
  states: {
    opening: {
      entry: 'requestUnlock',
      on: {
        DOOR_OPENED: {
          guard: 'thisDoor',
          target: 'takeAndClose',
          actions: { type: 'report', params: 'door.open' },
        },
        DOOR_FAILED: {
          guard: 'thisDoor',
          target: 'failed',
          actions: { type: 'report', params: 'door.failed' },
        },
      },
    },
    takeAndClose: {
      on: {
        DOOR_CLOSED: {
          guard: 'thisDoor',
          target: 'closed',
          actions: { type: 'report', params: 'door.closed' },
        },
      },
    },
    closed: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The id of the door child of a compartment where several doors open together. */
export const doorId = (compartment: string) => `${DOOR_ACTOR}-${compartment}`;

/** The door child that takes the news of a compartment: the flow's one door, or its own. */
const doorOf = (self: AnyActorRef, event: EventObject): string | undefined => {
  const children = (self.getSnapshot() as { children: Record<string, unknown> }).children;
  const own = doorId((event as { compartment?: string }).compartment ?? '');
  return [DOOR_ACTOR, own].find((id) => children[id] !== undefined);
};

/**
 * What a flow needs to run doors, besides the door actor in its `setup`: the actions that
 * hand the door's effect on to the session and the door news on to the door (news of a
 * door already settled are dropped).
 */
export function doorParts<Context extends MachineContext, Event extends EventObject>() {
  return {
    actions: {
      /** The door's `open-door` effect goes on to the session (and so to the core). */
      forwardEffect: sendParent<Context, Event, undefined, Event, Event>(({ event }) => event),
      forwardToDoor: enqueueActions<Context, Event, undefined, Event, never, never, never>(
        ({ self, event, enqueue }) => {
          const door = doorOf(self, event);
          if (door) enqueue.sendTo(door, event);
        },
      ),
    },
  };
}

/** What a door child sends its flow: its effect for the session, and its reports. */
export type DoorChildEvent = DoorReport | { type: 'EFFECT'; effect: DoorEffect };

/** Door news on to the door, the door's effect on to the session. */
const toDoor = { actions: 'forwardToDoor' as const };
export const DOOR_PLUMBING = {
  EFFECT: { actions: 'forwardEffect' as const },
  DOOR_OPENED: toDoor,
  DOOR_FAILED: toDoor,
  DOOR_CLOSED: toDoor,
};

/**
 * The flow's state that runs one door: it invokes the door with `request` (the input, read
 * when the state is entered) and shows `opening`, then `takeAndClose` (the screens' state
 * names) until the door reports `door.closed` or `door.failed`, the transitions given. Once
 * the unlock is asked for, CANCEL does nothing: the door's outcome decides, and leaving an
 * open door would leave it unattended.
 */
export const doorState = <
  Request,
  const Opened,
  const Closed,
  const Failed,
  const Also extends object = object,
>(parts: {
  request: Request;
  /** Actions when the door is seen open (e.g. to note the time, or a step reached). */
  opened: Opened;
  closed: Closed;
  failed: Failed;
  /** What else the flow takes while its door is under way. */
  also?: Also;
}) => ({
  invoke: { id: DOOR_ACTOR, src: DOOR_ACTOR, input: parts.request } as const,
  initial: 'opening' as const,
  on: {
    ...DOOR_PLUMBING,
    CANCEL: {},
    'door.closed': parts.closed,
    'door.failed': parts.failed,
    ...(parts.also as Also),
  },
  states: {
    opening: { on: { 'door.open': { target: 'takeAndClose' as const, actions: parts.opened } } },
    takeAndClose: {},
  },
});
