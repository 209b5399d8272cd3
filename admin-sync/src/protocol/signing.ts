/**
 * Device identity and request signing (Ed25519, node:crypto only). A terminal holds a key
 * pair made at enrolment; the server stores only the public key. Every request after
 * enrolment is signed over method, path (with query), SHA-256 of the exact body bytes,
 * timestamp, nonce and device id, so a captured request can be neither altered nor replayed
 * (the server remembers nonces for longer than it accepts a timestamp).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';

/** A request whose timestamp is further than this from the server's clock is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export const signatureHeaders = {
  deviceId: 'x-device-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

/** Reply headers on every authenticated answer: the server's time and the device's skew. */
export const clockHeaders = {
  serverTime: 'x-server-time',
  skew: 'x-clock-skew-ms',
} as const;

const base64url = (length: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), 'base64url');

/** Raw 32-byte Ed25519 public key, base64url (the JWK `x`). */
export const PublicKeySchema = base64url(43);
export const DeviceIdSchema = z.uuid();

export const SignedHeadersSchema = z.object({
  deviceId: DeviceIdSchema,
  timestamp: z
    .string()
    .regex(/^\d{1,15}$/, 'milliseconds since the epoch')
    .transform(Number),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'base64url, 16 to 64 characters'),
  signature: base64url(86),
});
export type SignedHeaders = z.infer<typeof SignedHeadersSchema>;

export interface DeviceKeyPair {
  publicKey: string;
  /** PKCS#8 PEM; kept by the terminal next to its store, never sent. */
  privateKeyPem: string;
}

export function generateDeviceKeyPair(): DeviceKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKeyToString(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function publicKeyToString(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

/** The key object for a stored public key; undefined if it is not a valid Ed25519 key. */
export function publicKeyFromString(publicKey: string): KeyObject | undefined {
  if (!PublicKeySchema.safeParse(publicKey).success) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

type PrivateKey = KeyObject | string;
const privateKeyObject = (key: PrivateKey) =>
  typeof key === 'string' ? createPrivateKey(key) : key;
const publicKeyObject = (key: KeyObject | string) =>
  typeof key === 'string' ? publicKeyFromString(key) : key;

export const sha256Hex = (body: string | Uint8Array): string =>
  createHash('sha256').update(body).digest('hex');

export interface RequestToSign {
  method: string;
  /** Path with query string, exactly as sent (`/v1/devices/…/feed?after=3`). */
  path: string;
  /** The exact body bytes; '' for none. */
  body: string | Uint8Array;
}

/** The text that is signed; every part on its own line, so no part can bleed into another. */
function signingInput(request: RequestToSign, deviceId: string, timestamp: number, nonce: string) {
  return Buffer.from(
    [
      'amtomat-sync-v1',
      request.method.toUpperCase(),
      request.path,
      sha256Hex(request.body),
      String(timestamp),
      nonce,
      deviceId,
    ].join('\n'),
  );
}

export const newNonce = (): string => randomBytes(16).toString('base64url');

/** The four signature headers for a request. */
export function signRequest(
  request: RequestToSign,
  credentials: { deviceId: string; privateKey: PrivateKey },
  timestamp: number,
  nonce: string = newNonce(),
): Record<(typeof signatureHeaders)[keyof typeof signatureHeaders], string> {
  const input = signingInput(request, credentials.deviceId, timestamp, nonce);
  const signature = sign(null, input, privateKeyObject(credentials.privateKey));
  return {
    [signatureHeaders.deviceId]: credentials.deviceId,
    [signatureHeaders.timestamp]: String(timestamp),
    [signatureHeaders.nonce]: nonce,
    [signatureHeaders.signature]: signature.toString('base64url'),
  };
}

type HeaderBag = Record<string, string | string[] | undefined>;
const header = (headers: HeaderBag, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
};

/** The signature headers of a request: `unsigned` when there are none at all. */
export function parseSignedHeaders(
  headers: HeaderBag,
): Result<SignedHeaders, 'unsigned' | 'malformed-signature'> {
  const raw = {
    deviceId: header(headers, signatureHeaders.deviceId),
    timestamp: header(headers, signatureHeaders.timestamp),
    nonce: header(headers, signatureHeaders.nonce),
    signature: header(headers, signatureHeaders.signature),
  };
  if (Object.values(raw).every((value) => value === undefined)) return err('unsigned');
  const parsed = SignedHeadersSchema.safeParse(raw);
  return parsed.success ? ok(parsed.data) : err('malformed-signature');
}

export type VerifyFailure =
  | { kind: 'bad-signature' }
  /** The signature is good but the timestamp is outside ±MAX_CLOCK_SKEW_MS. */
  | { kind: 'clock-skew'; skewMs: number };

/**
 * Checks the signature, then the timestamp. `skewMs` is the device's clock minus the
 * server's (positive: the device is ahead). The nonce is the caller's to check: only it
 * knows which nonces it has seen.
 */
export function verifyRequest(
  request: RequestToSign,
  signed: SignedHeaders,
  publicKey: KeyObject | string,
  now: number,
  maxSkewMs: number = MAX_CLOCK_SKEW_MS,
): Result<{ skewMs: number }, VerifyFailure> {
  const key = publicKeyObject(publicKey);
  const input = signingInput(request, signed.deviceId, signed.timestamp, signed.nonce);
  if (!key || !verify(null, input, key, Buffer.from(signed.signature, 'base64url'))) {
    return err({ kind: 'bad-signature' });
  }
  const skewMs = signed.timestamp - now;
  if (Math.abs(skewMs) > maxSkewMs) return err({ kind: 'clock-skew', skewMs });
  return ok({ skewMs });
}

const enrolmentInput = (token: string, publicKey: string) =>
  Buffer.from(['amtomat-enrol-v1', token, publicKey].join('\n'));

/** Proof that the enrolling terminal holds the private key of the public key it sends. */
export function signEnrolment(token: string, keys: DeviceKeyPair): string {
  return sign(
    null,
    enrolmentInput(token, keys.publicKey),
    createPrivateKey(keys.privateKeyPem),
  ).toString('base64url');
}

export function verifyEnrolment(token: string, publicKey: string, proof: string): boolean {
  const key = publicKeyFromString(publicKey);
  if (!key || !/^[A-Za-z0-9_-]{86}$/.test(proof)) return false;
  return verify(null, enrolmentInput(token, publicKey), key, Buffer.from(proof, 'base64url'));
}
