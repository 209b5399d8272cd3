/**
 * Why a notice did not go out, in words for a clerk. The queue keeps the technical reason
 * (SMTP replies, gateway statuses, the worker's own reasons, English); the page shows what
 * it means and what to do, and keeps the technical text folded away for IT.
 */
import type { View } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import type { MessageKey } from './i18n.ts';

/** First match wins; the patterns follow the reasons smtp.ts, sms-gateway.ts and worker.ts give. */
const REASONS: readonly [RegExp, MessageKey][] = [
  [/recipient rejected|\b55[0-3]\b|\b5\.1\.[0-9]\b/i, 'noticeReason.addressRejected'],
  [/\bEAUTH\b|\b535\b|\b530\b/, 'noticeReason.mailLogin'],
  [/^smtp: .*\b5\d\d\b/, 'noticeReason.mailRefused'],
  [/^smtp: |\b4\d\d \d\.\d\.\d\b/, 'noticeReason.mailUnreachable'],
  [/^sms gateway: HTTP (400|404|410|422)\b/, 'noticeReason.smsRejected'],
  [/^sms gateway: (HTTP 40[13])\b/, 'noticeReason.smsLogin'],
  [/^sms gateway: /, 'noticeReason.smsUnreachable'],
  [/^pickup code no longer stored/, 'noticeReason.codeGone'],
  [/^the contact has no /, 'noticeReason.noAddress'],
  [/^no contact data any more/, 'noticeReason.itemFinished'],
  [/^item is /, 'noticeReason.itemFinished'],
  [/^the pickup code never reached this channel/, 'noticeReason.firstFailed'],
];

export const noticeReasonKey = (reason: string): MessageKey =>
  REASONS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'noticeReason.other';

export function noticeReasonCell(view: View, reason: string | null): SafeHtml {
  if (reason === null) return html`<td>–</td>`;
  const technical =
    view.lang === 'en' ? html`<code>${reason}</code>` : html`<code lang="en">${reason}</code>`;
  return html`<td>${view.t(noticeReasonKey(reason))}<details class="technical"><summary>${view.t('noticeReason.technical')}</summary>${technical}</details></td>`;
}
