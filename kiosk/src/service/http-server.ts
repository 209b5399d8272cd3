import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Logger } from '@amtomat/basics';
import { type EventReply, type Health, RPC_PATHS, VIEW_EVENT } from '../contract/index.ts';
import type { KioskCore } from '../core/kiosk-core.ts';
import type { View } from '../core/views.ts';
import { throttledWarnings, tokenBuckets } from './rate-limit.ts';

const COOKIE = 'kiosk_auth';
const HEARTBEAT_MS = 15_000;
const AUTH_REFUSED =
  'This sign-in link is not valid or was already used: restart the kiosk for a new one.\n';

/**
 * What one client (one address; on loopback every local program shares it) may ask of the
 * RPC, so that no load it can make keeps the service from its window and `/healthz`. A
 * person taps a few times a second; a flood is refused with 429 before it costs anything.
 */
export const RPC_LIMITS = {
  /** A request body (`/api/event`, `/demo/action`); larger: 413. */
  maxBodyBytes: 16 * 1024,
  /** Events at once, then `eventsPerSecond` on average; over it: 429. */
  eventBurst: 50,
  eventsPerSecond: 25,
  /** Open view streams at once; one more: 429. */
  streamsPerClient: 4,
} as const;

/** Same policy as the Electron shell sets: the page may talk to its own origin only. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export interface HttpServerOptions {
  core: KioskCore;
  health(): Health;
  logger: Logger;
  /** The built UI (kiosk/ui/dist); a clear 503 page when it is missing. */
  uiDir: string;
  port: number;
  /** Extra routes behind the same checks (the demo control), tried before static files. */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, url: URL) => boolean;
}

export interface KioskHttpServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Opened once by the kiosk window: trades the per-start secret for the cookie. */
  authUrl: string;
  /** Another one-time URL that buys the cookie, then leads to `next` (the demo control). */
  issueAuthUrl(next: '/' | '/demo'): string;
  close(): Promise<void>;
}

/**
 * The typed RPC of DESIGN.md §2 on 127.0.0.1 only: UI events in, views out as SSE. Only the
 * kiosk window can drive it: the Host must be this loopback address (no DNS rebinding), a
 * state-changing request must come from this origin, and every API call needs the cookie
 * that the per-start secret buys.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<KioskHttpServer> {
  const { core, logger } = options;
  const cookieToken = randomBytes(32).toString('base64url');
  // One-time secrets, each redeemable once: a copied or logged URL buys nothing later.
  const authTokens = new Map<string, '/' | '/demo'>();
  const issueToken = (next: '/' | '/demo') => {
    const token = randomBytes(32).toString('base64url');
    authTokens.set(token, next);
    return token;
  };
  const secret = issueToken('/');
  const events = tokenBuckets({
    burst: RPC_LIMITS.eventBurst,
    perSecond: RPC_LIMITS.eventsPerSecond,
  });
  const views = viewBroadcast(core);
  // Refusals are logged, but a flood of them must not become a flood of log writes.
  const warn = throttledWarnings(logger);
  let origins: Set<string> = new Set();
  let hosts: Set<string> = new Set();

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.log('error', 'rpc.handler_failed', { error: String(error) });
      if (!response.headersSent) reply(response, 500, { ok: false, error: 'internal' });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!hosts.has(request.headers.host ?? '')) {
      warn('rpc.host_refused', { path: url.pathname });
      return reply(response, 421, { ok: false, error: { kind: 'forbidden-origin' } });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      warn('rpc.origin_refused', { path: url.pathname });
      return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
    }
    const pathname = decodePath(url.pathname);
    if (pathname === null) return reply(response, 400, invalid('the path is not valid'));
    if (url.pathname === RPC_PATHS.health) return reply(response, 200, options.health());
    if (url.pathname === RPC_PATHS.auth) return authenticate(request, url, response);
    const authorised = hasCookie(request);
    const client = request.socket.remoteAddress ?? 'unknown';
    if (url.pathname === RPC_PATHS.event && request.method === 'POST') {
      // A browser sends Origin on every POST; a request without one is not the kiosk page.
      if (origin === undefined) {
        warn('rpc.origin_missing', { path: url.pathname });
        return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
      }
      if (!authorised) return unauthorised(response, url);
      if (!events.take(client)) return tooMany(response, 'events');
      return receiveEvent(request, response);
    }
    if (url.pathname === RPC_PATHS.views && request.method === 'GET') {
      if (!authorised) return unauthorised(response, url);
      if (views.count(client) >= RPC_LIMITS.streamsPerClient) return tooMany(response, 'streams');
      return views.open(client, request, response);
    }
    if (options.extraRoutes && url.pathname.startsWith('/demo')) {
      if (!authorised) return unauthorised(response, url);
      if (request.method === 'POST' && origin === undefined) {
        return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
      }
      if (options.extraRoutes(request, response, url)) return;
    }
    if (request.method !== 'GET') return reply(response, 405, { ok: false, error: 'method' });
    return serveStatic(pathname, response);
  }

  function authenticate(request: IncomingMessage, url: URL, response: ServerResponse) {
    const token = redeem(url.searchParams.get('token') ?? '');
    // A second visit of a used URL by the browser that redeemed it (a reload) goes on.
    if (token === undefined && hasCookie(request)) {
      return response.writeHead(303, { Location: '/' }).end();
    }
    if (token === undefined) {
      warn('rpc.auth_refused', {});
      // A browser shows this page: one line for the person who opened the link.
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      return response.end(AUTH_REFUSED);
    }
    response.setHeader('Set-Cookie', `${COOKIE}=${cookieToken}; HttpOnly; SameSite=Strict; Path=/`);
    response.writeHead(303, { Location: token }).end();
  }

  /** The `next` of a valid unused token, which is used up by this; else undefined. */
  function redeem(presented: string): '/' | '/demo' | undefined {
    const given = Buffer.from(presented);
    for (const [token, next] of authTokens) {
      const expected = Buffer.from(token);
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        authTokens.delete(token);
        return next;
      }
    }
    return undefined;
  }

  function hasCookie(request: IncomingMessage): boolean {
    const cookies = request.headers.cookie?.split(';').map((part) => part.trim()) ?? [];
    const presented = cookies
      .find((part) => part.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(cookieToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  function unauthorised(response: ServerResponse, url: URL) {
    warn('rpc.unauthorised', { path: url.pathname });
    return reply(response, 401, { ok: false, error: { kind: 'unauthorized' } });
  }

  function tooMany(response: ServerResponse, what: 'events' | 'streams') {
    warn('rpc.rate_limited', { what });
    const reason =
      what === 'events'
        ? `too many events: at most ${RPC_LIMITS.eventsPerSecond} per second`
        : `too many view streams: at most ${RPC_LIMITS.streamsPerClient} at once`;
    response.setHeader('Retry-After', '1');
    return reply(response, 429, { ok: false, error: { kind: 'too-many', reason } });
  }

  async function receiveEvent(request: IncomingMessage, response: ServerResponse) {
    if (!isJson(request)) {
      return reply(response, 415, invalid('the Content-Type must be application/json'));
    }
    const body = await readBody(request);
    if (!body.ok) return reply(response, 413, invalid('the request is too large'));
    let event: unknown;
    try {
      event = JSON.parse(body.text);
    } catch {
      warn('rpc.event_malformed', {});
      return reply(response, 400, invalid('the body is not JSON'));
    }
    const result = core.send(event);
    if (result.ok) return reply(response, 200, { ok: true } satisfies EventReply);
    const status = result.error.kind === 'invalid' ? 400 : 409;
    return reply(response, status, { ok: false, error: result.error } satisfies EventReply);
  }

  function serveStatic(pathname: string, response: ServerResponse) {
    const index = join(options.uiDir, 'index.html');
    if (!existsSync(index)) {
      response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      return response.end('The kiosk UI is not built. Run: npm run build -w kiosk/ui\n');
    }
    const relative = normalize(pathname).replace(/^([/\\])+/, '');
    const file = join(options.uiDir, relative);
    const inside = file === options.uiDir || file.startsWith(options.uiDir + sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : index;
    const type = CONTENT_TYPES[extname(target)] ?? 'application/octet-stream';
    response.writeHead(200, {
      'Content-Type': type,
      'Cache-Control': target === index ? 'no-store' : 'public, max-age=3600',
    });
    response.end(readFileSync(target));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    authUrl: `${url}${RPC_PATHS.auth}?token=${secret}`,
    issueAuthUrl: (next) => `${url}${RPC_PATHS.auth}?token=${issueToken(next)}`,
    async close() {
      views.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function invalid(issues: string): EventReply {
  return { ok: false, error: { kind: 'invalid', issues } };
}

function reply(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

/**
 * The body as text, at most `RPC_LIMITS.maxBodyBytes`. Over it: `ok: false` at once, and the
 * rest is read and dropped (never held), so the 413 still reaches the client.
 */
export function readBody(
  request: IncomingMessage,
): Promise<{ ok: true; text: string } | { ok: false }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      request.removeAllListeners('data');
      request.resume();
      resolve({ ok: false });
    };
    request.on('error', reject);
    if (Number(request.headers['content-length']) > RPC_LIMITS.maxBodyBytes) return tooLarge();
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > RPC_LIMITS.maxBodyBytes) return tooLarge();
      chunks.push(chunk);
    });
    request.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
  });
}

function isJson(request: IncomingMessage): boolean {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** `decodeURIComponent` that answers null for a malformed escape (`/%`, `/%E0%A4%A`). */
function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/**
 * The view streams: each view is serialised once and the same text goes to every stream. A
 * stream that cannot keep up gets the latest view when it drains, never a growing backlog.
 */
function viewBroadcast(core: KioskCore) {
  interface Stream {
    client: string;
    blocked: boolean;
    pending: string | null;
  }
  const streams = new Map<ServerResponse, Stream>();
  const serialise = (view: View) => `event: ${VIEW_EVENT}\ndata: ${JSON.stringify(view)}\n\n`;
  let latest: string | null = null;
  const write = (response: ServerResponse, stream: Stream, text: string) => {
    if (stream.blocked) {
      stream.pending = text;
      return;
    }
    if (response.write(text)) return;
    stream.blocked = true;
    response.once('drain', () => {
      stream.blocked = false;
      const next = stream.pending;
      stream.pending = null;
      if (next !== null) write(response, stream, next);
    });
  };
  const unsubscribe = core.subscribe((view) => {
    latest = serialise(view);
    for (const [response, stream] of streams) write(response, stream, latest);
  });
  return {
    count: (client: string) => [...streams.values()].filter((s) => s.client === client).length,
    open(client: string, request: IncomingMessage, response: ServerResponse) {
      response.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      const stream: Stream = { client, blocked: false, pending: null };
      streams.set(response, stream);
      write(response, stream, latest ?? serialise(core.view()));
      const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
      request.on('close', () => {
        clearInterval(heartbeat);
        streams.delete(response);
      });
    },
    close() {
      unsubscribe();
      for (const response of streams.keys()) response.end();
    },
  };
}
