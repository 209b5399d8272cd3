/**
 * The signed-in user changes their own password: the current one (wrong ones count like
 * failed sign-ins and lock the same way), the new one twice (12–200 characters). On success
 * every other session of the user ends and the change is audited, in one transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sha256 } from './auth.ts';
import { type ConsoleEnv, consolePath, type SignedView } from './context.ts';
import { html } from './html.ts';
import { audit, COOKIES, formFields, guard, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.ts';
import { csrfField, type FieldError, layout, notice, textField } from './views.ts';

const PASSWORD_PATH = consolePath('/password');

const PasswordFormSchema = z
  .object({
    currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    newPassword: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
    confirmPassword: z.string(),
  })
  .refine((form) => form.confirmPassword === form.newPassword, { path: ['confirmPassword'] })
  .refine((form) => form.newPassword !== form.currentPassword, { path: ['newPassword'] });

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;
type Field = (typeof FIELDS)[number];

const FIELD_ERRORS: Readonly<Record<Field, { field: MessageKey; custom: MessageKey }>> = {
  currentPassword: { field: 'error.currentPassword', custom: 'error.currentPassword' },
  newPassword: { field: 'error.password', custom: 'error.passwordUnchanged' },
  confirmPassword: { field: 'error.passwordMismatch', custom: 'error.passwordMismatch' },
};

/** One message per field, in the order of the form. */
function formErrors(error: z.ZodError, view: SignedView): FieldError[] {
  return FIELDS.flatMap((field) => {
    const issue = error.issues.find((i) => i.path[0] === field);
    if (!issue) return [];
    const keys = FIELD_ERRORS[field];
    return [{ field, message: view.t(issue.code === 'custom' ? keys.custom : keys.field) }];
  });
}

/** The form; passwords are never sent back into it. */
function passwordPage(
  reply: FastifyReply,
  view: SignedView,
  state: { status: number; errors?: FieldError[]; done?: boolean },
) {
  const { t } = view;
  const errors = state.errors ?? [];
  const body = html`${state.done ? notice(t('password.done')) : ''}<p>${t('password.intro')}</p>
<form method="post" action="${PASSWORD_PATH}" novalidate>
${csrfField(view.csrf)}
${textField({ name: 'currentPassword', label: t('password.current'), type: 'password', autocomplete: 'current-password', required: true, errors })}
${textField({ name: 'newPassword', label: t('password.new'), hint: t('password.newHint'), type: 'password', autocomplete: 'new-password', required: true, errors })}
${textField({ name: 'confirmPassword', label: t('password.confirm'), type: 'password', autocomplete: 'new-password', required: true, errors })}
<button type="submit">${t('password.submit')}</button>
</form>`;
  return sendPage(reply, state.status, layout(view, { title: t('password.title'), body, errors }));
}

export function registerPasswordRoutes(
  scope: FastifyInstance,
  env: ConsoleEnv,
  clientAddress: (request: FastifyRequest) => string,
) {
  scope.get(
    '/password',
    guard(env, 'account', async (request, reply, view) =>
      passwordPage(reply, view, {
        status: 200,
        done: formFields(request.query).done === 'changed',
      }),
    ),
  );

  scope.post(
    '/password',
    guard(env, 'account', async (request, reply, view, form) => {
      const parsed = PasswordFormSchema.safeParse({
        currentPassword: form.currentPassword ?? '',
        newPassword: form.newPassword ?? '',
        confirmPassword: form.confirmPassword ?? '',
      });
      if (!parsed.success) {
        return passwordPage(reply, view, { status: 422, errors: formErrors(parsed.error, view) });
      }
      const now = env.clock.now();
      const { currentPassword, newPassword } = parsed.data;
      const checked = await env.auth.checkPassword(
        view.user,
        currentPassword,
        clientAddress(request),
        now,
      );
      if (!checked.ok) {
        env.logger.log('warn', 'console.password-change-refused', {
          user: view.user.id,
          reason: checked.error,
        });
        const locked = checked.error === 'locked';
        const message = view.t(locked ? 'error.passwordLocked' : 'error.currentPasswordWrong');
        return passwordPage(reply, view, {
          status: locked ? 429 : 422,
          errors: [{ field: 'currentPassword', message }],
        });
      }
      const passwordHash = await hashPassword(newPassword);
      const keepSessionHash = sha256(request.cookies[COOKIES.session] ?? '');
      const ended = await env.storage.sql.transaction(async (tx) => {
        const sessions = await env.store.setPassword(
          { userId: view.user.id, passwordHash, keepSessionHash },
          tx,
        );
        const details = { endedSessions: sessions };
        await audit(
          env,
          view,
          { action: 'password-changed', target: view.user.id, reason: null, details },
          tx,
        );
        return sessions;
      });
      env.logger.log('info', 'console.password-changed', {
        user: view.user.id,
        endedSessions: ended,
      });
      return reply.redirect(`${PASSWORD_PATH}?done=changed`, 303);
    }),
  );
}
