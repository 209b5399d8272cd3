/**
 * The terminal's client of the fleet's SMS codes (issue #12): signed as the terminal, one
 * request at a time while a citizen waits, so a short timeout. Every outcome is a value: the
 * fleet's answer, its refusal (rate limit, resend limit, no gateway), or `offline`.
 */
import { createPrivateKey } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import type { z } from 'zod';
import {
  paths,
  type SmsCodeRequest,
  type SmsCodeSent,
  SmsCodeSentSchema,
  type SmsCodeVerified,
  SmsCodeVerifiedSchema,
  type SmsSendRefused,
  SmsSendRefusedSchema,
} from '../protocol/index.ts';
import type { DeviceIdentity } from './credentials.ts';
import { describeRefusal, type Fetch, type HttpReply, signedClient } from './http.ts';

export type SmsCodeFailure =
  /** The fleet cannot be reached (network, timeout): the citizen is told it needs the network. */
  | { kind: 'offline'; message: string }
  | ({ kind: 'refused' } & SmsSendRefused)
  /** An answer the terminal does not understand (a bug or a version mismatch). */
  | { kind: 'error'; message: string };

export interface SmsCodeClient {
  request(input: SmsCodeRequest): Promise<Result<SmsCodeSent, SmsCodeFailure>>;
  resend(challengeId: string, input: SmsCodeRequest): Promise<Result<SmsCodeSent, SmsCodeFailure>>;
  verify(challengeId: string, code: string): Promise<Result<SmsCodeVerified, SmsCodeFailure>>;
}

export const SMS_CODE_TIMEOUT_MS = 15_000;

function parsed<T>(
  reply: HttpReply,
  schema: z.ZodType<T>,
  expected: number,
): Result<T, SmsCodeFailure> {
  if (reply.status === expected) {
    const body = schema.safeParse(reply.body);
    if (body.success) return ok(body.data);
  }
  const refused = SmsSendRefusedSchema.safeParse(reply.body);
  if (refused.success) return err({ kind: 'refused', ...refused.data });
  return err({ kind: 'error', message: describeRefusal(reply) });
}

export function smsCodeClient(options: {
  baseUrl: string;
  identity: DeviceIdentity;
  now: () => number;
  fetch?: Fetch;
  timeoutMs?: number;
}): SmsCodeClient {
  const { deviceId } = options.identity;
  const client = signedClient(
    {
      baseUrl: options.baseUrl,
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? SMS_CODE_TIMEOUT_MS,
    },
    { deviceId, privateKey: createPrivateKey(options.identity.privateKeyPem) },
    options.now,
  );
  const post = async <T>(path: string, body: unknown, schema: z.ZodType<T>, expected: number) => {
    const reply = await client.post(path, body);
    if (!reply.ok) return err<SmsCodeFailure>({ kind: 'offline', message: reply.error.message });
    return parsed(reply.value, schema, expected);
  };
  return {
    request: (input) => post(paths.smsCodes(deviceId), input, SmsCodeSentSchema, 201),
    resend: (challengeId, input) =>
      post(paths.smsCodeResend(deviceId, challengeId), input, SmsCodeSentSchema, 201),
    verify: (challengeId, code) =>
      post(paths.smsCodeVerify(deviceId, challengeId), { code }, SmsCodeVerifiedSchema, 200),
  };
}
