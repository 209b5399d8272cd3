/**
 * Sealing an application on the terminal, as FIT-Connect does it: the data (checked against
 * the form's JSON Schema first) and each attachment description become JWE compact
 * (RSA-OAEP-256 + A256GCM, header `kid` and `cty`) to the destination's public key, and the
 * metadata document names the content structure with sha512 hashes of the unencrypted parts
 * and the data's schema URI. What leaves this module is ciphertext, hashes and ids: the
 * `application-submitted` event of the outbox.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type Answers,
  type ApplicationSubmitted,
  ApplicationSubmittedSchema,
  dataOf,
  dataSchemaOf,
  dataSchemaUri,
  type FormDefinition,
} from '@amtomat/admin-sync/protocol';
import { err, ok, type Result } from '@amtomat/basics';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { CompactEncrypt } from 'jose';
import type { DestinationKey } from './keys.ts';

/** FIT-Connect's metadata schema the metadata document follows. */
export const METADATA_SCHEMA_URI =
  'https://schema.fitko.de/fit-connect/metadata/1.2.0/metadata.schema.json';

// Formats are annotations: each carries a pattern as well (no format plugin needed).
const ajv = new Ajv2020({
  allErrors: false,
  strict: true,
  strictRequired: false,
  validateFormats: false,
});
const validators = new Map<string, ValidateFunction>();

/** The compiled data schema of a form version (compiled once per version and content). */
export function dataValidator(form: FormDefinition): ValidateFunction {
  const schema = dataSchemaOf(form);
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  let validate = validators.get(key);
  if (!validate) {
    // Compiled without its $id: two versions of a form with the same URI may both be in use
    // (a session keeps the version it started with).
    const { $id: _, ...anonymous } = schema;
    validate = ajv.compile(anonymous);
    validators.set(key, validate);
  }
  return validate;
}

const sha512 = (text: string) => createHash('sha512').update(text, 'utf8').digest('hex');

async function jwe(text: string, destination: DestinationKey, cty: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: destination.kid, cty })
    .encrypt(destination.key);
}

export interface SealInput {
  form: FormDefinition;
  answers: Answers;
  destination: DestinationKey;
  caseNumber: string;
  now: number;
  /** The submission's id (idempotency key); random when not given. */
  submissionId?: string;
}

/**
 * Seals a submission. `data-invalid`: the data does not satisfy the form's JSON Schema (a
 * flow checks every answer first, so this means a form or terminal fault, not a person's).
 */
export async function sealSubmission(
  input: SealInput,
): Promise<Result<ApplicationSubmitted, 'data-invalid'>> {
  const { form, destination } = input;
  const data = dataOf(form, input.answers);
  if (!dataValidator(form)(data)) return err('data-invalid');
  const dataText = JSON.stringify(data);
  // Each paper attachment: a description of what was handed in (the paper itself is in the
  // drop-off compartment), sealed like the data.
  const attachments = await Promise.all(
    form.paperAttachments.map(async (paper) => {
      const attachmentId = randomUUID();
      const text = JSON.stringify({
        attachmentId,
        kind: 'paper',
        id: paper.id,
        description: paper.label.de,
        handedIn: 'drop-off-compartment',
      });
      return { attachmentId, text, jwe: await jwe(text, destination, 'application/json') };
    }),
  );
  const metadata = {
    $schema: METADATA_SCHEMA_URI,
    contentStructure: {
      data: {
        hash: { type: 'sha512', content: sha512(dataText) },
        submissionSchema: { schemaUri: dataSchemaUri(form), mimeType: 'application/json' },
      },
      attachments: attachments.map((attachment, index) => ({
        attachmentId: attachment.attachmentId,
        hash: { type: 'sha512', content: sha512(attachment.text) },
        purpose: 'attachment',
        filename: `${form.paperAttachments[index]!.id}.json`,
        mimeType: 'application/json',
      })),
    },
    publicServiceType: {
      name: form.title.de,
      identifier: `urn:de:fim:leika:leistung:${form.leikaKey}`,
    },
  };
  const event = ApplicationSubmittedSchema.parse({
    submissionId: input.submissionId ?? randomUUID(),
    caseNumber: input.caseNumber,
    serviceId: form.id,
    leikaKey: form.leikaKey,
    formVersion: form.version,
    destinationId: form.destinationId,
    metadata,
    encryptedMetadata: await jwe(JSON.stringify(metadata), destination, 'application/json'),
    data: await jwe(dataText, destination, 'application/json'),
    attachments: attachments.map(({ attachmentId, jwe: sealed }) => ({
      attachmentId,
      jwe: sealed,
    })),
    pickupAtTerminal: form.pickupAtTerminal,
    submittedAt: input.now,
  });
  return ok(event);
}

const CASE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A case number a person can read out and type: `A-` and 4+4 unambiguous characters. */
export function newCaseNumber(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  const chars = [...random(8)].map((byte) => CASE_ALPHABET[byte % CASE_ALPHABET.length]);
  return `A-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}
