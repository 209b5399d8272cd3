/**
 * Applications (issue #12): what a terminal hands the fleet when a citizen submits a form,
 * and what the fleet tells the terminal back. The fleet only relays ciphertext: the form
 * data and each attachment description are JWE compact (RSA-OAEP-256 + A256GCM) made on the
 * terminal to the destination's public key, so nothing the citizen typed is readable here.
 * The metadata follows FIT-Connect's metadata schema (content structure, sha512 hashes of
 * the data and attachments, the submission schema URI) and carries no typed value.
 *
 * Strict schemas: a field the fleet does not know is refused, so nothing in plain text can
 * ride along unnoticed.
 */
import { z } from 'zod';
import { JsonObjectSchema } from './json.ts';

/** A JWE in compact serialisation: five base64url parts. */
export const JweCompactSchema = z
  .string()
  .max(2_000_000)
  .regex(
    /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
    'JWE compact',
  );

/** Case numbers are what the citizen reads on the receipt: `A-` + terminal-local sequence etc. */
export const CaseNumberSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{3,39}$/, 'case number');

/** A service of the form catalogue: kebab-case id, e.g. `hund-anmelden`. */
export const ServiceIdSchema = z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'service id');

export const ApplicationSubmittedSchema = z
  .object({
    /** Random, made once per submission: the idempotency key towards the destination too. */
    submissionId: z.uuid(),
    caseNumber: CaseNumberSchema,
    serviceId: ServiceIdSchema,
    /** LeiKa key of the service (FIT-Connect `publicServiceType.identifier`). */
    leikaKey: z.string().regex(/^\d{14}$/, 'LeiKa key (14 digits)'),
    formVersion: z.string().min(1).max(50),
    /** Which configured destination (FIT-Connect destination id or a console inbox id). */
    destinationId: z.string().min(1).max(100),
    /** FIT-Connect metadata document (no typed values; hashes and structure only). */
    metadata: JsonObjectSchema,
    /** The same metadata document sealed to the destination (FIT-Connect `encryptedMetadata`). */
    encryptedMetadata: JweCompactSchema.optional(),
    data: JweCompactSchema,
    attachments: z
      .array(z.object({ attachmentId: z.uuid(), jwe: JweCompactSchema }).strict())
      .max(20),
    /** True where the result is handed out at this terminal (Meldebescheinigung to the locker). */
    pickupAtTerminal: z.boolean(),
    submittedAt: z.number().int().nonnegative(),
  })
  .strict();
export type ApplicationSubmitted = z.infer<typeof ApplicationSubmittedSchema>;

export const APPLICATION_STATES = ['relayed', 'accepted', 'rejected', 'parked'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** Feed change: what became of a submission (shown to staff; never the content). */
export const ApplicationStatusSchema = z
  .object({
    kind: z.literal('application-status'),
    submissionId: z.uuid(),
    caseNumber: CaseNumberSchema,
    state: z.enum(APPLICATION_STATES),
    /** A short code, never free text from the destination (it might quote the citizen). */
    reason: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .nullable(),
  })
  .strict();
export type ApplicationStatus = z.infer<typeof ApplicationStatusSchema>;
