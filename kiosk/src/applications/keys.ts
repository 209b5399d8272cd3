/**
 * The destination's public key, as FIT-Connect publishes it: a JWK with `key_ops:
 * ["wrapKey"]` and an `x5c` certificate chain. Nothing is sealed to a key whose chain does
 * not lead to the configured root certificate, whose certificates have expired, or whose
 * certificate is not the key's own: such a service is shown as unavailable and staff get an
 * alarm (`applications.ts`), so nothing ever leaves unencrypted or to the wrong party.
 */
import { X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { type CryptoKey, importJWK } from 'jose';
import { z } from 'zod';

export const KEY_PROBLEMS = [
  'key-missing',
  'key-invalid',
  'key-chain-invalid',
  'key-expired',
] as const;
export type KeyProblem = (typeof KEY_PROBLEMS)[number];

/**
 * Settings keys: each destination's JWK (JSON) and the root certificate (PEM) it was
 * delivered with by the fleet (`destination-key` feed change), else the terminal's root.
 */
export const ROOT_CERTIFICATE_SETTING = 'applications.root-certificate';
export const destinationKeySetting = (destinationId: string) =>
  `applications.destination.${destinationId}`;
export const destinationRootSetting = (destinationId: string) =>
  `applications.destination-root.${destinationId}`;

const DestinationJwkSchema = z.object({
  kty: z.literal('RSA'),
  n: z.string().min(300),
  e: z.string().min(1),
  kid: z.string().min(1).max(200),
  alg: z.literal('RSA-OAEP-256').optional(),
  key_ops: z.tuple([z.literal('wrapKey')]),
  x5c: z.array(z.string().min(100)).min(1).max(5),
});

export interface DestinationKey {
  key: CryptoKey;
  kid: string;
  /** The earliest expiry along the chain (ms): the alarm can warn before it. */
  validUntil: number;
}

function certificates(x5c: readonly string[], rootPem: string) {
  try {
    return ok({
      chain: x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64'))),
      root: new X509Certificate(rootPem),
    });
  } catch {
    return err('key-invalid' as const);
  }
}

/** Each certificate issued and signed by the next, the last by the root; the issuers are CAs. */
function chainLeadsToRoot(chain: X509Certificate[], root: X509Certificate): boolean {
  const issuers = [...chain.slice(1), root];
  return chain.every((cert, index) => {
    const issuer = issuers[index]!;
    if (cert.fingerprint256 === root.fingerprint256) return true;
    return issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  });
}

/**
 * Checks a destination's JWK against the root certificate at `now` without importing it:
 * synchronous, so the feed can check a delivered key inside its transaction.
 */
export function checkDestinationKey(
  jwk: unknown,
  rootPem: string | null,
  now: number,
): Result<{ n: string; e: string; kid: string; validUntil: number }, KeyProblem> {
  if (jwk === null || jwk === undefined || rootPem === null) return err('key-missing');
  const parsed = DestinationJwkSchema.safeParse(jwk);
  if (!parsed.success) return err('key-invalid');
  const certs = certificates(parsed.data.x5c, rootPem);
  if (!certs.ok) return certs;
  const { chain, root } = certs.value;
  const leaf = chain[0]!.publicKey.export({ format: 'jwk' });
  if (leaf.n !== parsed.data.n || leaf.e !== parsed.data.e) return err('key-chain-invalid');
  if (!chainLeadsToRoot(chain, root)) return err('key-chain-invalid');
  const all = [...chain, root];
  const validUntil = Math.min(...all.map((cert) => Date.parse(cert.validTo)));
  const validFrom = Math.max(...all.map((cert) => Date.parse(cert.validFrom)));
  if (now >= validUntil || now < validFrom) return err('key-expired');
  const { n, e, kid } = parsed.data;
  return ok({ n, e, kid, validUntil });
}

/** Validates a destination's JWK against the root certificate at `now`, and imports it. */
export async function destinationKey(
  jwk: unknown,
  rootPem: string | null,
  now: number,
): Promise<Result<DestinationKey, KeyProblem>> {
  const checked = checkDestinationKey(jwk, rootPem, now);
  if (!checked.ok) return checked;
  const { n, e, kid, validUntil } = checked.value;
  try {
    const key = await importJWK({ kty: 'RSA', n, e }, 'RSA-OAEP-256');
    // An RSA JWK always imports as a key object, never as raw bytes.
    if (key instanceof Uint8Array) return err('key-invalid');
    return ok({ key, kid, validUntil });
  } catch {
    return err('key-invalid');
  }
}
