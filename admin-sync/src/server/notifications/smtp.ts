/**
 * E-mail through an SMTP relay (nodemailer). Plain text only: readable by every client and
 * screen reader, nothing to escape. One connection per message: a few dozen notices a day
 * need no pool, and nothing stays open between the worker's cycles.
 */

import { err, ok } from '@amtomat/basics';
import { createTransport } from 'nodemailer';
import { type NoticeChannel, redact } from './channel.ts';
import type { NotificationConfig } from './config.ts';

type EmailConfig = NonNullable<NotificationConfig['email']>;

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

/** 5xx replies are final for this message; a connection, TLS, auth or 4xx problem may pass. */
export function isPermanentSmtpError(error: SmtpError): boolean {
  // A refused login is the relay's configuration, not this message's fault.
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') return false;
  return typeof error.responseCode === 'number' && error.responseCode >= 500;
}

export function smtpChannel(config: EmailConfig): NoticeChannel {
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTls,
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.connectionTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
  });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail({
          from: config.from,
          ...(config.replyTo ? { replyTo: config.replyTo } : {}),
          to: message.to,
          subject: message.subject,
          text: message.text,
          headers: {
            // RFC 3834: no out-of-office replies to a machine.
            'Auto-Submitted': 'auto-generated',
            'Content-Language': message.language,
          },
        });
        if (info.rejected.length > 0) {
          return err({ permanent: true, reason: 'recipient rejected by the relay' });
        }
        return ok({ id: info.messageId });
      } catch (error) {
        const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
        const detail = [e.code, e.responseCode, e.message].filter((v) => v !== undefined);
        return err({
          permanent: isPermanentSmtpError(e),
          reason: redact(`smtp: ${detail.join(' ')}`, [message.to]),
        });
      }
    },
    async close() {
      transport.close();
    },
  };
}
