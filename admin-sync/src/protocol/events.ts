/**
 * Payloads of the events a terminal pushes (its outbox, kiosk/src/store). Each is
 * self-contained: it names the item or compartment it is about, because events can arrive
 * out of order after a failed delivery. Extra fields are allowed (a newer terminal may say
 * more); a missing or mistyped field makes the event poison, parked by the server.
 */
import { z } from 'zod';
import { ApplicationSubmittedSchema } from './application.ts';
import { FEED_REFUSAL_CODES } from './items.ts';
import { usagePayloadSchemas } from './usage.ts';

export const ITEM_KINDS = ['document', 'id-document', 'parcel', 'object', 'drop-off'] as const;
export const ItemKindSchema = z.enum(ITEM_KINDS);
export const COMPARTMENT_SIZES = ['S', 'M', 'L', 'XL'] as const;

const itemId = z.string().min(1).max(100);
const reference = z.string().min(1).max(200);
const compartment = z.string().min(1).max(20);
const recipientRef = z.string().max(200).nullable();
const time = z.number().int().nonnegative();

export const eventPayloadSchemas = {
  'item-ready': z.object({
    itemId,
    reference,
    recipientRef,
    compartment,
    expiresAt: time,
    /** Since issue #13; an older terminal leaves it out (the fleet keeps the announced kind). */
    kind: ItemKindSchema.optional(),
  }),
  'item-picked-up': z.object({
    itemId,
    reference,
    compartment: compartment.nullable(),
    pickedUpAt: time,
  }),
  'item-dropped-off': z.object({
    itemId,
    kind: ItemKindSchema,
    reference,
    compartment,
    droppedOffAt: time,
  }),
  'item-retrieved': z.object({
    itemId,
    reference,
    compartment: compartment.nullable(),
    previousStatus: z.string().min(1).max(30),
    retrievedAt: time,
  }),
  'item-expired': z.object({
    itemId,
    reference,
    recipientRef,
    compartment: compartment.nullable(),
    expiredAt: time,
  }),
  'item-expiring': z.object({
    itemId,
    reference,
    recipientRef,
    compartment: compartment.nullable(),
    expiresAt: time,
  }),
  /** A loaded item the fleet cancelled is set aside at the terminal: staff take it out. */
  'item-withdrawn': z.object({
    itemId,
    reference,
    compartment: compartment.nullable(),
    withdrawnAt: time,
  }),
  /** The terminal could not apply a feed change; `code` says why (never free text). */
  'feed-change-refused': z.object({
    cursor: z.number().int().positive(),
    kind: z.string().min(1).max(50),
    subject: z.string().min(1).max(100).nullable(),
    code: z.enum(FEED_REFUSAL_CODES),
  }),
  /**
   * The language a citizen used at the terminal for this item (a code that matched it): the
   * item's further notices go out in it. A BCP 47 tag of the terminal's languages.
   */
  'item-language': z.object({
    itemId,
    reference,
    language: z.string().regex(/^[a-z]{2}(-[a-z]{2,8})?$/),
  }),
  'compartment-state': z.object({
    compartment,
    defective: z.boolean(),
    reason: z.string().max(500).nullable(),
  }),
  /** Issue #12: a sealed application for the fleet to relay (ciphertext only). */
  'application-submitted': ApplicationSubmittedSchema,
  ...usagePayloadSchemas,
} as const;

export type EventType = keyof typeof eventPayloadSchemas;
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloadSchemas)[T]>;
export const EVENT_TYPES = Object.keys(eventPayloadSchemas) as EventType[];

export const isKnownEventType = (type: string): type is EventType =>
  Object.hasOwn(eventPayloadSchemas, type);
