/**
 * For the notification tests: a real SMTP server (smtp-server, mails parsed by mailparser), a
 * real HTTP SMS gateway stub, both on 127.0.0.1, and a fleet server with one enrolled test
 * terminal that announces items and pushes events like a kiosk.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@amtomat/basics';
import type { FastifyInstance } from 'fastify';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { AnnounceInputSchema, announceItem, type NoticeLanguage } from '../announce.ts';
import { createFleetServer } from '../app.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { enrolTestDevice, type TestDevice } from '../testing/device.ts';
import type { NoticeChannel } from './channel.ts';
import { smsGatewayChannel } from './sms-gateway.ts';

export interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  mail: ParsedMail;
}

export interface TestSmtp {
  port: number;
  mails: ReceivedMail[];
  /** Answer RCPT TO with this reply code (e.g. 451, 550) until set back to null. */
  rejectWith(code: number | null): void;
  close(): Promise<void>;
}

/** A real SMTP server; `port` to listen on a given (e.g. just freed) port; `auth` to require a login. */
export async function startTestSmtp(
  options: { port?: number; auth?: { user: string; pass: string } } = {},
): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  let rejectCode: number | null = null;
  const { auth } = options;
  const server = new SMTPServer({
    logger: false,
    // Plain SMTP on loopback: the test relay has no certificate to offer.
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass) {
        return callback(null, { user: login.username });
      }
      return callback(Object.assign(new Error('invalid login'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (rejectCode === null) return callback();
      return callback(Object.assign(new Error('not now'), { responseCode: rejectCode }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    rejectWith(code) {
      rejectCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface GatewayRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface TestGateway {
  url: string;
  requests: GatewayRequest[];
  /** The status the gateway answers with (default 200). */
  answer(status: number): void;
  close(): Promise<void>;
  /** The fleet's SMS channel to this gateway: JSON `{ to, text }` posted to its url. */
  channel(): NoticeChannel;
}

/** An SMS provider's HTTP API as a stub: records each request, answers with a message id. */
export async function startTestGateway(): Promise<TestGateway> {
  const requests: GatewayRequest[] = [];
  let status = 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(status < 300 ? { id: `sms-${requests.length}` } : { error: 'x' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/sms`,
    requests,
    answer(next) {
      status = next;
    },
    channel: () =>
      smsGatewayChannel({
        url: `http://127.0.0.1:${port}/v1/sms`,
        method: 'POST',
        headers: {},
        body: { to: '{to}', text: '{text}' },
        timeoutMs: 5_000,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const DAY_MS = 86_400_000;

export interface Fleet {
  app: FastifyInstance;
  device: TestDevice;
  /** Announces an item with contact data, as the console does; returns its id. */
  announce(input: {
    email?: string;
    mobile?: string;
    language?: NoticeLanguage;
    itemKind?: 'document' | 'id-document' | 'parcel' | 'object';
    dateOfBirth?: string;
    holdingDays?: number;
  }): Promise<string>;
  /** The terminal pushes one event (next seq); returns the HTTP status. */
  push(type: string, payload: Record<string, unknown>): Promise<number>;
  ready(itemId: string, holdingDays?: number): Promise<number>;
  close(): Promise<void>;
}

/** A fleet server with one enrolled terminal labelled `label`. */
export async function startFleet(
  storage: FleetStorage,
  clock: { now(): number },
  options: { label?: string; logger?: Logger } = {},
): Promise<Fleet> {
  const app = createFleetServer({
    storage,
    clock,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const device = await enrolTestDevice(app, storage, clock.now);
  await storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', [
    options.label ?? 'Rathaus Mayen',
    device.deviceId,
  ]);
  let seq = 0;
  let references = 0;
  const push = async (type: string, payload: Record<string, unknown>) => {
    seq += 1;
    const reply = await device.push([device.event(seq, type, payload)]);
    const result = (reply.json() as { results?: { status: string; reason?: string }[] }).results;
    if (reply.statusCode !== 200 || result?.[0]?.status !== 'applied') {
      throw new Error(`push ${type} failed: ${reply.statusCode} ${reply.body}`);
    }
    return reply.statusCode;
  };
  return {
    app,
    device,
    async announce(input) {
      references += 1;
      const parsed = AnnounceInputSchema.parse({
        deviceId: device.deviceId,
        reference: `AZ-${references}`,
        itemKind: input.itemKind ?? 'document',
        holdingDays: input.holdingDays ?? 14,
        email: input.email,
        mobile: input.mobile,
        language: input.language ?? 'de',
        dateOfBirth: input.dateOfBirth,
      });
      const announced = await announceItem(storage, parsed, 'clerk', clock.now());
      if (!announced.ok) throw new Error(`announce failed: ${announced.error}`);
      return announced.value.itemId;
    },
    push,
    ready: (itemId, holdingDays = 14) =>
      push('item-ready', {
        itemId,
        reference: `REF-${itemId}`,
        recipientRef: null,
        compartment: 'A1',
        expiresAt: clock.now() + holdingDays * DAY_MS,
      }),
    close: () => app.close(),
  };
}
