/**
 * Notices to citizens (pickup code, reminder, deadline) as staff see them: by status, failed
 * first, with the reason in words (the queue's reasons carry no addresses, numbers or
 * codes), and a retry for a failed one (clerks and admins; audited `notice-retry`). The same
 * table sits on an item's page.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  NOTICE_STATUSES,
  type NoticeRecord,
  type NoticeStatus,
  notificationCounts,
  notificationOverview,
  retryNotification,
} from '../notifications/index.ts';
import { type ConsoleEnv, consolePath, itemPath, may, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { audit, formFields, guard, idParam, messagePage, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { noticeReasonCell } from './notice-reasons.ts';
import { csrfField, layout, notice, selectField } from './views.ts';

/** Failed first: they are what staff must act on. */
const STATUS_ORDER: readonly NoticeStatus[] = ['failed', 'pending', 'sent', 'cancelled'];
const PER_STATUS = 100;
export const NOTICES_PATH = consolePath('/notices');

const STATUS_LABELS: Readonly<Record<NoticeStatus, MessageKey>> = {
  pending: 'noticeStatus.pending',
  sent: 'noticeStatus.sent',
  failed: 'noticeStatus.failed',
  cancelled: 'noticeStatus.cancelled',
};
const KIND_LABELS: Readonly<Record<NoticeRecord['kind'], MessageKey>> = {
  ready: 'noticeKind.ready',
  reminder: 'noticeKind.reminder',
  expiring: 'noticeKind.expiring',
  expired: 'noticeKind.expired',
};
const CHANNEL_LABELS: Readonly<Record<NoticeRecord['channel'], MessageKey>> = {
  email: 'channel.email',
  sms: 'channel.sms',
};

/** Where a retry came from, and goes back to (never a URL from the form). */
const RetryFormSchema = z.object({ from: z.enum(['item', 'notices']).catch('notices') });
const NoticesQuerySchema = z.object({ status: z.enum(NOTICE_STATUSES).optional() });

interface TableOptions {
  caption: string;
  /** Item references by id: with them, a first column links to each notice's item. */
  references?: ReadonlyMap<string, string>;
  /** The item's reference, when the table sits on its page. */
  reference?: string;
  from: 'item' | 'notices';
}

function retryForm(view: SignedView, n: NoticeRecord, reference: string, from: string): SafeHtml {
  const { t } = view;
  const label = t('notice.retry', {
    kind: t(KIND_LABELS[n.kind]),
    channel: t(CHANNEL_LABELS[n.channel]),
    reference,
  });
  return html`<form method="post" action="${consolePath(`/notices/${encodeURIComponent(n.id)}/retry`)}">${csrfField(view.csrf)}<input type="hidden" name="from" value="${from}"><button type="submit">${label}</button></form>`;
}

function noticeRow(view: SignedView, n: NoticeRecord, options: TableOptions): SafeHtml {
  const { t } = view;
  const reference = options.references?.get(n.itemId) ?? options.reference ?? n.itemId;
  const act = may(view.user, 'act');
  const kind = t(KIND_LABELS[n.kind]);
  return html`<tr>
${options.references ? html`<th scope="row"><a href="${itemPath(n.itemId)}">${reference}</a></th><td>${kind}</td>` : html`<th scope="row">${kind}</th>`}
<td>${t(CHANNEL_LABELS[n.channel])}</td>
<td${n.status === 'failed' ? html` class="warn"` : ''}>${t(STATUS_LABELS[n.status])}</td>
<td>${n.attempts}</td>
${noticeReasonCell(view, n.lastError)}
<td>${n.status === 'pending' ? view.date(n.nextAttemptAt) : '–'}</td>
<td>${view.date(n.sentAt)}</td>
${act ? html`<td>${n.status === 'failed' ? retryForm(view, n, reference, options.from) : ''}</td>` : ''}
</tr>`;
}

/** Notices as a table; the retry column only for roles that may act. */
export function noticeTable(
  view: SignedView,
  notices: readonly NoticeRecord[],
  options: TableOptions,
): SafeHtml {
  const { t } = view;
  const col = (key: MessageKey) => html`<th scope="col">${t(key)}</th>`;
  return html`<table>
<caption>${options.caption}</caption>
<thead><tr>${options.references ? col('notice.item') : ''}${col('notice.kind')}${col('notice.channel')}${col('notice.status')}${col('notice.attempts')}${col('notice.lastError')}${col('notice.nextAttempt')}${col('notice.sentAt')}${may(view.user, 'act') ? col('notice.actions') : ''}</tr></thead>
<tbody>${notices.map((n) => noticeRow(view, n, options))}</tbody>
</table>`;
}

/** The section of an item's page. */
export async function itemNotices(
  env: ConsoleEnv,
  view: SignedView,
  item: { id: string; reference: string; status: string },
): Promise<SafeHtml> {
  const { t } = view;
  const notices = await notificationOverview(env.storage, { itemId: item.id });
  const body =
    notices.length === 0
      ? html`<p>${t(item.status === 'announced' ? 'item.noNotices' : 'item.noNoticesNoContact')}</p>`
      : noticeTable(view, notices, {
          caption: t('item.noticesCaption'),
          reference: item.reference,
          from: 'item',
        });
  return html`<h2>${t('item.notices')}</h2>${body}`;
}

function countsList(view: SignedView, counts: Record<NoticeStatus, number>): SafeHtml {
  const { t } = view;
  return html`<dl class="facts">${STATUS_ORDER.map(
    (status) =>
      html`<dt>${t(STATUS_LABELS[status])}</dt><dd${status === 'failed' && counts.failed > 0 ? html` class="warn"` : ''}><a href="${NOTICES_PATH}?status=${status}">${counts[status]}</a></dd>`,
  )}</dl>`;
}

async function noticesPage(
  env: ConsoleEnv,
  view: SignedView,
  filter: NoticeStatus | undefined,
  done: boolean,
): Promise<SafeHtml> {
  const { t } = view;
  const counts = await notificationCounts(env.storage);
  const statuses = STATUS_ORDER.filter((s) => (filter ? s === filter : counts[s] > 0));
  const lists = await Promise.all(
    statuses.map((status) => notificationOverview(env.storage, { status, limit: PER_STATUS })),
  );
  const ids = [...new Set(lists.flat().map((n) => n.itemId))];
  const references = await env.store.itemReferences(ids);
  const form = html`<form method="get" action="${NOTICES_PATH}" class="filters">
${selectField({ name: 'status', label: t('notices.status'), value: filter ?? '', options: [{ value: '', label: t('notices.all') }, ...STATUS_ORDER.map((s) => ({ value: s, label: t(STATUS_LABELS[s]) }))] })}
<button type="submit">${t('notices.filter')}</button>
</form>`;
  const tables = statuses.map((status, index) => {
    const list = lists[index] ?? [];
    if (list.length === 0) return html`<p>${t('notices.noneWithStatus')}</p>`;
    const vars = { status: t(STATUS_LABELS[status]), count: counts[status], shown: list.length };
    const caption = t(
      list.length < counts[status] ? 'notices.captionLimited' : 'notices.caption',
      vars,
    );
    return noticeTable(view, list, { caption, references, from: 'notices' });
  });
  const none = statuses.length === 0 ? html`<p>${t('notices.none')}</p>` : '';
  return layout(view, {
    title: t('notices.title'),
    body: [
      done ? notice(t('notices.retried')) : '',
      html`<p>${t('notices.intro')}</p>`,
      countsList(view, counts),
      form,
      none,
      tables,
    ],
  });
}

export function registerNoticeRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/notices',
    guard(env, 'view', async (request, reply, view) => {
      const query = formFields(request.query);
      const parsed = NoticesQuerySchema.safeParse(query.status ? { status: query.status } : {});
      const filter = parsed.success ? parsed.data.status : undefined;
      const page = await noticesPage(env, view, filter, query.done === 'retried');
      return sendPage(reply, 200, page);
    }),
  );

  scope.post(
    '/notices/:id/retry',
    guard(env, 'act', async (request, reply, view, form) => {
      const { from } = RetryFormSchema.parse({ from: form.from });
      const noticeId = idParam(request);
      view = { ...view, path: NOTICES_PATH };
      if (noticeId === undefined)
        return messagePage(reply, view, 404, 'notFound.title', 'notFound.notice');
      const now = env.clock.now();
      const retried = await retryNotification(env.storage, noticeId, now, view.user.username);
      if (!retried.ok) {
        return retried.error === 'not-found'
          ? messagePage(reply, view, 404, 'notFound.title', 'notFound.notice')
          : messagePage(reply, view, 409, 'notices.title', 'notices.notFailed', {
              href: NOTICES_PATH,
              label: 'notices.back',
            });
      }
      const { id, itemId, kind, channel } = retried.value;
      // After the requeue (its own transaction, with the item's history line naming the user).
      await audit(env, view, {
        action: 'notice-retry',
        target: id,
        reason: null,
        details: { itemId, kind, channel },
      });
      env.logger.log('info', 'console.notice-retry', {
        user: view.user.id,
        notice: id,
        item: itemId,
      });
      const back = from === 'item' ? itemPath(itemId) : NOTICES_PATH;
      return reply.redirect(`${back}?done=retried`, 303);
    }),
  );
}
