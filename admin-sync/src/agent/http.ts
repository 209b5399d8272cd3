/**
 * The agent's HTTP: global fetch, every call bounded by a timeout and by the agent's stop
 * signal, every failure a value. Device routes are signed over the exact bytes sent.
 */
import type { KeyObject } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { clockHeaders, type ErrorReply, ErrorReplySchema, signRequest } from '../protocol/index.ts';

export type Fetch = typeof globalThis.fetch;

export interface HttpReply {
  status: number;
  /** Parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  /** The server's view of our clock (`x-clock-skew-ms`), on authenticated replies. */
  skewMs: number | undefined;
}

export type HttpFailure =
  | { kind: 'network'; message: string }
  | { kind: 'timeout'; message: string }
  /** The caller's signal (the agent stopping): not the network's fault. */
  | { kind: 'aborted'; message: string };

export interface HttpDeps {
  baseUrl: string;
  fetch: Fetch;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Why fetch failed, without anything of the request: `fetch failed (ECONNREFUSED)`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof detail === 'string' && detail !== ''
    ? `${error.message} (${detail})`
    : error.message;
}

const parseJson = (text: string): unknown => {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** One request, body read in full: a connection cut mid-response is a network failure. */
export async function sendRequest(
  deps: HttpDeps,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
): Promise<Result<HttpReply, HttpFailure>> {
  if (deps.signal?.aborted) return err({ kind: 'aborted', message: 'stopped' });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, deps.timeoutMs);
  const onStop = () => controller.abort();
  deps.signal?.addEventListener('abort', onStop, { once: true });
  try {
    const response = await deps.fetch(`${deps.baseUrl.replace(/\/+$/, '')}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: controller.signal,
    });
    const text = await response.text();
    const skew = Number(response.headers.get(clockHeaders.skew));
    return ok({
      status: response.status,
      body: parseJson(text),
      skewMs: response.headers.has(clockHeaders.skew) && Number.isFinite(skew) ? skew : undefined,
    });
  } catch (error) {
    if (timedOut) return err({ kind: 'timeout', message: `no reply within ${deps.timeoutMs} ms` });
    if (deps.signal?.aborted) return err({ kind: 'aborted', message: 'stopped' });
    return err({ kind: 'network', message: describe(error) });
  } finally {
    clearTimeout(timer);
    deps.signal?.removeEventListener('abort', onStop);
  }
}

export interface SignedClient {
  get(path: string): Promise<Result<HttpReply, HttpFailure>>;
  post(path: string, body: unknown): Promise<Result<HttpReply, HttpFailure>>;
}

/** Signs each request with a fresh nonce and the current time: a re-send is a new request. */
export function signedClient(
  deps: HttpDeps,
  identity: { deviceId: string; privateKey: KeyObject },
  now: () => number,
): SignedClient {
  const send = (method: 'GET' | 'POST', path: string, body?: string) => {
    const headers: Record<string, string> = signRequest(
      { method, path, body: body ?? '' },
      identity,
      now(),
    );
    if (body !== undefined) headers['content-type'] = 'application/json';
    return sendRequest(deps, { method, path, headers, ...(body === undefined ? {} : { body }) });
  };
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, JSON.stringify(body)),
  };
}

/** The error reply of a non-2xx answer, if it is one. */
export function errorReply(reply: HttpReply): ErrorReply | undefined {
  const parsed = ErrorReplySchema.safeParse(reply.body);
  return parsed.success ? parsed.data : undefined;
}

/** A short technical description of a refused request: status and code, never the body. */
export function describeRefusal(reply: HttpReply): string {
  const error = errorReply(reply);
  if (!error) return `HTTP ${reply.status}`;
  const skew = error.skewMs === undefined ? '' : ` (device clock ${error.skewMs} ms off)`;
  return `HTTP ${reply.status} ${error.error}${skew}`;
}
