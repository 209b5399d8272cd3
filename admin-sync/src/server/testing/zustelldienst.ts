/**
 * A test double of FIT-Connect's Zustelldienst (Submission API v2, and v1 with `serviceType`, and its OAuth2 token
 * endpoint), written from the published API and run as a real HTTP server on 127.0.0.1.
 * Strict: a wrong content type, an unknown field, a missing or foreign token, an attachment
 * that was not announced, a submit before every attachment is there, metadata not sealed as
 * `application/json` JWE to the destination's key — each is refused as the real service
 * would (400/401/404/409/422, problem+json). The destination's private key stays here, so a
 * test can open what arrived. Events are Security Event Tokens signed PS512.
 *
 * Test controls: `accept` / `reject` a submission as the authority would, `failNext` (503 on
 * the next request to a step), `refuseNext` (a 4xx for the next request to a step),
 * `holdNext` (take the next request to a step but hold its answer until released: kill the
 * client meanwhile, and it never learns what happened).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  compactDecrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { JweCompactSchema } from '../../protocol/index.ts';

export const FIT_EVENT_BASE = 'https://schema.fitko.de/fit-connect/events/';
const LEIKA_URN = /^urn:de:fim:leika:leistung:\d{14}$/;

export type DoubleStep =
  | 'token'
  | 'destination'
  | 'key'
  | 'create'
  | 'upload'
  | 'submit'
  | 'events';

export interface ReceivedSubmission {
  submissionId: string;
  caseId: string;
  destinationId: string;
  announcedAttachments: string[];
  serviceIdentifier: string;
  attachments: Map<string, string>;
  encryptedMetadata: string | null;
  encryptedData: string | null;
  /** How often a submit of this submission was accepted: must stay ≤ 1. */
  submitCount: number;
  events: string[];
}

export interface Zustelldienst {
  url: string;
  tokenUrl: string;
  submissionApiUrl: string;
  destinationId: string;
  clientId: string;
  clientSecret: string;
  /** The destination's key pair: public as FIT-Connect publishes it, private for the test. */
  publicJwk: JWK;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  privateJwk: JWK;
  submissions: Map<string, ReceivedSubmission>;
  /** The submissions that were submitted (not just created). */
  submitted(): ReceivedSubmission[];
  /** Every request: method, path and the status answered. */
  requests: { method: string; path: string; status: number }[];
  accept(submissionId: string): Promise<void>;
  /** An accept under the authority's key id, signed by someone else. */
  forgeAccept(submissionId: string): Promise<void>;
  reject(submissionId: string, problemType: string): Promise<void>;
  failNext(step: DoubleStep, times?: number): void;
  refuseNext(step: DoubleStep, status: number): void;
  /** The next request to `step` is taken, its answer held; resolves then, with a release. */
  holdNext(step: DoubleStep): Promise<() => void>;
  /** Opens a JWE sealed to the destination's key. */
  open(jwe: string): Promise<unknown>;
  close(): Promise<void>;
}

const ServiceSchema = z
  .object({ name: z.string().min(1).max(255), identifier: z.string().regex(LEIKA_URN) })
  .strict();
const CreateBase = {
  destinationId: z.uuid(),
  announcedAttachments: z.array(z.uuid()).max(100),
  callback: z.object({ url: z.url(), secret: z.string() }).strict().optional(),
};
const JsonSchemas = {
  /** v2 names the service `publicService` (and knows `region`); v1 named it `serviceType`. */
  create: {
    v2: z
      .object({ ...CreateBase, publicService: ServiceSchema, region: z.string().optional() })
      .strict(),
    v1: z.object({ ...CreateBase, serviceType: ServiceSchema }).strict(),
  },
  submit: z
    .object({ encryptedMetadata: JweCompactSchema, encryptedData: JweCompactSchema })
    .strict(),
};

type CryptoKeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** WebCrypto imports a key for the operations its JWK allows: FIT-Connect's say wrapKey. */
const withoutOps = ({ key_ops: _ops, use: _use, ...jwk }: JWK): JWK => jwk;

class Problem extends Error {
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string) {
    super(title);
    this.status = status;
    this.title = title;
  }
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function expectType(request: IncomingMessage, type: string) {
  const given = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (given !== type) throw new Problem(415, `content type must be ${type}`);
}

function json<T>(schema: z.ZodType<T>, text: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Problem(400, 'body is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Problem(
      400,
      `invalid body: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return parsed.data;
}

export async function startZustelldienst(
  options: {
    destinationId?: string;
    clientId?: string;
    clientSecret?: string;
    /**
     * The destination's key pair as JWKs (e.g. one whose `x5c` chains to a test root the
     * terminals check); default a fresh RSA key pair.
     */
    destinationKey?: { publicJwk: JWK; privateJwk: JWK };
  } = {},
): Promise<Zustelldienst> {
  const destinationId = options.destinationId ?? randomUUID();
  const clientId = options.clientId ?? 'amtomat-sender';
  const clientSecret = options.clientSecret ?? 'test-secret';
  const given = options.destinationKey;
  const kid = given?.publicJwk.kid ?? randomUUID();
  const keys = given
    ? {
        publicKey: await importJWK(withoutOps(given.publicJwk), 'RSA-OAEP-256'),
        privateKey: await importJWK(withoutOps(given.privateJwk), 'RSA-OAEP-256'),
      }
    : await generateKeyPair('RSA-OAEP-256', { modulusLength: 2048, extractable: true });
  const publicJwk: JWK = {
    ...(given?.publicJwk ?? (await exportJWK(keys.publicKey))),
    kid,
    alg: 'RSA-OAEP-256',
    use: 'enc',
    key_ops: ['wrapKey'],
  };
  const privateJwk: JWK = given?.privateJwk ?? {
    ...(await exportJWK(keys.privateKey)),
    kid,
    alg: 'RSA-OAEP-256',
  };
  const signing = await generateKeyPair('PS512');
  // The authority signs its accept/reject with its own key, published with the destination.
  const authority = await generateKeyPair('PS512', { extractable: true });
  const signatureKid = randomUUID();
  const signatureJwk: JWK = {
    ...(await exportJWK(authority.publicKey)),
    kid: signatureKid,
    alg: 'PS512',
    use: 'sig',
    key_ops: ['verify'],
  };
  const tokens = new Set<string>();
  const submissions = new Map<string, ReceivedSubmission>();
  const byCase = new Map<string, ReceivedSubmission>();
  const requests: Zustelldienst['requests'] = [];
  const failures = new Map<DoubleStep, number>();
  const refusals = new Map<DoubleStep, number>();
  const holds = new Map<DoubleStep, (arrived: () => void) => void>();

  const setEvent = (
    submission: ReceivedSubmission,
    event: string,
    payload: object,
    signer: { key: CryptoKeyLike; kid: string } = { key: signing.privateKey, kid: 'zustelldienst' },
  ) =>
    new SignJWT({
      events: { [`${FIT_EVENT_BASE}${event}`]: payload },
      txn: `case:${submission.caseId}`,
    })
      .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid: signer.kid })
      .setIssuer('https://test.fit-connect.fitko.dev')
      .setIssuedAt()
      .setJti(randomUUID())
      .setSubject(`submission:${submission.submissionId}`)
      .sign(signer.key);

  const open = async (jwe: string) => {
    const { plaintext } = await compactDecrypt(jwe, keys.privateKey);
    return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
  };

  function authorised(request: IncomingMessage) {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token || !tokens.has(token)) throw new Problem(401, 'missing or unknown access token');
  }

  function submissionOf(id: string): ReceivedSubmission {
    const submission = submissions.get(id);
    if (!submission) throw new Problem(404, 'submission not found');
    return submission;
  }

  async function route(
    request: IncomingMessage,
    path: string,
  ): Promise<{ step: DoubleStep; run: () => Promise<[number, unknown]> } | undefined> {
    const method = request.method ?? 'GET';
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'POST' && path === '/token') {
      return {
        step: 'token',
        run: async () => {
          expectType(request, 'application/x-www-form-urlencoded');
          const form = new URLSearchParams(await bodyOf(request));
          if (form.get('grant_type') !== 'client_credentials') {
            return [400, { error: 'unsupported_grant_type' }];
          }
          if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
            return [401, { error: 'invalid_client' }];
          }
          const token = randomUUID();
          tokens.add(token);
          return [
            200,
            { access_token: token, token_type: 'Bearer', expires_in: 1800, scope: 'send' },
          ];
        },
      };
    }
    const version = parts[0];
    if (version !== 'v1' && version !== 'v2') return undefined;
    const [, resource, id, sub, subId] = parts;
    if (method === 'GET' && resource === 'destinations' && id && !sub) {
      return {
        step: 'destination',
        run: async () => {
          authorised(request);
          if (id !== destinationId) throw new Problem(404, 'destination not found');
          return [
            200,
            {
              destinationId,
              status: 'active',
              encryptionKid: kid,
              metadataVersions: ['1.0.0'],
              services: [],
            },
          ];
        },
      };
    }
    if (method === 'GET' && resource === 'destinations' && sub === 'keys' && subId) {
      return {
        step: 'key',
        run: async () => {
          authorised(request);
          if (id !== destinationId) throw new Problem(404, 'key not found');
          if (subId === signatureKid) return [200, signatureJwk];
          if (subId !== kid) throw new Problem(404, 'key not found');
          return [200, publicJwk];
        },
      };
    }
    if (method === 'POST' && resource === 'submissions' && !id) {
      return {
        step: 'create',
        run: async () => {
          authorised(request);
          expectType(request, 'application/json');
          const text = await bodyOf(request);
          const body =
            version === 'v1'
              ? (({ serviceType, ...rest }) => ({ ...rest, publicService: serviceType }))(
                  json(JsonSchemas.create.v1, text),
                )
              : json(JsonSchemas.create.v2, text);
          if (body.destinationId !== destinationId) throw new Problem(404, 'destination not found');
          if (new Set(body.announcedAttachments).size !== body.announcedAttachments.length) {
            throw new Problem(400, 'announced attachments repeat an id');
          }
          const submission: ReceivedSubmission = {
            submissionId: randomUUID(),
            caseId: randomUUID(),
            destinationId,
            announcedAttachments: body.announcedAttachments,
            serviceIdentifier: body.publicService.identifier,
            attachments: new Map(),
            encryptedMetadata: null,
            encryptedData: null,
            submitCount: 0,
            events: [],
          };
          submissions.set(submission.submissionId, submission);
          byCase.set(submission.caseId, submission);
          return [
            201,
            { destinationId, submissionId: submission.submissionId, caseId: submission.caseId },
          ];
        },
      };
    }
    if (method === 'PUT' && resource === 'submissions' && id && sub === 'attachments' && subId) {
      return {
        step: 'upload',
        run: async () => {
          authorised(request);
          expectType(request, 'application/jose');
          const submission = submissionOf(id);
          if (!submission.announcedAttachments.includes(subId)) {
            throw new Problem(404, 'attachment was not announced');
          }
          const jwe = await bodyOf(request);
          if (!JweCompactSchema.safeParse(jwe).success) throw new Problem(400, 'not a JWE');
          const before = submission.attachments.get(subId);
          if (submission.submitCount > 0 || (before !== undefined && before !== jwe)) {
            throw new Problem(409, 'attachment already uploaded');
          }
          submission.attachments.set(subId, jwe);
          return [204, undefined];
        },
      };
    }
    if (method === 'PUT' && resource === 'submissions' && id && !sub) {
      return {
        step: 'submit',
        run: async () => {
          authorised(request);
          expectType(request, 'application/json');
          const submission = submissionOf(id);
          const body = json(JsonSchemas.submit, await bodyOf(request));
          if (submission.submitCount > 0) throw new Problem(409, 'submission already submitted');
          const missing = submission.announcedAttachments.filter(
            (a) => !submission.attachments.has(a),
          );
          if (missing.length > 0) throw new Problem(422, 'announced attachments missing');
          for (const jwe of [body.encryptedMetadata, body.encryptedData]) {
            const header = decodeProtectedHeader(jwe);
            if (header.alg !== 'RSA-OAEP-256' || header.enc !== 'A256GCM') {
              throw new Problem(422, 'JWE must be RSA-OAEP-256 + A256GCM');
            }
          }
          if (decodeProtectedHeader(body.encryptedMetadata).cty !== 'application/json') {
            throw new Problem(422, 'metadata JWE needs cty application/json');
          }
          const metadata = await open(body.encryptedMetadata).catch(() => {
            throw new Problem(422, 'metadata not sealed to the destination key');
          });
          if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
            throw new Problem(422, 'metadata is not a JSON object');
          }
          submission.encryptedMetadata = body.encryptedMetadata;
          submission.encryptedData = body.encryptedData;
          submission.submitCount += 1;
          submission.events.push(await setEvent(submission, 'submit-submission', {}));
          return [202, { destinationId, submissionId: id, caseId: submission.caseId }];
        },
      };
    }
    if (method === 'GET' && resource === 'cases' && id && sub === 'events') {
      return {
        step: 'events',
        run: async () => {
          authorised(request);
          const submission = byCase.get(id);
          if (!submission) throw new Problem(404, 'case not found');
          return [200, { eventLog: submission.events }];
        },
      };
    }
    return undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://double').pathname;
    const send = (status: number, body: unknown, type = 'application/json') => {
      requests.push({ method: request.method ?? '', path, status });
      response.writeHead(status, body === undefined ? {} : { 'content-type': type });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const found = await route(request, path);
    if (!found) return send(404, { title: 'no such endpoint' }, 'application/problem+json');
    const failing = failures.get(found.step) ?? 0;
    if (failing > 0) {
      failures.set(found.step, failing - 1);
      return send(503, { title: 'temporarily unavailable' }, 'application/problem+json');
    }
    const refusal = refusals.get(found.step);
    if (refusal !== undefined) {
      refusals.delete(found.step);
      return send(refusal, { title: 'refused' }, 'application/problem+json');
    }
    try {
      const [status, body] = await found.run();
      // Held: the request is done here, its answer waits (the client may die meanwhile).
      const hold = holds.get(found.step);
      if (hold) {
        holds.delete(found.step);
        await new Promise<void>((release) => hold(release));
      }
      send(status, body);
    } catch (error) {
      if (error instanceof Problem) {
        send(
          error.status,
          { title: error.title, status: error.status },
          'application/problem+json',
        );
      } else {
        send(500, { title: 'double failed' }, 'application/problem+json');
      }
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const answer = async (
    submissionId: string,
    event: string,
    payload: object,
    key: CryptoKeyLike = authority.privateKey,
  ) => {
    const submission = submissionOf(submissionId);
    submission.events.push(await setEvent(submission, event, payload, { key, kid: signatureKid }));
  };

  return {
    url,
    tokenUrl: `${url}/token`,
    submissionApiUrl: url,
    destinationId,
    clientId,
    clientSecret,
    publicJwk,
    privateKey: keys.privateKey,
    privateJwk,
    submissions,
    submitted: () => [...submissions.values()].filter((s) => s.submitCount > 0),
    requests,
    accept: (id) => answer(id, 'accept-submission', { problems: [] }),
    async forgeAccept(id) {
      const forger = await generateKeyPair('PS512');
      await answer(id, 'accept-submission', { problems: [] }, forger.privateKey);
    },
    reject: (id, problemType) =>
      answer(id, 'reject-submission', {
        problems: [
          { type: problemType, title: 'rejected', detail: 'rejected', instance: 'submission' },
        ],
      }),
    failNext(step, times = 1) {
      failures.set(step, times);
    },
    refuseNext(step, status) {
      refusals.set(step, status);
    },
    holdNext(step) {
      return new Promise((arrived) => {
        holds.set(step, (release) => arrived(release));
      });
    },
    open,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
