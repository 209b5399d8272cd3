/**
 * Authenticates a signed request: known device, good signature over the exact bytes, a
 * timestamp within the skew bound, a nonce never seen. Checked in that order, so an
 * unauthenticated caller can neither learn device ids' keys nor fill the nonce table.
 */
import type { KeyObject } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import {
  type ErrorReply,
  parseSignedHeaders,
  publicKeyFromString,
  verifyRequest,
} from '../protocol/index.ts';
import type { FleetStorage } from './storage/storage.ts';

export interface AuthDeps {
  storage: FleetStorage;
  maxClockSkewMs: number;
}

export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AuthFailure {
  status: 401;
  reply: ErrorReply;
}

const failure = (reply: ErrorReply): AuthFailure => ({ status: 401, reply });

export function authenticator(deps: AuthDeps) {
  // Public keys never change for a device id; parsing one per request would be wasted work.
  const keys = new Map<string, KeyObject>();
  const keyOf = async (deviceId: string) => {
    const cached = keys.get(deviceId);
    if (cached) return cached;
    const device = await deps.storage.device(deviceId);
    const key = device && publicKeyFromString(device.publicKey);
    if (key) keys.set(deviceId, key);
    return key;
  };

  return async (
    request: SignedRequest,
    now: number,
  ): Promise<Result<{ deviceId: string; skewMs: number }, AuthFailure>> => {
    const signed = parseSignedHeaders(request.headers);
    if (!signed.ok) {
      return err(
        failure(
          signed.error === 'unsigned'
            ? { error: 'unsigned', message: 'request is not signed' }
            : { error: 'malformed-signature', message: 'signature headers are malformed' },
        ),
      );
    }
    const { deviceId, nonce } = signed.value;
    const key = await keyOf(deviceId);
    if (!key) return err(failure({ error: 'unknown-device', message: 'device is not enrolled' }));
    const verified = verifyRequest(
      { method: request.method, path: request.url, body: request.body },
      signed.value,
      key,
      now,
      deps.maxClockSkewMs,
    );
    if (!verified.ok) {
      return err(
        failure(
          verified.error.kind === 'bad-signature'
            ? { error: 'bad-signature', message: 'signature does not verify' }
            : {
                error: 'clock-skew',
                message: `timestamp is ${verified.error.skewMs} ms off the server's clock (bound ${deps.maxClockSkewMs} ms)`,
                skewMs: verified.error.skewMs,
                serverTime: now,
              },
        ),
      );
    }
    // Remembered for twice the bound: any replay of it would be refused as stale by then.
    const fresh = await deps.storage.rememberNonce(
      deviceId,
      nonce,
      now,
      now - 2 * deps.maxClockSkewMs,
    );
    if (!fresh) return err(failure({ error: 'replayed-nonce', message: 'nonce was used before' }));
    return ok({ deviceId, skewMs: verified.value.skewMs });
  };
}
