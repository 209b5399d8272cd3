/** Sign-in and sign-out. The sign-in form carries its own CSRF token (double-submit cookie). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newToken, sameToken } from './auth.ts';
import { type ConsoleEnv, consolePath, type View } from './context.ts';
import { html } from './html.ts';
import {
  COOKIES,
  type CookieSettings,
  cookieOptions,
  formFields,
  guard,
  messagePage,
  sendPage,
  views,
} from './http.ts';
import { type FieldError, layout, textField } from './views.ts';

/** Only a console page may be the target after sign-in (no open redirect). */
export function safeNext(next: string | undefined): string {
  const fallback = consolePath('/');
  if (next === undefined) return fallback;
  const safe = next.startsWith(consolePath('/')) && !/[\\\s]|\/\/|\.\./.test(next);
  return safe ? next : fallback;
}

function loginPage(
  reply: FastifyReply,
  view: View,
  settings: CookieSettings,
  state: { status: number; username?: string; next?: string | undefined; error?: string },
) {
  const { t } = view;
  const csrf = newToken();
  reply.setCookie(COOKIES.loginCsrf, csrf, cookieOptions(settings, 3600));
  const errors: FieldError[] = state.error ? [{ field: 'username', message: state.error }] : [];
  const body = html`<form method="post" action="${consolePath('/login')}" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="next" value="${safeNext(state.next)}">
${textField({ name: 'username', label: t('login.username'), value: state.username, autocomplete: 'username', required: true, errors })}
${textField({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true })}
${textField({ name: 'totp', label: t('login.totp'), hint: t('login.totpHint'), autocomplete: 'one-time-code', inputmode: 'numeric' })}
<button type="submit">${t('login.submit')}</button>
</form>`;
  return sendPage(reply, state.status, layout(view, { title: t('login.title'), body, errors }));
}

export function registerLoginRoutes(
  scope: FastifyInstance,
  env: ConsoleEnv,
  settings: CookieSettings,
  clientAddress: (request: FastifyRequest) => string,
) {
  const viewOf = (request: FastifyRequest) => views.get(request)!;

  scope.get('/login', async (request, reply) => {
    const view = viewOf(request);
    const next = formFields(request.query).next;
    if (view.user) return reply.redirect(safeNext(next), 303);
    return loginPage(reply, view, settings, { status: 200, next });
  });

  scope.post('/login', async (request, reply) => {
    const view = viewOf(request);
    const form = formFields(request.body);
    if (!sameToken(form._csrf, request.cookies[COOKIES.loginCsrf] ?? '')) {
      env.logger.log('warn', 'console.login-csrf-refused', {});
      return messagePage(reply, view, 403, 'csrf.title', 'csrf.text', {
        href: consolePath('/login'),
        label: 'auth.signIn',
      });
    }
    const now = env.clock.now();
    const input = {
      username: form.username ?? '',
      password: form.password ?? '',
      totp: form.totp ?? '',
    };
    const result = await env.auth.login(input, clientAddress(request), now);
    if (!result.ok) {
      env.logger.log('warn', 'console.login-failed', { reason: result.error });
      const locked = result.error === 'locked';
      return loginPage(reply, view, settings, {
        status: locked ? 429 : 401,
        username: input.username,
        next: form.next,
        error: view.t(locked ? 'login.locked' : 'login.invalid'),
      });
    }
    const user = result.value;
    const session = await env.auth.startSession(user, now);
    await env.store.addAudit({
      at: now,
      userId: user.id,
      username: user.username,
      action: 'login',
      target: null,
      reason: null,
      details: null,
    });
    env.logger.log('info', 'console.login', { user: user.id, role: user.role });
    reply.setCookie(COOKIES.session, session.token, cookieOptions(settings));
    reply.clearCookie(COOKIES.loginCsrf, cookieOptions(settings));
    return reply.redirect(safeNext(form.next), 303);
  });

  scope.post(
    '/logout',
    guard(env, 'account', async (request, reply, view) => {
      await env.auth.endSession(request.cookies[COOKIES.session]);
      env.logger.log('info', 'console.logout', { user: view.user.id });
      reply.clearCookie(COOKIES.session, cookieOptions(settings));
      return reply.redirect(consolePath('/login'), 303);
    }),
  );
}
