/**
 * Request plumbing shared by the console's routes: the view of a request (language, session),
 * the guard every page goes through (signed in, role, CSRF on POST), form bodies, replies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SqlQueryable } from '../storage/driver.ts';
import { sameToken } from './auth.ts';
import {
  type ConsoleEnv,
  consolePath,
  homePath,
  may,
  type Permission,
  type SignedView,
  type View,
} from './context.ts';
import { html, type SafeHtml } from './html.ts';
import {
  type ConsoleLanguage,
  DEFAULT_LANGUAGE,
  dateTimeFormatter,
  isConsoleLanguage,
  type MessageKey,
  translator,
} from './i18n.ts';
import type { SessionRecord } from './store.ts';
import { layout } from './views.ts';

export const COOKIES = {
  session: 'amc_session',
  language: 'amc_lang',
  loginCsrf: 'amc_login',
} as const;

export interface CookieSettings {
  secure: boolean;
}

export const cookieOptions = (settings: CookieSettings, maxAgeS?: number) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: settings.secure,
  path: consolePath(''),
  ...(maxAgeS === undefined ? {} : { maxAge: maxAgeS }),
});

const LangQuerySchema = z.object({ lang: z.string().optional() }).loose();
const FormBodySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const IdParamsSchema = z.object({ id: z.string().min(1).max(100) });

/** A urlencoded body as single strings (the first of repeated fields); `{}` if none. */
export function formFields(body: unknown): Record<string, string> {
  const parsed = FormBodySchema.safeParse(body ?? {});
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(parsed.data).map(([key, value]) => [
      key,
      Array.isArray(value) ? (value[0] ?? '') : value,
    ]),
  );
}

/** The `:id` of the route's path; undefined when it cannot be an id (then nothing has it). */
export function idParam(request: FastifyRequest): string | undefined {
  const parsed = IdParamsSchema.safeParse(request.params);
  return parsed.success ? parsed.data.id : undefined;
}

export function requestLanguage(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: CookieSettings,
) {
  const query = LangQuerySchema.safeParse(request.query);
  const asked = query.success ? query.data.lang : undefined;
  if (isConsoleLanguage(asked)) {
    reply.setCookie(COOKIES.language, asked, cookieOptions(cookies, 365 * 24 * 3600));
    return asked;
  }
  const stored = request.cookies[COOKIES.language];
  return isConsoleLanguage(stored) ? stored : DEFAULT_LANGUAGE;
}

/** The path without query, for the language switch. */
const pathOf = (url: string) => url.split('?')[0] ?? url;

export function makeView(
  env: ConsoleEnv,
  lang: ConsoleLanguage,
  url: string,
  session: SessionRecord | undefined,
): View {
  return {
    lang,
    t: translator(lang),
    date: dateTimeFormatter(lang, env.timeZone),
    path: pathOf(url),
    user: session?.user ?? null,
    csrf: session?.csrfToken ?? null,
  };
}

export function sendPage(reply: FastifyReply, status: number, page: SafeHtml) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(page.value);
}

/** A short page with a heading and one message (errors, refusals). */
export function messagePage(
  reply: FastifyReply,
  view: View,
  status: number,
  title: MessageKey,
  message: MessageKey,
  link?: { href: string; label: MessageKey },
) {
  const body = html`<p>${view.t(message)}</p>${link ? html`<p><a href="${link.href}">${view.t(link.label)}</a></p>` : ''}`;
  return sendPage(reply, status, layout(view, { title: view.t(title), body }));
}

export type GuardedHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  view: SignedView,
  form: Record<string, string>,
) => Promise<unknown>;

/** Views per request, filled by the console's preHandler hook. */
export const views = new WeakMap<FastifyRequest, View>();

export function guard(env: ConsoleEnv, permission: Permission, handler: GuardedHandler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const view = views.get(request);
    if (!view) throw new Error('console view missing');
    const post = request.method === 'POST';
    if (!view.user || !view.csrf) {
      if (post) {
        return messagePage(reply, view, 401, 'auth.expiredTitle', 'auth.expired', {
          href: consolePath('/login'),
          label: 'auth.signIn',
        });
      }
      const next = encodeURIComponent(request.url);
      return reply.redirect(`${consolePath('/login')}?next=${next}`, 303);
    }
    if (!may(view.user, permission)) {
      // An evaluator's start page is the evaluation, not the overview (signing in lands there).
      if (view.path === consolePath('/')) return reply.redirect(homePath(view.user), 303);
      env.logger.log('warn', 'console.forbidden', { user: view.user.id, route: view.path });
      return messagePage(reply, view, 403, 'forbidden.title', 'forbidden.text');
    }
    const form = post ? formFields(request.body) : {};
    if (post && !sameToken(form._csrf, view.csrf)) {
      env.logger.log('warn', 'console.csrf-refused', { user: view.user.id, route: view.path });
      return messagePage(reply, view, 403, 'csrf.title', 'csrf.text');
    }
    return handler(request, reply, view as SignedView, form);
  };
}

/**
 * The audit row of a console action, written by the user of the view; inside `tx` when the
 * action has one, so the action and its record commit together.
 */
export function audit(
  env: Pick<ConsoleEnv, 'store' | 'clock'>,
  view: Pick<SignedView, 'user'>,
  entry: {
    action: string;
    target: string | null;
    reason: string | null;
    details: Record<string, string | number | boolean | null> | null;
  },
  tx?: SqlQueryable,
) {
  return env.store.addAudit(
    { at: env.clock.now(), userId: view.user.id, username: view.user.username, ...entry },
    tx,
  );
}
