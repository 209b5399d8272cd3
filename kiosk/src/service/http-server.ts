import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Logger } from '@amtomat/locker-controller';
import type { KioskCore } from '../core/kiosk-core.ts';
import { type EventReply, type Health, RPC_PATHS, VIEW_EVENT } from './rpc-contract.ts';

const COOKIE = 'kiosk_auth';
const MAX_BODY_BYTES = 16 * 1024;
const HEARTBEAT_MS = 15_000;

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
  const secret = randomBytes(32).toString('base64url');
  const cookieToken = randomBytes(32).toString('base64url');
  const streams = new Set<ServerResponse>();
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
      logger.log('warn', 'rpc.host_refused', { path: url.pathname });
      return reply(response, 421, { ok: false, error: { kind: 'forbidden-origin' } });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      logger.log('warn', 'rpc.origin_refused', { path: url.pathname });
      return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
    }
    if (url.pathname === RPC_PATHS.health) return reply(response, 200, options.health());
    if (url.pathname === RPC_PATHS.auth) return authenticate(url, response);
    const authorised = hasCookie(request);
    if (url.pathname === RPC_PATHS.event && request.method === 'POST') {
      // A browser sends Origin on every POST; a request without one is not the kiosk page.
      if (origin === undefined) {
        logger.log('warn', 'rpc.origin_missing', { path: url.pathname });
        return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
      }
      if (!authorised) return unauthorised(response, url);
      return receiveEvent(request, response);
    }
    if (url.pathname === RPC_PATHS.views && request.method === 'GET') {
      if (!authorised) return unauthorised(response, url);
      return streamViews(request, response);
    }
    if (options.extraRoutes && url.pathname.startsWith('/demo')) {
      if (!authorised) return unauthorised(response, url);
      if (request.method === 'POST' && origin === undefined) {
        return reply(response, 403, { ok: false, error: { kind: 'forbidden-origin' } });
      }
      if (options.extraRoutes(request, response, url)) return;
    }
    if (request.method !== 'GET') return reply(response, 405, { ok: false, error: 'method' });
    return serveStatic(url.pathname, response);
  }

  function authenticate(url: URL, response: ServerResponse) {
    const token = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(secret);
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) {
      logger.log('warn', 'rpc.auth_refused', {});
      return reply(response, 401, { ok: false, error: { kind: 'unauthorized' } });
    }
    response.setHeader('Set-Cookie', `${COOKIE}=${cookieToken}; HttpOnly; SameSite=Strict; Path=/`);
    const next = url.searchParams.get('next');
    response.writeHead(303, { Location: next === '/demo' ? '/demo' : '/' }).end();
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
    logger.log('warn', 'rpc.unauthorised', { path: url.pathname });
    return reply(response, 401, { ok: false, error: { kind: 'unauthorized' } });
  }

  async function receiveEvent(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request);
    if (!body.ok) return reply(response, 413, invalid('the request is too large'));
    let event: unknown;
    try {
      event = JSON.parse(body.text);
    } catch {
      logger.log('warn', 'rpc.event_malformed', {});
      return reply(response, 400, invalid('the body is not JSON'));
    }
    const result = core.send(event);
    if (result.ok) return reply(response, 200, { ok: true } satisfies EventReply);
    const status = result.error.kind === 'invalid' ? 400 : 409;
    return reply(response, status, { ok: false, error: result.error } satisfies EventReply);
  }

  function streamViews(request: IncomingMessage, response: ServerResponse) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    streams.add(response);
    const send = (view: unknown) =>
      response.write(`event: ${VIEW_EVENT}\ndata: ${JSON.stringify(view)}\n\n`);
    const unsubscribe = core.subscribe(send);
    send(core.view());
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(response);
    });
  }

  function serveStatic(pathname: string, response: ServerResponse) {
    const index = join(options.uiDir, 'index.html');
    if (!existsSync(index)) {
      response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      return response.end('The kiosk UI is not built. Run: npm run build -w kiosk/ui\n');
    }
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
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
    async close() {
      for (const stream of streams) stream.end();
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

async function readBody(
  request: IncomingMessage,
): Promise<{ ok: true; text: string } | { ok: false }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false };
    chunks.push(chunk as Buffer);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
