/**
 * Applications (issue #12) in the console, for clerks: metadata only — case number, service,
 * terminal, time, destination, state and the reason code of a refusal; the form data is
 * ciphertext the server cannot read. A town hall without FIT-Connect downloads each
 * envelope here and opens it on the clerk's own machine (`fleet-server decrypt`). A
 * submission no destination would take is listed as parked, with its envelope: never lost.
 * "Ready for pickup" announces the result (a Meldebescheinigung) to the terminal's locker,
 * with the case number as its reference.
 */
import type { FastifyInstance } from 'fastify';
import { AnnounceInputSchema, announceItem, NOTICE_LANGUAGES } from '../announce.ts';
import {
  type ApplicationRecord,
  application,
  applications,
  envelopeOf,
  moveApplication,
  type StoredState,
  setPickupItem,
} from '../applications/store.ts';
import type { DeviceRecord } from '../storage/storage.ts';
import { type ConsoleEnv, consolePath, itemPath, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { audit, formFields, guard, idParam, messagePage, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { deviceName } from './routes-terminals.ts';
import {
  csrfField,
  englishCell,
  type FieldError,
  layout,
  notice,
  selectField,
  textField,
} from './views.ts';

export const APPLICATIONS_PATH = consolePath('/applications');
const applicationPath = (id: string, rest: string) =>
  `${APPLICATIONS_PATH}/${encodeURIComponent(id)}/${rest}`;

const STATE_LABELS: Readonly<Record<StoredState, MessageKey>> = {
  queued: 'applications.state.queued',
  created: 'applications.state.created',
  submitted: 'applications.state.submitted',
  inbox: 'applications.state.inbox',
  accepted: 'applications.state.accepted',
  rejected: 'applications.state.rejected',
  parked: 'applications.state.parked',
};
/** States in which the result may be handed out at the terminal. */
const ANSWERABLE: ReadonlySet<StoredState> = new Set(['inbox', 'submitted', 'accepted']);
const mayAnnounce = (app: ApplicationRecord) =>
  app.pickupAtTerminal && app.pickupItemId === null && ANSWERABLE.has(app.state);

function actions(view: SignedView, app: ApplicationRecord): SafeHtml {
  const { t } = view;
  const vars = { caseNumber: app.caseNumber };
  const links: SafeHtml[] = [
    html`<a href="${applicationPath(app.submissionId, 'envelope')}" download>${t('applications.download', vars)}</a>`,
  ];
  if (mayAnnounce(app)) {
    links.push(
      html`<a href="${applicationPath(app.submissionId, 'pickup')}">${t('applications.readyForPickup', vars)}</a>`,
    );
  }
  if (app.state === 'parked') {
    links.push(
      html`<form method="post" action="${applicationPath(app.submissionId, 'retry')}">${csrfField(view.csrf)}<button type="submit">${t('applications.retry', vars)}</button></form>`,
    );
  }
  if (app.pickupItemId) {
    links.push(
      html`<a href="${itemPath(app.pickupItemId)}">${t('applications.pickupItem', vars)}</a>`,
    );
  }
  return html`<ul class="plain">${links.map((link) => html`<li>${link}</li>`)}</ul>`;
}

function row(view: SignedView, app: ApplicationRecord, device: DeviceRecord | undefined): SafeHtml {
  const { t } = view;
  const state = html`<span class="state${app.state === 'parked' || app.state === 'rejected' ? ' warn' : ''}">${t(STATE_LABELS[app.state])}</span>`;
  return html`<tr>
<th scope="row">${app.caseNumber}</th>
<td>${app.serviceId}</td>
<td>${device ? deviceName(device) : app.deviceId}</td>
<td>${view.date(app.receivedAt)}</td>
<td>${app.destinationId}</td>
<td>${state}</td>
${englishCell(view, app.reason)}
<td>${actions(view, app)}</td>
</tr>`;
}

async function listPage(env: ConsoleEnv, view: SignedView, done: string | undefined) {
  const { t } = view;
  const [devices, list] = await Promise.all([
    env.storage.devices(),
    applications(env.storage.sql, { limit: 500 }),
  ]);
  const byId = new Map(devices.map((d) => [d.id, d]));
  const parked = list.filter((app) => app.state === 'parked').length;
  const table =
    list.length === 0
      ? html`<p>${t('applications.none')}</p>`
      : html`<table>
<caption>${t('applications.caption', { count: list.length })}</caption>
<thead><tr><th scope="col">${t('applications.caseNumber')}</th><th scope="col">${t('applications.service')}</th><th scope="col">${t('applications.terminal')}</th><th scope="col">${t('applications.receivedAt')}</th><th scope="col">${t('applications.destination')}</th><th scope="col">${t('applications.state')}</th><th scope="col">${t('applications.reason')}</th><th scope="col">${t('applications.actions')}</th></tr></thead>
<tbody>${list.map((app) => row(view, app, byId.get(app.deviceId)))}</tbody>
</table>`;
  return layout(view, {
    title: t('applications.title'),
    body: [
      done === 'announced' ? notice(t('applications.announced')) : '',
      done === 'retried' ? notice(t('applications.retried')) : '',
      html`<p>${t('applications.intro')}</p><p>${t('applications.decryptHint')}</p>`,
      parked > 0
        ? html`<p class="warn">${t('applications.parkedWarning', { count: parked })}</p>`
        : '',
      table,
    ],
  });
}

interface PickupValues {
  language?: string;
  email?: string;
  mobile?: string;
}

function pickupPage(
  view: SignedView,
  app: ApplicationRecord,
  values: PickupValues = {},
  errors: FieldError[] = [],
) {
  const { t } = view;
  const body = html`<p>${t('applications.pickupIntro', { caseNumber: app.caseNumber })}</p>
<form method="post" action="${applicationPath(app.submissionId, 'pickup')}" novalidate>
${csrfField(view.csrf)}
<fieldset>
<legend>${t('announce.contact')}</legend>
<p class="hint">${t('applications.pickupContactHint')}</p>
${selectField({ name: 'language', label: t('announce.language'), value: values.language ?? 'de', errors, options: NOTICE_LANGUAGES.map((lang) => ({ value: lang, label: t(`language.${lang}`) })) })}
${textField({ name: 'email', label: t('announce.email'), type: 'email', value: values.email, autocomplete: 'off', errors })}
${textField({ name: 'mobile', label: t('announce.mobile'), hint: t('announce.mobileHint'), type: 'tel', value: values.mobile, autocomplete: 'off', errors })}
</fieldset>
<button type="submit">${t('applications.pickupSubmit')}</button>
</form>
<p><a href="${APPLICATIONS_PATH}">${t('applications.back')}</a></p>`;
  return layout(view, {
    title: t('applications.pickupTitle', { caseNumber: app.caseNumber }),
    body,
    errors,
  });
}

const PICKUP_ERRORS: Readonly<Record<string, MessageKey>> = {
  email: 'error.email',
  mobile: 'error.mobile',
  language: 'error.language',
};

export function registerApplicationRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  const find = async (id: string | undefined) =>
    id === undefined ? undefined : application(env.storage.sql, id);
  const notFound = (reply: Parameters<typeof sendPage>[0], view: SignedView) =>
    messagePage(reply, view, 404, 'notFound.title', 'applications.notFound');

  scope.get(
    '/applications',
    guard(env, 'act', async (request, reply, view) => {
      const { done } = formFields(request.query);
      return sendPage(reply, 200, await listPage(env, view, done));
    }),
  );

  scope.get(
    '/applications/:id/envelope',
    guard(env, 'act', async (request, reply, view) => {
      const id = idParam(request);
      const envelope = id === undefined ? undefined : await envelopeOf(env.storage.sql, id);
      if (!envelope) return notFound(reply, view);
      await audit(env, view, {
        action: 'application-envelope',
        target: envelope.submissionId,
        reason: null,
        details: { caseNumber: envelope.caseNumber },
      });
      return reply
        .code(200)
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="antrag-${envelope.caseNumber}.json"`)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(envelope));
    }),
  );

  // After the cause is fixed (the config, the destination): the relay tries again.
  scope.post(
    '/applications/:id/retry',
    guard(env, 'act', async (request, reply, view) => {
      const app = await find(idParam(request));
      if (app?.state !== 'parked') return notFound(reply, view);
      const now = env.clock.now();
      await moveApplication(
        env.storage.sql,
        app,
        { state: 'queued', reason: null, attempts: 0, nextAttemptAt: now },
        now,
      );
      await audit(env, view, {
        action: 'application-retry',
        target: app.submissionId,
        reason: null,
        details: { caseNumber: app.caseNumber },
      });
      return reply.redirect(`${APPLICATIONS_PATH}?done=retried`, 303);
    }),
  );

  scope.get(
    '/applications/:id/pickup',
    guard(env, 'act', async (request, reply, view) => {
      const app = await find(idParam(request));
      if (!app || !mayAnnounce(app)) return notFound(reply, view);
      return sendPage(reply, 200, pickupPage(view, app));
    }),
  );

  scope.post(
    '/applications/:id/pickup',
    guard(env, 'act', async (request, reply, view, form) => {
      const app = await find(idParam(request));
      if (!app || !mayAnnounce(app)) return notFound(reply, view);
      const values: PickupValues = {
        language: form.language,
        email: form.email,
        mobile: form.mobile,
      };
      const refuse = (errors: FieldError[]) =>
        sendPage(reply, 422, pickupPage(view, app, values, errors));
      const parsed = AnnounceInputSchema.safeParse({
        deviceId: app.deviceId,
        reference: app.caseNumber,
        itemKind: 'document',
        ...values,
      });
      if (!parsed.success) {
        const errors: FieldError[] = [];
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          const key = issue.code === 'custom' ? 'error.contactMissing' : PICKUP_ERRORS[field];
          if (key && !errors.some((e) => e.field === field))
            errors.push({ field, message: view.t(key) });
        }
        return refuse(errors);
      }
      const announced = await announceItem(
        env.storage,
        parsed.data,
        view.user.username,
        env.clock.now(),
      );
      if (!announced.ok) {
        const message: MessageKey =
          announced.error === 'reference-active'
            ? 'error.referenceActive'
            : 'error.deviceWithoutCodeKey';
        return refuse([{ field: 'email', message: view.t(message) }]);
      }
      await setPickupItem(
        env.storage.sql,
        app.submissionId,
        announced.value.itemId,
        env.clock.now(),
      );
      await audit(env, view, {
        action: 'application-pickup',
        target: announced.value.itemId,
        reason: null,
        details: { deviceId: app.deviceId, caseNumber: app.caseNumber, itemKind: 'document' },
      });
      env.logger.log('info', 'console.application-pickup', {
        user: view.user.id,
        submissionId: app.submissionId,
        item: announced.value.itemId,
      });
      return reply.redirect(`${APPLICATIONS_PATH}?done=announced`, 303);
    }),
  );
}
