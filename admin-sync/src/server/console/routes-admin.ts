/** For admins: console users (list, add, disable) and the audit log of console actions. */
import type { FastifyInstance } from 'fastify';
import { type AuditNames, auditNames, auditSentence } from './audit-text.ts';
import { type ConsoleEnv, consolePath, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { audit, guard, idParam, messagePage, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { qrSvg } from './qr.ts';
import { type AuditEntry, type ConsoleUser, ROLES, type Role } from './store.ts';
import { type AddUserError, addUser } from './users.ts';
import {
  checkbox,
  csrfField,
  type FieldError,
  layout,
  notice,
  selectField,
  textField,
} from './views.ts';

const USER_ERRORS: Readonly<
  Record<`${AddUserError['field']}-${AddUserError['problem']}`, MessageKey>
> = {
  'username-invalid': 'error.username',
  'username-taken': 'error.usernameTaken',
  'role-invalid': 'error.role',
  'password-invalid': 'error.password',
  'password-taken': 'error.password',
  'role-taken': 'error.role',
};

const ROLE_LABELS: Readonly<Record<Role, MessageKey>> = {
  admin: 'role.admin',
  clerk: 'role.clerk',
  viewer: 'role.viewer',
  evaluator: 'role.evaluator',
};
const roleText = (view: SignedView, role: Role) => view.t(ROLE_LABELS[role]);

/** The users with the lock state of each (too many failed sign-ins). */
async function usersWithLocks(env: ConsoleEnv): Promise<ListedUser[]> {
  const now = env.clock.now();
  const users = await env.store.users();
  return Promise.all(
    users.map(async (u) => ({ ...u, locked: await env.auth.userLocked(u.username, now) })),
  );
}

type ListedUser = ConsoleUser & { locked: boolean };

function userActions(view: SignedView, u: ListedUser): SafeHtml {
  const { t } = view;
  const action = (path: string, label: string, danger: boolean) =>
    html`<form method="post" action="${consolePath(`/users/${encodeURIComponent(u.id)}/${path}`)}">${csrfField(view.csrf)}<button type="submit"${danger ? html` class="danger"` : ''}>${label}</button></form>`;
  return html`${u.locked && u.disabledAt === null ? action('unlock', t('users.unlock', { user: u.username }), false) : ''}${
    u.disabledAt === null && u.id !== view.user.id
      ? action('disable', t('users.disable', { user: u.username }), true)
      : ''
  }`;
}

function userState(view: SignedView, u: ListedUser): string {
  if (u.disabledAt !== null) return view.t('users.disabledAt', { at: view.date(u.disabledAt) });
  return view.t(u.locked ? 'users.locked' : 'users.active');
}

function usersPage(
  view: SignedView,
  users: ListedUser[],
  state: {
    values?: { username?: string; role?: string; totp?: boolean };
    errors?: FieldError[];
    added?: { username: string; totpUri: string | null };
    unlocked?: string;
  } = {},
): SafeHtml {
  const { t } = view;
  const added = state.added
    ? html`${notice(t('users.added', { user: state.added.username }))}${
        state.added.totpUri
          ? html`<div class="secret"><h2>${t('users.totpTitle')}</h2><p>${t('users.totpOnce')}</p><figure>${qrSvg(state.added.totpUri, t('users.totpQr'))}</figure><p><code>${state.added.totpUri}</code></p></div>`
          : ''
      }`
    : state.unlocked
      ? notice(t('users.unlocked', { user: state.unlocked }))
      : '';
  const list = html`<table>
<caption>${t('users.caption', { count: users.length })}</caption>
<thead><tr><th scope="col">${t('users.username')}</th><th scope="col">${t('users.role')}</th><th scope="col">${t('users.totp')}</th><th scope="col">${t('users.created')}</th><th scope="col">${t('users.state')}</th><th scope="col">${t('users.actions')}</th></tr></thead>
<tbody>${users.map(
    (
      u,
    ) => html`<tr><th scope="row">${u.username}</th><td>${roleText(view, u.role)}</td><td>${t(u.totpSecret ? 'users.yes' : 'users.no')}</td><td>${view.date(u.createdAt)}</td>
<td${u.locked && u.disabledAt === null ? html` class="warn"` : ''}>${userState(view, u)}</td>
<td>${userActions(view, u)}</td></tr>`,
  )}</tbody>
</table>`;
  const errors = state.errors ?? [];
  const form = html`<h2>${t('users.addTitle')}</h2>
<form method="post" action="${consolePath('/users')}" novalidate>
${csrfField(view.csrf)}
${textField({ name: 'username', label: t('users.username'), hint: t('users.usernameHint'), value: state.values?.username, autocomplete: 'off', required: true, errors })}
${selectField({ name: 'role', label: t('users.role'), value: state.values?.role ?? 'clerk', errors, options: ROLES.map((r) => ({ value: r, label: roleText(view, r) })) })}
${textField({ name: 'password', label: t('users.password'), hint: t('users.passwordHint'), type: 'password', autocomplete: 'new-password', required: true, errors })}
${checkbox({ name: 'totp', label: t('users.withTotp'), checked: state.values?.totp ?? true })}
<button type="submit">${t('users.submit')}</button>
</form>`;
  return layout(view, { title: t('users.title'), body: [html`${added}`, list, form], errors });
}

function auditPage(view: SignedView, entries: readonly AuditEntry[], names: AuditNames): SafeHtml {
  const { t } = view;
  const body =
    entries.length === 0
      ? html`<p>${t('audit.none')}</p>`
      : html`<table>
<caption>${t('audit.caption', { count: entries.length })}</caption>
<thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('audit.user')}</th><th scope="col">${t('audit.what')}</th><th scope="col">${t('audit.reason')}</th></tr></thead>
<tbody>${entries.map(
          (e) =>
            html`<tr><td>${view.date(e.at)}</td><td>${e.username}</td><td>${auditSentence(view, e, names)}</td><td>${e.reason ?? ''}</td></tr>`,
        )}</tbody>
</table>`;
  return layout(view, { title: t('audit.title'), body });
}

export function registerAdminRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/users',
    guard(env, 'admin', async (_request, reply, view) =>
      sendPage(reply, 200, usersPage(view, await usersWithLocks(env))),
    ),
  );

  scope.post(
    '/users',
    guard(env, 'admin', async (_request, reply, view, form) => {
      const values = {
        username: form.username ?? '',
        role: form.role ?? '',
        totp: form.totp === 'on',
      };
      const added = await addUser(
        env.store,
        { ...values, password: form.password ?? '' },
        env.clock.now(),
      );
      if (!added.ok) {
        const errors = added.error.map((e) => ({
          field: e.field,
          message: view.t(USER_ERRORS[`${e.field}-${e.problem}`]),
        }));
        return sendPage(reply, 422, usersPage(view, await usersWithLocks(env), { values, errors }));
      }
      const { user, totpUri } = added.value;
      await audit(env, view, {
        action: 'user-added',
        target: user.id,
        reason: null,
        details: { role: user.role, totp: totpUri !== null },
      });
      env.logger.log('info', 'console.user-added', {
        user: view.user.id,
        added: user.id,
        role: user.role,
      });
      // Shown once, not redirected: the TOTP URI is never shown again.
      return sendPage(
        reply,
        200,
        usersPage(view, await usersWithLocks(env), {
          added: { username: user.username, totpUri },
        }),
      );
    }),
  );

  scope.post(
    '/users/:id/disable',
    guard(env, 'admin', async (request, reply, view) => {
      const id = idParam(request);
      const target = id === undefined ? undefined : await env.store.userById(id);
      view = { ...view, path: consolePath('/users') };
      if (!target) return messagePage(reply, view, 404, 'notFound.title', 'notFound.user');
      if (target.id === view.user.id)
        return messagePage(reply, view, 409, 'users.title', 'users.notSelf');
      await env.store.disableUser(target.id, env.clock.now());
      await audit(env, view, {
        action: 'user-disabled',
        target: target.id,
        reason: null,
        details: null,
      });
      env.logger.log('info', 'console.user-disabled', { user: view.user.id, disabled: target.id });
      return reply.redirect(consolePath('/users'), 303);
    }),
  );

  scope.post(
    '/users/:id/unlock',
    guard(env, 'admin', async (request, reply, view) => {
      const id = idParam(request);
      const target = id === undefined ? undefined : await env.store.userById(id);
      view = { ...view, path: consolePath('/users') };
      if (!target) return messagePage(reply, view, 404, 'notFound.title', 'notFound.user');
      await env.auth.unlockUser(target.username);
      await audit(env, view, {
        action: 'user-unlocked',
        target: target.id,
        reason: null,
        details: null,
      });
      env.logger.log('info', 'console.user-unlocked', { user: view.user.id, unlocked: target.id });
      return sendPage(
        reply,
        200,
        usersPage(view, await usersWithLocks(env), { unlocked: target.username }),
      );
    }),
  );

  scope.get(
    '/audit',
    guard(env, 'admin', async (_request, reply, view) => {
      const entries = await env.store.audit({ limit: 500 });
      const names = await auditNames(env, entries);
      return sendPage(reply, 200, auditPage(view, entries, names));
    }),
  );
}
