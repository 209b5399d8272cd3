/**
 * `npm run fleet-server -- decrypt --key FILE --in ENVELOPE [--out FILE]`, run on the clerk's
 * own machine (the private key is never on the fleet server): opens an envelope downloaded
 * from the console inbox with the destination's private key (PEM or JWK) and prints or
 * writes the form data and the attachment descriptions as JSON. The data's sha512 is checked
 * against the hash in the metadata. Every failure is one line saying what to fix.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { err, ok, type Result } from '@amtomat/basics';
import { compactDecrypt } from 'jose';
import { z } from 'zod';
import { ApplicationSubmittedSchema } from '../../protocol/index.ts';

const EnvelopeSchema = ApplicationSubmittedSchema.pick({
  submissionId: true,
  caseNumber: true,
  serviceId: true,
  leikaKey: true,
  formVersion: true,
  destinationId: true,
  metadata: true,
  data: true,
  attachments: true,
  submittedAt: true,
});

const DataHashSchema = z.object({
  contentStructure: z.object({
    data: z.object({ hash: z.object({ type: z.literal('sha512'), content: z.string() }) }),
  }),
});

export interface DecryptedApplication {
  caseNumber: string;
  serviceId: string;
  formVersion: string;
  submittedAt: string;
  data: unknown;
  attachments: { attachmentId: string; content: unknown }[];
}

function readText(flag: string, path: string): Result<string, string> {
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch (error) {
    return err(
      `${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** A private key from PEM (PKCS#8 or PKCS#1) or a JWK with its private part. */
export function privateKeyOf(text: string, path: string): Result<KeyObject, string> {
  const trimmed = text.trim();
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(trimmed)) {
    return err(`--key: ${path} is a public key; decrypting needs the destination's private key`);
  }
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      if (jwk.d === undefined) {
        return err(
          `--key: ${path} is a public JWK; decrypting needs the destination's private key`,
        );
      }
      return ok(createPrivateKey({ key: jwk as never, format: 'jwk' }));
    }
    return ok(createPrivateKey(trimmed));
  } catch {
    return err(`--key: ${path} is not a private key (expected PEM or a JWK)`);
  }
}

async function open(jwe: string, key: KeyObject): Promise<Result<Uint8Array, 'wrong-key'>> {
  try {
    return ok(
      (await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['RSA-OAEP-256'] })).plaintext,
    );
  } catch {
    return err('wrong-key');
  }
}

function json(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function decryptEnvelope(
  envelopeText: string,
  key: KeyObject,
  names: { in: string; key: string },
): Promise<Result<DecryptedApplication, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(envelopeText);
  } catch {
    return err(`--in: ${names.in} is not an envelope downloaded from the console (not JSON)`);
  }
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(top level)'))];
    return err(
      `--in: ${names.in} is not an envelope downloaded from the console (${fields.join(', ')} missing or damaged)`,
    );
  }
  const envelope = parsed.data;
  const data = await open(envelope.data, key);
  if (!data.ok) {
    return err(
      `--key: ${names.key} does not open case ${envelope.caseNumber}: use the private key of destination ${envelope.destinationId} (or the file is damaged)`,
    );
  }
  const hash = DataHashSchema.safeParse(envelope.metadata);
  if (hash.success) {
    const actual = createHash('sha512').update(data.value).digest('hex');
    if (actual !== hash.data.contentStructure.data.hash.content.toLowerCase()) {
      return err(
        `--in: the data of case ${envelope.caseNumber} do not match the hash in its metadata: the envelope was altered; ask for it again`,
      );
    }
  }
  const attachments: DecryptedApplication['attachments'] = [];
  for (const attachment of envelope.attachments) {
    const opened = await open(attachment.jwe, key);
    if (!opened.ok) {
      return err(
        `--in: attachment ${attachment.attachmentId} of case ${envelope.caseNumber} cannot be opened: the envelope is damaged`,
      );
    }
    attachments.push({ attachmentId: attachment.attachmentId, content: json(opened.value) });
  }
  return ok({
    caseNumber: envelope.caseNumber,
    serviceId: envelope.serviceId,
    formVersion: envelope.formVersion,
    submittedAt: new Date(envelope.submittedAt).toISOString(),
    data: json(data.value),
    attachments,
  });
}

/** The command: the JSON on stdout, or written to `out` (readable by its owner only). */
export async function runDecrypt(options: {
  key: string | undefined;
  in: string | undefined;
  out: string | undefined;
}): Promise<Result<{ json: string; written?: string }, string>> {
  if (!options.key)
    return err("decrypt needs --key FILE (the destination's private key, PEM or JWK)");
  if (!options.in)
    return err('decrypt needs --in FILE (the envelope downloaded from the console inbox)');
  const keyText = readText('--key', options.key);
  if (!keyText.ok) return keyText;
  const key = privateKeyOf(keyText.value, options.key);
  if (!key.ok) return key;
  const envelopeText = readText('--in', options.in);
  if (!envelopeText.ok) return envelopeText;
  const decrypted = await decryptEnvelope(envelopeText.value, key.value, {
    in: options.in,
    key: options.key,
  });
  if (!decrypted.ok) return decrypted;
  const text = `${JSON.stringify(decrypted.value, null, 2)}\n`;
  if (!options.out) return ok({ json: text });
  try {
    writeFileSync(options.out, text, { mode: 0o600 });
  } catch (error) {
    return err(
      `--out: cannot write ${options.out} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return ok({ json: text, written: options.out });
}
