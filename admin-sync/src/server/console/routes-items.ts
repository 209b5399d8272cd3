/**
 * Items: the list (filter by terminal, status, reference) and an item's page with its
 * history. Staff see that an e-mail address or mobile number is on file, masked, and never
 * the code. An announced or loaded item can be cancelled with a reason (feed-actions.ts:
 * feed change, status, history, audit and deleting the contact data in one transaction).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JsonObject } from '../../protocol/index.ts';
import { isNoticeLanguage } from '../announce.ts';
import type { DeviceRecord, ItemContact, ItemRecord, RefusedChange } from '../storage/storage.ts';
import { type ConsoleEnv, consolePath, itemPath, may, type SignedView } from './context.ts';
import { cancelItem } from './feed-actions.ts';
import { html, type SafeHtml } from './html.ts';
import { formFields, guard, idParam, messagePage, sendPage } from './http.ts';
import { isMessageKey, type MessageKey } from './i18n.ts';
import { refusalText } from './refusals.ts';
import { kindLabel } from './routes-announce.ts';
import { itemNotices } from './routes-notices.ts';
import { deviceName } from './routes-terminals.ts';
import {
  csrfField,
  type FieldError,
  layout,
  notice,
  selectField,
  textArea,
  textField,
} from './views.ts';

export const ITEM_STATUSES = [
  'announced',
  'loaded',
  'picked_up',
  'dropped_off',
  'retrieved',
  'expired',
  'cancelled',
  'withdrawn',
] as const;
const CANCELLABLE = new Set(['announced', 'loaded']);

const ItemQuerySchema = z.object({
  device: z.string().max(100).optional(),
  status: z.enum(ITEM_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
});

const CancelFormSchema = z.object({ reason: z.string().trim().min(1).max(500) });

/** `m***@example.org`: enough to recognise, not enough to use. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+49 *** **78`: the country code and the last two digits. */
export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/[^\d+]/g, '');
  const country = /^\+\d{2}/.exec(digits)?.[0] ?? '';
  return `${country} *** **${digits.slice(-2)}`;
}

const statusText = (view: SignedView, status: string) => {
  const key = `status.${status}`;
  return isMessageKey(key) ? view.t(key) : status;
};
const kindText = (view: SignedView, kind: string | null) => {
  // No kind: the terminal loaded the item without an announcement, so nobody named one.
  if (kind === null) return view.t('item.kindNotGiven');
  const key = kindLabel(kind);
  return key ? view.t(key) : kind;
};

function listPage(
  view: SignedView,
  devices: DeviceRecord[],
  items: ItemRecord[],
  filter: z.infer<typeof ItemQuerySchema>,
): SafeHtml {
  const { t } = view;
  const names = new Map(devices.map((d) => [d.id, deviceName(d)]));
  const form = html`<form method="get" action="${consolePath('/items')}" class="filters">
${selectField({ name: 'device', label: t('items.terminal'), value: filter.device ?? '', options: [{ value: '', label: t('items.all') }, ...devices.map((d) => ({ value: d.id, label: deviceName(d) }))] })}
${selectField({ name: 'status', label: t('items.status'), value: filter.status ?? '', options: [{ value: '', label: t('items.all') }, ...ITEM_STATUSES.map((s) => ({ value: s, label: statusText(view, s) }))] })}
${textField({ name: 'q', label: t('items.search'), type: 'search', value: filter.q })}
<button type="submit">${t('items.filter')}</button>
</form>`;
  const table =
    items.length === 0
      ? html`<p>${t('items.none')}</p>`
      : html`<table>
<caption>${t('items.caption', { count: items.length })}</caption>
<thead><tr><th scope="col">${t('item.reference')}</th><th scope="col">${t('item.terminal')}</th><th scope="col">${t('item.kind')}</th><th scope="col">${t('item.status')}</th><th scope="col">${t('item.compartment')}</th><th scope="col">${t('item.updated')}</th></tr></thead>
<tbody>${items.map(
          (item) => html`<tr>
<th scope="row"><a href="${itemPath(item.id)}">${item.reference}</a></th>
<td>${names.get(item.deviceId) ?? item.deviceId}</td><td>${kindText(view, item.kind)}</td>
<td>${statusText(view, item.status)}</td><td>${item.compartment ?? '–'}</td><td>${view.date(item.updatedAt)}</td>
</tr>`,
        )}</tbody>
</table>`;
  return layout(view, { title: t('items.title'), body: [form, table] });
}

function contactFacts(view: SignedView, contact: ItemContact | undefined): SafeHtml {
  const { t } = view;
  if (!contact) return html`<dt>${t('item.contact')}</dt><dd>${t('item.noContact')}</dd>`;
  return html`<dt>${t('item.email')}</dt><dd>${contact.email ? t('item.onFile', { masked: maskEmail(contact.email) }) : t('item.none')}</dd>
<dt>${t('item.mobile')}</dt><dd>${contact.mobile ? t('item.onFile', { masked: maskMobile(contact.mobile) }) : t('item.none')}</dd>
<dt>${t('item.noticeLanguage')}</dt><dd>${isNoticeLanguage(contact.language) ? t(`language.${contact.language}`) : contact.language}</dd>`;
}

/** Only the detail fields a clerk needs, never anything else a history line may carry. */
function historyDetail(view: SignedView, detail: JsonObject | null): string {
  if (!detail) return '';
  const parts: string[] = [];
  if (typeof detail.compartment === 'string')
    parts.push(view.t('item.compartmentValue', { compartment: detail.compartment }));
  if (typeof detail.reason === 'string')
    parts.push(view.t('item.reasonValue', { reason: detail.reason }));
  if (typeof detail.holdingDays === 'number')
    parts.push(view.t('item.holdingDaysValue', { days: detail.holdingDays }));
  return parts.join('; ');
}

const HISTORY_EVENTS: Readonly<Record<string, MessageKey>> = {
  'notice-sent': 'history.notice-sent',
  'notice-failed': 'history.notice-failed',
  'notice-requeued': 'history.notice-requeued',
};
const historyEvent = (view: SignedView, event: string) => {
  const key = HISTORY_EVENTS[event] ?? `status.${event}`;
  return isMessageKey(key) ? view.t(key) : event;
};

/** The confirmation shown after a redirect back to the item (`?done=…`). */
const DONE_MESSAGES: ReadonlyMap<string, MessageKey> = new Map([
  ['announced', 'announce.done'],
  ['cancelled', 'cancel.done'],
  ['retried', 'notices.retried'],
]);

async function detailPage(
  env: ConsoleEnv,
  view: SignedView,
  item: ItemRecord,
  state: { done?: string | undefined; reason?: string; errors?: FieldError[] } = {},
): Promise<SafeHtml> {
  const { t } = view;
  const [device, contact, history, notices, refused] = await Promise.all([
    env.storage.device(item.deviceId),
    env.storage.itemContact(item.id),
    env.storage.itemHistory(item.id),
    itemNotices(env, view, item),
    env.storage.refusedChanges(item.deviceId, { itemId: item.id }),
  ]);
  const facts = html`<dl class="facts">
<dt>${t('item.reference')}</dt><dd>${item.reference}</dd>
<dt>${t('item.terminal')}</dt><dd><a href="${consolePath(`/terminals/${encodeURIComponent(item.deviceId)}`)}">${device ? deviceName(device) : item.deviceId}</a></dd>
<dt>${t('item.kind')}</dt><dd>${kindText(view, item.kind)}</dd>
<dt>${t('item.status')}</dt><dd>${statusText(view, item.status)}</dd>
<dt>${t('item.compartment')}</dt><dd>${item.compartment ?? '–'}</dd>
<dt>${t('item.announcedAt')}</dt><dd>${view.date(item.announcedAt)}</dd>
<dt>${t('item.loadedAt')}</dt><dd>${view.date(item.loadedAt)}</dd>
<dt>${t('item.expiresAt')}</dt><dd>${view.date(item.expiresAt)}</dd>
<dt>${t('item.holdingDays')}</dt><dd>${item.holdingDays ?? '–'}</dd>
${contactFacts(view, contact)}
</dl>`;
  const historyTable = html`<h2>${t('item.history')}</h2><table>
<caption>${t('item.historyCaption')}</caption>
<thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('item.event')}</th><th scope="col">${t('item.actor')}</th><th scope="col">${t('item.details')}</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${view.date(h.at)}</td><td>${historyEvent(view, h.event)}</td><td>${h.actor === 'terminal' || h.actor === 'system' ? t(`actor.${h.actor}`) : h.actor}</td><td>${historyDetail(view, h.detail)}</td></tr>`)}</tbody>
</table>`;
  const cancel =
    may(view.user, 'act') && CANCELLABLE.has(item.status)
      ? html`<h2>${t('cancel.title')}</h2>
<p>${t(item.status === 'loaded' ? 'cancel.introLoaded' : 'cancel.intro')}</p>
<form method="post" action="${itemPath(item.id)}/cancel" novalidate>
${csrfField(view.csrf)}
${textArea({ name: 'reason', label: t('cancel.reason'), hint: t('cancel.reasonHint'), value: state.reason, required: true, errors: state.errors })}
<button type="submit" class="danger">${t('cancel.submit')}</button>
</form>`
      : '';
  const doneKey = state.done === undefined ? undefined : DONE_MESSAGES.get(state.done);
  return layout(view, {
    title: t('item.title', { reference: item.reference }),
    body: [
      doneKey ? notice(t(doneKey)) : '',
      itemWarnings(view, item, refused),
      facts,
      notices,
      historyTable,
      html`${cancel}`,
    ],
    errors: state.errors ?? [],
  });
}

/**
 * What staff must act on: a cancelled item still lying in its compartment (the terminal
 * loaded it before the cancellation arrived), and changes of this item the terminal refused.
 */
function itemWarnings(view: SignedView, item: ItemRecord, refused: RefusedChange[]): SafeHtml {
  const { t } = view;
  const withdrawn =
    item.status === 'withdrawn'
      ? html`<p class="warn">${t('item.withdrawn', { compartment: item.compartment ?? '–' })}</p>`
      : '';
  return html`${withdrawn}${refused.map((r) => {
    const change = r.change.kind === 'item-announced' ? 'item-announced' : 'item-cancelled';
    const text = t('item.refused', {
      change: t(`refusal.change.${change}`),
      at: view.date(r.refusedAt),
      reason: refusalText(view, r.code),
    });
    return html`<p class="warn">${text}</p>`;
  })}`;
}

/** 409: already cancelled (by someone else, or twice), or past the point of cancelling. */
const refuseCancel = (reply: FastifyReply, view: SignedView, item: ItemRecord, already: boolean) =>
  messagePage(
    reply,
    view,
    409,
    'cancel.title',
    already ? 'cancel.alreadyCancelled' : 'cancel.notCancellable',
    { href: itemPath(item.id), label: 'cancel.backToItem' },
  );

export function registerItemRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/items',
    guard(env, 'view', async (request, reply, view) => {
      const raw = Object.fromEntries(
        Object.entries(formFields(request.query)).filter(
          ([key, value]) => value !== '' && key !== 'lang',
        ),
      );
      const query = ItemQuerySchema.safeParse(raw);
      const filter = query.success ? query.data : {};
      const [devices, items] = await Promise.all([
        env.storage.devices(),
        env.storage.items({
          ...(filter.device !== undefined && { deviceId: filter.device }),
          ...(filter.status !== undefined && { status: filter.status }),
          ...(filter.q !== undefined && { reference: filter.q }),
          limit: 200,
        }),
      ]);
      return sendPage(reply, 200, listPage(view, devices, items, filter));
    }),
  );

  const itemOf = async (request: FastifyRequest) => {
    const id = idParam(request);
    return id === undefined ? undefined : env.storage.item(id);
  };

  scope.get(
    '/items/:id',
    guard(env, 'view', async (request, reply, view) => {
      const item = await itemOf(request);
      if (!item) return messagePage(reply, view, 404, 'notFound.title', 'notFound.item');
      return sendPage(
        reply,
        200,
        await detailPage(env, view, item, { done: formFields(request.query).done }),
      );
    }),
  );

  scope.post(
    '/items/:id/cancel',
    guard(env, 'act', async (request, reply, view, form) => {
      const item = await itemOf(request);
      if (!item) return messagePage(reply, view, 404, 'notFound.title', 'notFound.item');
      view = { ...view, path: itemPath(item.id) };
      // A quick answer for a stale page; cancelItem checks again under the lock.
      if (!CANCELLABLE.has(item.status)) {
        const already = item.status === 'cancelled' || item.status === 'withdrawn';
        return refuseCancel(reply, view, item, already);
      }
      const parsed = CancelFormSchema.safeParse({ reason: form.reason ?? '' });
      if (!parsed.success) {
        const errors = [{ field: 'reason', message: view.t('error.reason') }];
        return sendPage(
          reply,
          422,
          await detailPage(env, view, item, { reason: form.reason ?? '', errors }),
        );
      }
      const cancelled = await cancelItem(env, view, item, parsed.data.reason);
      if (!cancelled.ok) {
        env.logger.log('warn', 'console.cancel-refused', {
          user: view.user.id,
          item: item.id,
          reason: cancelled.error,
        });
        return refuseCancel(reply, view, item, cancelled.error === 'already-cancelled');
      }
      env.logger.log('info', 'console.cancelled', {
        user: view.user.id,
        item: item.id,
        device: item.deviceId,
        cursor: cancelled.value.cursor,
      });
      return reply.redirect(`${itemPath(item.id)}?done=cancelled`, 303);
    }),
  );
}
