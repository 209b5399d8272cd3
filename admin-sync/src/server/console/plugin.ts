/**
 * The Bürgerbüro console: server-rendered HTML forms under /console/, no script needed.
 * `registerConsole(app, options)` mounts it on the fleet server (cli.ts does).
 *
 * Security: session cookie HttpOnly, SameSite=Strict, Path=/console, Secure behind HTTPS;
 * only a SHA-256 of the session token stored; a CSRF token per session checked on every
 * POST; CSP without inline script or style, no framing, no referrer; every page needs a
 * session and a role.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, type Logger, silentLogger, systemClock } from '@amtomat/basics';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_TIME_ZONE } from '../../protocol/index.ts';
import { defaultEvaluationConfig, type EvaluationConfig } from '../evaluation/config.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { type AuthPolicy, authenticator, DEFAULT_AUTH_POLICY } from './auth.ts';
import { CONSOLE_PREFIX, type ConsoleEnv, consolePath } from './context.ts';
import {
  COOKIES,
  type CookieSettings,
  makeView,
  messagePage,
  requestLanguage,
  views,
} from './http.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerAnnounceRoutes } from './routes-announce.ts';
import { registerApplicationRoutes } from './routes-applications.ts';
import { registerEvaluationRoutes } from './routes-evaluation.ts';
import { registerItemRoutes } from './routes-items.ts';
import { registerLoginRoutes } from './routes-login.ts';
import { registerNoticeRoutes } from './routes-notices.ts';
import { registerParkedRoutes } from './routes-parked.ts';
import { registerPasswordRoutes } from './routes-password.ts';
import { registerTerminalRoutes } from './routes-terminals.ts';
import { consoleStore } from './store.ts';

export interface ConsoleOptions {
  storage: FleetStorage;
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** The console is reached over HTTPS (a TLS proxy in front): cookies get `Secure`. */
  secureCookies?: boolean;
  /** Behind a reverse proxy: the client address is the last X-Forwarded-For entry. */
  trustForwardedFor?: boolean;
  policy?: Partial<AuthPolicy>;
  /** A terminal heard from within this is online; default 5 minutes. */
  onlineWindowMs?: number;
  /** Times are shown in the office's zone; default Europe/Berlin. */
  timeZone?: string;
  /** The evaluation's config (`<data>/evaluation.json`); defaults without sites. */
  evaluation?: EvaluationConfig;
}

const CSS = readFileSync(join(import.meta.dirname, 'console.css'), 'utf8');

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

function clientAddressOf(trustForwardedFor: boolean) {
  return (request: FastifyRequest): string => {
    const forwarded = request.headers['x-forwarded-for'];
    if (trustForwardedFor && typeof forwarded === 'string') {
      const last = forwarded.split(',').at(-1)?.trim();
      if (last) return last;
    }
    return request.ip;
  };
}

export async function registerConsole(
  app: FastifyInstance,
  options: ConsoleOptions,
): Promise<void> {
  const store = consoleStore(options.storage.sql, options.storage.secrets);
  const env: ConsoleEnv = {
    storage: options.storage,
    store,
    auth: authenticator(store, { ...DEFAULT_AUTH_POLICY, ...options.policy }),
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    onlineWindowMs: options.onlineWindowMs ?? 5 * 60_000,
    timeZone: options.timeZone ?? DEFAULT_TIME_ZONE,
    evaluation: options.evaluation ?? defaultEvaluationConfig(),
  };
  const cookies: CookieSettings = { secure: options.secureCookies ?? false };

  app.get('/', async (_request, reply) => reply.redirect(consolePath('/'), 303));
  await app.register(
    async (scope) => {
      await scope.register(fastifyCookie);
      await scope.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
      scope.addHook('onRequest', async (_request, reply) => {
        reply.headers(SECURITY_HEADERS);
        if (cookies.secure) reply.header('strict-transport-security', 'max-age=31536000');
      });
      scope.addHook('preHandler', async (request, reply) => {
        const lang = requestLanguage(request, reply, cookies);
        const session = await env.auth.session(request.cookies[COOKIES.session], env.clock.now());
        views.set(request, makeView(env, lang, request.url, session));
      });
      scope.setNotFoundHandler(async (request, reply) => {
        const view = views.get(request) ?? makeView(env, 'de', request.url, undefined);
        return messagePage(reply, view, 404, 'notFound.title', 'notFound.page');
      });
      scope.setErrorHandler(async (error: FastifyError, request, reply) =>
        consoleError(env, error, request, reply),
      );

      scope.get('/console.css', async (_request, reply) =>
        reply
          .type('text/css; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .send(CSS),
      );
      const clientAddress = clientAddressOf(options.trustForwardedFor ?? false);
      registerLoginRoutes(scope, env, cookies, clientAddress);
      registerPasswordRoutes(scope, env, clientAddress);
      registerTerminalRoutes(scope, env);
      registerAnnounceRoutes(scope, env);
      registerItemRoutes(scope, env);
      registerNoticeRoutes(scope, env);
      registerParkedRoutes(scope, env);
      registerApplicationRoutes(scope, env);
      registerAdminRoutes(scope, env);
      registerEvaluationRoutes(scope, env);
    },
    { prefix: CONSOLE_PREFIX },
  );
}

function consoleError(
  env: ConsoleEnv,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const status = error.statusCode ?? 500;
  const view = views.get(request) ?? makeView(env, 'de', request.url, undefined);
  if (status < 500) return messagePage(reply, view, status, 'badRequest.title', 'badRequest.text');
  env.logger.log('error', 'console.error', {
    route: request.routeOptions.url ?? 'unknown',
    error: error.message,
  });
  return messagePage(reply, view, 500, 'serverError.title', 'serverError.text');
}
