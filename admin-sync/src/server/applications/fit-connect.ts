/**
 * A sender client of FIT-Connect's Submission API (v2; v1 where a destination is configured
 * with `apiVersion: "v1"`: the same calls, `serviceType` for `publicService`), as far as the
 * relay needs it:
 * an OAuth2 client-credentials token, the destination and its encryption key, create a
 * submission with its announced attachments, upload each attachment (JWE, application/jose),
 * submit metadata and data (JWE, `cty: application/json`), and read the case's event log
 * (Security Event Tokens). Every answer is checked with a schema; every failure is a value:
 * `retry` (network, 5xx, 429, an expired token) or `refused` (the API said no to this
 * submission — 4xx), with a short reason code and never a body (it might quote something).
 */
import { err, ok, type Result } from '@amtomat/basics';
import {
  CompactEncrypt,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import type { JsonObject } from '../../protocol/index.ts';
import type { FitConnectDestination } from './config.ts';

export type FitConnectFailure = { kind: 'retry' | 'refused'; reason: string };
type Answer<T> = Promise<Result<T, FitConnectFailure>>;

/** FIT-Connect's event types (SET `events` claim keys). */
export const FIT_EVENTS = {
  submit: 'https://schema.fitko.de/fit-connect/events/submit-submission',
  accept: 'https://schema.fitko.de/fit-connect/events/accept-submission',
  reject: 'https://schema.fitko.de/fit-connect/events/reject-submission',
} as const;

/** LeiKa key → FIT-Connect's public service identifier. */
export const leikaIdentifier = (leikaKey: string) => `urn:de:fim:leika:leistung:${leikaKey}`;

const TokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number() }).loose();
const DestinationSchema = z
  .object({ destinationId: z.string(), status: z.string(), encryptionKid: z.string().min(1) })
  .loose();
const KeySchema = z
  .object({ kty: z.literal('RSA'), n: z.string(), e: z.string(), kid: z.string() })
  .loose();
const SignatureKeySchema = z
  .object({ kty: z.literal('RSA'), n: z.string(), e: z.string(), kid: z.string() })
  .loose();
const CreatedSchema = z.object({ submissionId: z.uuid(), caseId: z.uuid() }).loose();
const EventLogSchema = z.object({ eventLog: z.array(z.string()) }).loose();
const ProblemsSchema = z
  .object({ problems: z.array(z.object({ type: z.string() }).loose()).default([]) })
  .loose();

export type CaseOutcome =
  | { outcome: 'pending' }
  | { outcome: 'accepted' }
  | { outcome: 'rejected'; reason: string };

const REQUEST_TIMEOUT_MS = 15_000;
/** A token is renewed this long before it runs out. */
const TOKEN_MARGIN_MS = 30_000;

/** A reason code for the terminal's feed (`[a-z][a-z0-9-]*`), from a problem type URI. */
export function problemCode(type: string | undefined): string {
  const last = (type ?? '').split('/').filter(Boolean).at(-1) ?? '';
  const code = last
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '');
  return code ? code.slice(0, 64) : 'rejected';
}

const statusFailure = (step: string, status: number): FitConnectFailure =>
  status >= 500 || status === 429 || status === 401 || status === 408
    ? { kind: 'retry', reason: `${step}-http-${status}` }
    : { kind: 'refused', reason: `${step}-refused-${status}` };

export interface FitConnectClient {
  /** The destination's encryption key as FIT-Connect publishes it (JWK, with `x5c`). */
  destinationKey(destinationId: string): Answer<JWK>;
  createSubmission(input: {
    destinationId: string;
    attachmentIds: readonly string[];
    serviceName: string;
    leikaKey: string;
  }): Answer<{ submissionId: string; caseId: string }>;
  uploadAttachment(submissionId: string, attachmentId: string, jwe: string): Answer<void>;
  /** `already` when FIT-Connect had it submitted (a relay that died after submitting). */
  submit(input: {
    submissionId: string;
    destinationId: string;
    metadata: JsonObject;
    data: string;
  }): Answer<'submitted' | 'already'>;
  /**
   * The authority's answer in the case's event log: only an accept or reject whose
   * signature checks out with the destination's published signature key counts.
   */
  caseOutcome(input: {
    caseId: string;
    submissionId: string;
    destinationId: string;
  }): Answer<CaseOutcome>;
}

export function fitConnectClient(
  config: FitConnectDestination,
  now: () => number = Date.now,
): FitConnectClient {
  let token: { value: string; until: number } | undefined;
  const v = `/${config.apiVersion}`;

  async function send(
    step: string,
    url: string,
    init: RequestInit,
  ): Answer<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      const code = String(cause)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-');
      return err({ kind: 'retry', reason: `${step}-unreachable-${code}`.slice(0, 64) });
    }
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return ok({ status: response.status, body });
  }

  async function bearer(): Answer<string> {
    if (token && token.until > now()) return ok(token.value);
    const answer = await send('token', config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: config.clientId,
        client_secret: config.clientSecret,
      }).toString(),
    });
    if (!answer.ok) return answer;
    // A refused client is the configuration's fault, not the submission's: retried.
    if (answer.value.status !== 200) {
      return err({ kind: 'retry', reason: `token-http-${answer.value.status}` });
    }
    const parsed = TokenSchema.safeParse(answer.value.body);
    if (!parsed.success) return err({ kind: 'retry', reason: 'token-answer-invalid' });
    token = {
      value: parsed.data.access_token,
      until: now() + parsed.data.expires_in * 1000 - TOKEN_MARGIN_MS,
    };
    return ok(token.value);
  }

  /** An authorised call; a 401 drops the token (the next attempt gets a new one). */
  async function api(
    step: string,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: { json: unknown } | { jose: string },
  ): Answer<{ status: number; body: unknown }> {
    const auth = await bearer();
    if (!auth.ok) return auth;
    const headers: Record<string, string> = { authorization: `Bearer ${auth.value}` };
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = 'application/jose';
      payload = body.jose;
    }
    const answer = await send(step, `${config.submissionApiUrl}${path}`, {
      method,
      headers,
      ...(payload !== undefined && { body: payload }),
    });
    if (answer.ok && answer.value.status === 401) token = undefined;
    return answer;
  }

  function parse<T>(
    step: string,
    schema: z.ZodType<T>,
    body: unknown,
  ): Result<T, FitConnectFailure> {
    const parsed = schema.safeParse(body);
    return parsed.success
      ? ok(parsed.data)
      : err({ kind: 'retry', reason: `${step}-answer-invalid` });
  }

  /** The destination's encryption key, for the metadata (the terminal sealed the rest). */
  async function encryptionKey(destinationId: string): Answer<JWK> {
    const id = encodeURIComponent(destinationId);
    const destination = await api('destination', 'GET', `${v}/destinations/${id}`);
    if (!destination.ok) return destination;
    if (destination.value.status !== 200) {
      return err(statusFailure('destination', destination.value.status));
    }
    const info = parse('destination', DestinationSchema, destination.value.body);
    if (!info.ok) return info;
    if (info.value.status !== 'active')
      return err({ kind: 'refused', reason: 'destination-inactive' });
    const kid = encodeURIComponent(info.value.encryptionKid);
    const key = await api('key', 'GET', `${v}/destinations/${id}/keys/${kid}`);
    if (!key.ok) return key;
    if (key.value.status !== 200) return err(statusFailure('key', key.value.status));
    return parse('key', KeySchema, key.value.body) as Result<JWK, FitConnectFailure>;
  }

  /** A SET signed (PS512) with the destination's key its header names; false if not. */
  async function signedByAuthority(token: string, destinationId: string): Answer<boolean> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return ok(false);
    }
    if (!kid) return ok(false);
    const path = `${v}/destinations/${encodeURIComponent(destinationId)}/keys/${encodeURIComponent(kid)}`;
    const key = await api('signature-key', 'GET', path);
    if (!key.ok) return key;
    if (key.value.status === 404) return ok(false);
    if (key.value.status !== 200) return err(statusFailure('signature-key', key.value.status));
    const jwk = parse('signature-key', SignatureKeySchema, key.value.body);
    if (!jwk.ok) return jwk;
    const { key_ops: _ops, use: _use, ...publicKey } = jwk.value as JWK;
    try {
      await jwtVerify(token, await importJWK(publicKey, 'PS512'), {
        algorithms: ['PS512'],
        typ: 'secevent+jwt',
      });
      return ok(true);
    } catch {
      return ok(false);
    }
  }

  return {
    destinationKey: encryptionKey,

    async createSubmission(input) {
      const answer = await api('create', 'POST', `${v}/submissions`, {
        json: {
          destinationId: input.destinationId,
          announcedAttachments: input.attachmentIds,
          [config.apiVersion === 'v1' ? 'serviceType' : 'publicService']: {
            name: input.serviceName,
            identifier: leikaIdentifier(input.leikaKey),
          },
        },
      });
      if (!answer.ok) return answer;
      if (answer.value.status !== 201) return err(statusFailure('create', answer.value.status));
      return parse('create', CreatedSchema, answer.value.body);
    },

    async uploadAttachment(submissionId, attachmentId, jwe) {
      const path = `${v}/submissions/${encodeURIComponent(submissionId)}/attachments/${encodeURIComponent(attachmentId)}`;
      const answer = await api('upload', 'PUT', path, { jose: jwe });
      if (!answer.ok) return answer;
      // 409: uploaded (and maybe submitted) before the relay died. The relay only ever sends
      // the terminal's one JWE for an attachment id, so what is there is this one.
      if (answer.value.status === 204 || answer.value.status === 409) return ok(undefined);
      return err(statusFailure('upload', answer.value.status));
    },

    async submit(input) {
      const key = await encryptionKey(input.destinationId);
      if (!key.ok) return key;
      // FIT-Connect publishes the key with key_ops ["wrapKey"]; WebCrypto wants "encrypt".
      const { key_ops: _ops, use: _use, ...publicKey } = key.value;
      const encryptedMetadata = await new CompactEncrypt(
        new TextEncoder().encode(JSON.stringify(input.metadata)),
      )
        .setProtectedHeader({
          alg: 'RSA-OAEP-256',
          enc: 'A256GCM',
          cty: 'application/json',
          ...(key.value.kid && { kid: key.value.kid }),
        })
        .encrypt(await importJWK(publicKey, 'RSA-OAEP-256'));
      const answer = await api(
        'submit',
        'PUT',
        `${v}/submissions/${encodeURIComponent(input.submissionId)}`,
        {
          json: { encryptedMetadata, encryptedData: input.data },
        },
      );
      if (!answer.ok) return answer;
      if (answer.value.status === 200 || answer.value.status === 202) return ok('submitted');
      // Submitted before: the relay died between FIT-Connect's answer and its own record.
      if (answer.value.status === 409) return ok('already');
      return err(statusFailure('submit', answer.value.status));
    },

    async caseOutcome({ caseId, submissionId, destinationId }) {
      const answer = await api('events', 'GET', `${v}/cases/${encodeURIComponent(caseId)}/events`);
      if (!answer.ok) return answer;
      if (answer.value.status !== 200) return err(statusFailure('events', answer.value.status));
      const log = parse('events', EventLogSchema, answer.value.body);
      if (!log.ok) return log;
      for (const token of log.value.eventLog) {
        let claims: ReturnType<typeof decodeJwt>;
        try {
          claims = decodeJwt(token);
        } catch {
          continue;
        }
        if (claims.sub !== `submission:${submissionId}`) continue;
        const events = (claims.events ?? {}) as Record<string, unknown>;
        const accepted = FIT_EVENTS.accept in events;
        if (!accepted && !(FIT_EVENTS.reject in events)) continue;
        const verified = await signedByAuthority(token, destinationId);
        if (!verified.ok) return verified;
        if (!verified.value) continue;
        if (accepted) return ok({ outcome: 'accepted' });
        const problems = ProblemsSchema.safeParse(events[FIT_EVENTS.reject]);
        const first = problems.success ? problems.data.problems[0]?.type : undefined;
        return ok({ outcome: 'rejected', reason: problemCode(first) });
      }
      return ok({ outcome: 'pending' });
    },
  };
}
