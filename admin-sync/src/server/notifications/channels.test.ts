/**
 * The channels on their own against real servers on 127.0.0.1: the SMS gateway's answers
 * mapped to permanent / temporary, the body template, no redirect; SMTP reply codes.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { redact } from './channel.ts';
import type { NotificationConfig } from './config.ts';
import { fillBody, smsGatewayChannel } from './sms-gateway.ts';
import { isPermanentSmtpError, smtpChannel } from './smtp.ts';
import {
  freePort,
  startTestGateway,
  startTestSmtp,
  type TestGateway,
  type TestSmtp,
} from './test-support.ts';

type SmsConfig = NonNullable<NotificationConfig['sms']>;
const MESSAGE = { to: '+491701234567', language: 'de', subject: 'x', text: 'Hallo „Welt“' };

describe('SMS gateway channel', () => {
  let gateway: TestGateway;
  const config = (overrides: Partial<SmsConfig> = {}): SmsConfig => ({
    url: gateway.url,
    method: 'POST',
    headers: { 'x-api-key': 'k' },
    body: { to: '{to}', text: '{text}' },
    timeoutMs: 5_000,
    ...overrides,
  });
  beforeEach(async () => {
    gateway = await startTestGateway();
  });
  afterEach(() => gateway.close());

  it('posts the filled template with the header and returns the gateway id', async () => {
    const channel = smsGatewayChannel(
      config({ body: { messages: [{ msisdn: '{to}', body: 'Text: {text}', flash: false }] } }),
    );
    const sent = await channel.send(MESSAGE);
    assert.deepEqual(sent, { ok: true, value: { id: 'sms-1' } });
    const [request] = gateway.requests;
    assert.equal(request?.headers['x-api-key'], 'k');
    assert.deepEqual(request?.body, {
      messages: [{ msisdn: '+491701234567', body: 'Text: Hallo „Welt“', flash: false }],
    });
  });

  it('4xx is permanent, 408/429 and 5xx temporary, an unexpected 2xx temporary', async () => {
    const expectations: [number, boolean][] = [
      [400, true],
      [401, true],
      [404, true],
      [408, false],
      [429, false],
      [500, false],
      [503, false],
    ];
    for (const [status, permanent] of expectations) {
      gateway.answer(status);
      const sent = await smsGatewayChannel(config()).send(MESSAGE);
      assert.deepEqual(
        sent,
        { ok: false, error: { permanent, reason: `sms gateway: HTTP ${status}` } },
        `HTTP ${status}`,
      );
    }
    gateway.answer(200);
    const strict = await smsGatewayChannel(config({ successStatus: [201] })).send(MESSAGE);
    assert.deepEqual(strict, {
      ok: false,
      error: { permanent: false, reason: 'sms gateway: unexpected HTTP 200' },
    });
  });

  it('a gateway that is down or does not answer in time is temporary', async () => {
    const down = await smsGatewayChannel(
      config({ url: `http://127.0.0.1:${await freePort()}/` }),
    ).send(MESSAGE);
    assert.deepEqual(down, {
      ok: false,
      error: { permanent: false, reason: 'sms gateway: ECONNREFUSED' },
    });
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const late = await smsGatewayChannel(
        config({ url: `http://127.0.0.1:${port}/`, timeoutMs: 200 }),
      ).send(MESSAGE);
      assert.deepEqual(late, {
        ok: false,
        error: { permanent: false, reason: 'sms gateway: timeout' },
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('does not follow a redirect with the token', async () => {
    const redirecting = createServer((_request, response) => {
      response.writeHead(307, { location: gateway.url }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const sent = await smsGatewayChannel(config({ url: `http://127.0.0.1:${port}/` })).send(
        MESSAGE,
      );
      assert.equal(sent.ok, false);
      assert.equal(gateway.requests.length, 0);
    } finally {
      redirecting.closeAllConnections();
      redirecting.close();
    }
  });

  it('fills placeholders as values, so JSON stays JSON', () => {
    assert.deepEqual(fillBody({ a: ['{to}', 1, null, { b: '"{text}"' }] }, '+49 1', 'x"y'), {
      a: ['+49 1', 1, null, { b: '"x"y"' }],
    });
  });
});

describe('SMTP channel', () => {
  let smtp: TestSmtp;
  const channel = () =>
    smtpChannel({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTls: false,
      connectionTimeoutMs: 5_000,
      socketTimeoutMs: 5_000,
      from: 'Amt-O-Mat <noreply@example.org>',
      replyTo: 'buergerbuero@example.org',
    });
  const mail = { to: 'max@example.org', language: 'en', subject: 'Hello', text: 'Grüße\n' };
  beforeEach(async () => {
    smtp = await startTestSmtp();
  });
  afterEach(() => smtp.close());

  it('sends a plain-text mail with a message id', async () => {
    const sent = await channel().send(mail);
    assert.ok(sent.ok && sent.value.id);
    const [received] = smtp.mails;
    assert.deepEqual(received?.to, ['max@example.org']);
    assert.equal(received?.mail.text, 'Grüße\n');
    assert.equal(received?.mail.html, false);
    assert.equal(received?.mail.replyTo?.text, 'buergerbuero@example.org');
  });

  it('5xx is permanent, 4xx temporary; the address is not in the reason', async () => {
    smtp.rejectWith(550);
    const rejected = await channel().send(mail);
    assert.ok(!rejected.ok);
    assert.equal(rejected.error.permanent, true);
    assert.match(rejected.error.reason, /550/);
    assert.equal(rejected.error.reason.includes('max@example.org'), false);
    smtp.rejectWith(452);
    const later = await channel().send(mail);
    assert.ok(!later.ok);
    assert.equal(later.error.permanent, false);
  });

  it('classifies nodemailer errors', () => {
    assert.equal(isPermanentSmtpError({ code: 'EENVELOPE', responseCode: 553 }), true);
    assert.equal(isPermanentSmtpError({ code: 'EAUTH', responseCode: 535 }), false);
    assert.equal(isPermanentSmtpError({ code: 'ECONNECTION' }), false);
    assert.equal(isPermanentSmtpError({ code: 'EENVELOPE', responseCode: 421 }), false);
  });
});

describe('redact', () => {
  it('removes the given secrets and anything like an address or number', () => {
    assert.equal(
      redact('550 <a.b@example.org> no; code 12345678 for +49 170 1234567', ['12345678']),
      '550 <[address]> no; code [redacted] for [number]',
    );
    assert.equal(redact('x'.repeat(400), []).length, 300);
  });
});
