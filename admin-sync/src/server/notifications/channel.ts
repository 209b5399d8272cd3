/**
 * A way of reaching the citizen (e-mail, SMS). The worker renders the message and hands it
 * to the notice's channel; the channel says whether to try again. Reasons are stored and
 * logged, so a channel keeps addresses, numbers and message text out of them (`redact`).
 */
import type { Result } from '@amtomat/basics';

export const CHANNELS = ['email', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface NoticeMessage {
  /** E-mail address or mobile number in international form. */
  to: string;
  /** `de`, `en`: sent as Content-Language where the channel has it. */
  language: string;
  subject: string;
  text: string;
}

export interface SendFailure {
  /** True when sending again cannot help (rejected address, bad request). */
  permanent: boolean;
  reason: string;
}

export interface NoticeChannel {
  send(message: NoticeMessage): Promise<Result<{ id?: string }, SendFailure>>;
  /** Releases connections; the worker never calls it (the caller owns the channel). */
  close?(): Promise<void>;
}

export type NoticeChannels = Partial<Record<ChannelName, NoticeChannel>>;

const EMAIL = /[^\s<>"'@]+@[^\s<>"'@]+/g;
const PHONE = /\+?\d[\d ()/-]{6,}\d/g;
const MAX_REASON = 300;

/**
 * A reason fit for logs and the notices table: the given secrets and anything shaped like an
 * e-mail address or phone number replaced, shortened.
 */
export function redact(reason: string, secrets: readonly string[]): string {
  let text = reason;
  for (const secret of secrets) {
    if (secret.length >= 3) text = text.split(secret).join('[redacted]');
  }
  text = text.replace(EMAIL, '[address]').replace(PHONE, '[number]');
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}
