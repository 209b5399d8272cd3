/**
 * What the fleet server does with each event type a terminal pushes. A handler validates the
 * payload and records its effect through the ApplyContext (inside the transaction that
 * records the event). Anything it cannot handle it throws, and the event is parked: an
 * unknown type (a newer terminal), a payload that fails its schema, an item of another
 * terminal. Reasons name fields and rules, never values (no personal data in them).
 */
import {
  type EventPayload,
  type EventType,
  eventPayloadSchemas,
  type FleetItemStatus,
  isKnownEventType,
  type JsonValue,
  REPORTED_STATUS,
  type SyncEvent,
} from '../protocol/index.ts';
import { isNoticeLanguage } from './announce.ts';
import { applicationHandlers } from './applications/handler.ts';
import { recordItemStage, usageHandlers } from './evaluation/record.ts';
import type { ApplyContext, EventApplier, NoticeKind } from './storage/storage.ts';

export type EventHandler = (event: SyncEvent, context: ApplyContext) => Promise<JsonValue>;

function payloadOf<T extends EventType>(type: T, event: SyncEvent): EventPayload<T> {
  const parsed = eventPayloadSchemas[type].safeParse(event.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
    throw new Error(`payload of ${type} invalid (${issues.join('; ')})`);
  }
  return parsed.data as EventPayload<T>;
}

/** What an applied status change means for the citizen's notices. */
const NOTICE_ON_STATUS: Readonly<Partial<Record<FleetItemStatus, NoticeKind>>> = {
  loaded: 'ready',
  expired: 'expired',
};
/** After these the item is finished: contact data and code are deleted. */
const FINISHED_STATUSES: ReadonlySet<FleetItemStatus> = new Set([
  'picked_up',
  'retrieved',
  'withdrawn',
]);

type StatusEvent = keyof typeof REPORTED_STATUS;

const itemStatusHandler =
  (type: StatusEvent): EventHandler =>
  async (event, context) => {
    const payload = payloadOf(type, event);
    const reported = REPORTED_STATUS[type];
    const result = await context.setItemStatus({
      itemId: payload.itemId,
      reference: payload.reference,
      kind: 'kind' in payload ? payload.kind : null,
      reported,
      compartment: payload.compartment,
      expiresAt: 'expiresAt' in payload ? payload.expiresAt : null,
    });
    await recordItemStage(context, type, payload);
    if (result.outcome !== 'applied') {
      return { itemId: payload.itemId, status: reported, outcome: result.outcome };
    }
    // A load crossing a cancellation becomes `withdrawn`: no ready notice for it.
    const notice = NOTICE_ON_STATUS[result.status];
    if (notice) await context.queueNotice(payload.itemId, notice);
    if (FINISHED_STATUSES.has(result.status)) await context.forgetContact(payload.itemId);
    return { itemId: payload.itemId, status: result.status, outcome: 'applied' };
  };

export const defaultHandlers: Readonly<Record<string, EventHandler>> = {
  'item-ready': itemStatusHandler('item-ready'),
  'item-picked-up': itemStatusHandler('item-picked-up'),
  'item-dropped-off': itemStatusHandler('item-dropped-off'),
  'item-retrieved': itemStatusHandler('item-retrieved'),
  'item-expired': itemStatusHandler('item-expired'),
  'item-withdrawn': itemStatusHandler('item-withdrawn'),
  // The terminal could not apply a feed change: the console shows it as refused.
  'feed-change-refused': async (event, context) => {
    const payload = payloadOf('feed-change-refused', event);
    const known = await context.refuseFeedChange(payload.cursor, payload.code);
    return { cursor: payload.cursor, code: payload.code, known };
  },
  // The terminal says the holding period ends in two days: the citizen is reminded.
  'item-expiring': async (event, context) => {
    const payload = payloadOf('item-expiring', event);
    await context.queueNotice(payload.itemId, 'expiring');
    return { itemId: payload.itemId, notice: 'expiring' };
  },
  // The citizen used the terminal in another language: later notices go out in it. A
  // language the notices do not have keeps the one chosen at the counter.
  'item-language': async (event, context) => {
    const payload = payloadOf('item-language', event);
    const applied =
      isNoticeLanguage(payload.language) &&
      (await context.setNoticeLanguage(payload.itemId, payload.language));
    return { itemId: payload.itemId, language: payload.language, applied };
  },
  ...usageHandlers,
  ...applicationHandlers,
  'compartment-state': async (event, context) => {
    const payload = payloadOf('compartment-state', event);
    const outcome = await context.setCompartmentState({
      label: payload.compartment,
      defective: payload.defective,
      reason: payload.reason,
    });
    return { compartment: payload.compartment, defective: payload.defective, outcome };
  },
};

/** The applier for a set of handlers; an event type without a handler is parked. */
export function eventApplier(
  handlers: Readonly<Record<string, EventHandler>> = defaultHandlers,
): EventApplier {
  return async (event, context) => {
    const handler = Object.hasOwn(handlers, event.type) ? handlers[event.type] : undefined;
    if (!handler) {
      throw new Error(
        isKnownEventType(event.type)
          ? `no handler for ${event.type}`
          : `unknown event type ${event.type}`,
      );
    }
    return handler(event, context);
  };
}
