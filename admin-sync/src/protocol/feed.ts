/**
 * Pull: a change feed per device. Each entry has a cursor, dense and increasing per device
 * (1, 2, 3, …); the terminal reads after its last acknowledged cursor and acknowledges what
 * it has applied. Announced items carry only what the terminal needs to hand the item out —
 * never the citizen's contact data (the schema is strict: an extra field is refused).
 */
import { z } from 'zod';
import { ApplicationStatusSchema } from './application.ts';
import { COMPARTMENT_SIZES, ItemKindSchema } from './events.ts';
import { FormCatalogueFormsSchema } from './forms.ts';
import { JsonValueSchema } from './json.ts';

export const MAX_PULL_LIMIT = 500;
export const DEFAULT_PULL_LIMIT = 100;

/** HMAC-SHA256 made with the terminal's key, base64url (32 bytes). */
const keyedHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'base64url keyed hash');

export const ItemAnnouncedSchema = z
  .object({
    kind: z.literal('item-announced'),
    itemId: z.string().min(1).max(100),
    reference: z.string().min(1).max(200),
    itemKind: ItemKindSchema,
    codeHash: keyedHash,
    secondFactorHash: keyedHash.nullable(),
    holdingDays: z.number().int().min(1).max(365),
    needsPinLetterConfirmation: z.boolean().default(false),
    needsAccessible: z.boolean().default(false),
    size: z.enum(COMPARTMENT_SIZES).nullable().default(null),
  })
  .strict();
export type ItemAnnounced = z.infer<typeof ItemAnnouncedSchema>;

export const ItemCancelledSchema = z
  .object({
    kind: z.literal('item-cancelled'),
    itemId: z.string().min(1).max(100),
    reason: z.string().min(1).max(500),
  })
  .strict();

export const ConfigUpdateSchema = z
  .object({
    kind: z.literal('config-update'),
    settings: z.record(z.string().min(1).max(100), JsonValueSchema),
  })
  .strict();

export const FormCatalogueSchema = z
  .object({
    kind: z.literal('form-catalogue'),
    version: z.string().min(1).max(50),
    /** The form definitions of issue #12 (`forms.ts`), checked as the fleet writes them. */
    forms: FormCatalogueFormsSchema,
  })
  .strict();

/**
 * A destination's public key for sealing applications (issue #12), as FIT-Connect publishes
 * it (a JWK with `x5c`), and the root certificate (PEM) its chain must lead to. The fleet
 * only relays it; the terminal validates both on arrival and keeps its last good key when a
 * key does not check out.
 */
export const DestinationKeyChangeSchema = z
  .object({
    kind: z.literal('destination-key'),
    /** The destination's id as the form catalogue names it. */
    destinationId: z.string().min(1).max(100),
    key: z.record(z.string().max(50), JsonValueSchema),
    rootCertificate: z.string().min(1).max(20_000),
  })
  .strict();
export type DestinationKeyChange = z.infer<typeof DestinationKeyChangeSchema>;

export const REMOTE_COMMANDS = ['open-compartment', 'mark-defective', 'mark-repaired'] as const;

export const RemoteCommandSchema = z
  .object({
    kind: z.literal('command'),
    commandId: z.uuid(),
    command: z.enum(REMOTE_COMMANDS),
    compartment: z.string().min(1).max(20),
    /** Every remote action has a reason; the terminal audits it. */
    reason: z.string().min(1).max(500),
    requestedBy: z.string().min(1).max(100),
  })
  .strict();

export const FeedChangeSchema = z.discriminatedUnion('kind', [
  ItemAnnouncedSchema,
  ItemCancelledSchema,
  ConfigUpdateSchema,
  FormCatalogueSchema,
  DestinationKeyChangeSchema,
  RemoteCommandSchema,
  ApplicationStatusSchema,
]);
export type FeedChange = z.infer<typeof FeedChangeSchema>;
/** What a writer passes in (defaults not yet filled). */
export type FeedChangeInput = z.input<typeof FeedChangeSchema>;

const cursor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const FeedEntrySchema = z.object({
  cursor: cursor.min(1),
  createdAt: z.number().int(),
  change: FeedChangeSchema,
});
export type FeedEntry = z.infer<typeof FeedEntrySchema>;

/** Query of `GET paths.feed(id)`: after defaults to the acknowledged cursor. */
export const PullQuerySchema = z
  .object({
    after: z.coerce.number().pipe(cursor).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
  })
  .strict();
export type PullQuery = z.input<typeof PullQuerySchema>;

export const PullResponseSchema = z.object({
  entries: z.array(FeedEntrySchema),
  /** The device's latest cursor: more to read while the last entry's cursor is below it. */
  head: cursor,
  acked: cursor,
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

export const AckRequestSchema = z.object({ cursor }).strict();
export type AckRequest = z.infer<typeof AckRequestSchema>;
export const AckResponseSchema = z.object({ acked: cursor });
export type AckResponse = z.infer<typeof AckResponseSchema>;
