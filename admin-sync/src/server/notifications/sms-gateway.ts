/**
 * SMS through a provider's HTTP API: one POST with a JSON body built from the configured
 * template, the token in a header. The providers differ only in field names and headers, so
 * one generic channel covers them. 4xx = this message is refused (permanent; 408 and 429 are
 * "try later"), 5xx and network errors = temporary.
 */
import { err, ok } from '@amtomat/basics';
import { type NoticeChannel, redact, type SendFailure } from './channel.ts';
import type { NotificationConfig } from './config.ts';

type SmsConfig = NonNullable<NotificationConfig['sms']>;
type JsonTemplate = SmsConfig['body'];

/** The template with {to} and {text} replaced in every string (as values, so JSON stays JSON). */
export function fillBody(template: JsonTemplate, to: string, text: string): JsonTemplate {
  if (typeof template === 'string') {
    return template.replace(/\{(to|text)\}/g, (_m, name: string) => (name === 'to' ? to : text));
  }
  if (Array.isArray(template)) return template.map((entry) => fillBody(entry, to, text));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fillBody(value, to, text)]),
    );
  }
  return template;
}

const RETRYABLE_4XX = new Set([408, 425, 429]);

function failureOf(status: number): SendFailure {
  const permanent = status >= 400 && status < 500 && !RETRYABLE_4XX.has(status);
  return { permanent, reason: `sms gateway: HTTP ${status}` };
}

/** A message id if the gateway's JSON answer has one (`id` or `messageId`). */
async function messageIdOf(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return undefined;
    const { id, messageId } = body as { id?: unknown; messageId?: unknown };
    const value = id ?? messageId;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}

export function smsGatewayChannel(
  config: SmsConfig,
  options: { fetch?: typeof fetch } = {},
): NoticeChannel {
  const doFetch = options.fetch ?? fetch;
  const accepted = (status: number) =>
    config.successStatus ? config.successStatus.includes(status) : status >= 200 && status < 300;
  return {
    async send(message) {
      let response: Response;
      try {
        response = await doFetch(config.url, {
          method: config.method,
          headers: { ...config.headers, 'content-type': 'application/json' },
          body: JSON.stringify(fillBody(config.body, message.to, message.text)),
          signal: AbortSignal.timeout(config.timeoutMs),
          // The token must not follow a redirect to another host.
          redirect: 'manual',
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const name = (error as Error).name === 'TimeoutError' ? 'timeout' : (cause ?? 'network');
        return err({ permanent: false, reason: redact(`sms gateway: ${name}`, [message.to]) });
      }
      if (accepted(response.status)) {
        const id = await messageIdOf(response);
        return ok(id === undefined ? {} : { id });
      }
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        return err({ permanent: false, reason: `sms gateway: unexpected HTTP ${response.status}` });
      }
      return err(failureOf(response.status));
    },
  };
}
