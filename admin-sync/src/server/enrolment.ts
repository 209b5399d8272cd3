import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { type EnrolRequest, type EnrolResponse, verifyEnrolment } from '../protocol/index.ts';
import type { FleetStorage } from './storage/storage.ts';

export const DEFAULT_TOKEN_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** Tokens are stored as SHA-256: a copy of the database enrols nothing. */
export const tokenHash = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/** A one-time enrolment token for an installer; shown once, stored only as its hash. */
export async function createEnrolmentToken(
  storage: FleetStorage,
  options: { now: number; validForMs?: number; label?: string | null },
): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = options.now + (options.validForMs ?? DEFAULT_TOKEN_VALIDITY_MS);
  await storage.addEnrolmentToken({
    tokenHash: tokenHash(token),
    label: options.label ?? null,
    createdAt: options.now,
    expiresAt,
  });
  return { token, expiresAt };
}

export async function enrolDevice(
  storage: FleetStorage,
  request: EnrolRequest,
  now: number,
): Promise<Result<EnrolResponse, 'invalid-token' | 'bad-proof'>> {
  if (!verifyEnrolment(request.token, request.publicKey, request.proof)) return err('bad-proof');
  const enrolled = await storage.enrolDevice({
    tokenHash: tokenHash(request.token),
    deviceId: randomUUID(),
    publicKey: request.publicKey,
    codeKey: request.codeKey,
    label: request.label ?? null,
    now,
  });
  if (!enrolled.ok) return enrolled;
  return ok({ deviceId: enrolled.value.id, serverTime: now });
}
