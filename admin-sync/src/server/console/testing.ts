/**
 * Test harness of the console: the fleet server with the console on a fresh store, a
 * terminal enrolled, users of each role, a settable clock, a browser-like client (cookie
 * jar, CSRF token read from the page) over fastify's inject, and failed notices and parked
 * events on demand.
 */

import { err, memoryLogger } from '@amtomat/basics';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TerminalStatus } from '../../protocol/index.ts';
import { createFleetServer } from '../app.ts';
import { usageSession } from '../evaluation/testing.ts';
import { type NoticeChannel, startNotificationWorker } from '../notifications/index.ts';
import type { FleetStorage } from '../storage/storage.ts';
import type { StorageAdapter } from '../testing/adapters.ts';
import { enrolTestDevice, type TestDevice } from '../testing/device.ts';
import type { AuthPolicy } from './auth.ts';
import { registerConsole } from './plugin.ts';
import { consoleStore, type Role } from './store.ts';
import { totpCode } from './totp.ts';
import { addUser } from './users.ts';

export const START = 1_750_000_000_000;
export const PASSWORD = 'correct horse battery staple';
/** The payload of the harness's poison event: none of it may reach a page. */
export const POISON_PAYLOAD = { itemId: 'poison-item-4711', reference: 'SECRET-REF-4711' };
/** Cheap scrypt for test users (the format keeps the cost, so checks use it too). */
const TEST_COST = { log2N: 10, r: 8, p: 1 };
/** The users every harness starts with, one per role, all with PASSWORD. */
const STAFF: readonly [string, Role][] = [
  ['anna', 'admin'],
  ['clara', 'clerk'],
  ['vera', 'viewer'],
  ['eva', 'evaluator'],
];

export interface Harness {
  app: FastifyInstance;
  storage: FleetStorage;
  device: TestDevice;
  logger: ReturnType<typeof memoryLogger>;
  clock: { now(): number; advance(ms: number): void };
  /** TOTP secrets of users made with `totp: true`, by user name. */
  totpSecrets: Map<string, string>;
  /** Another user besides the staff (anna admin, clara clerk, vera viewer, eva evaluator). */
  addUser(username: string, role: Role, options?: { totp?: boolean }): Promise<void>;
  /** The test terminal's status report, received now. */
  reportStatus(status: Omit<TerminalStatus, 'at'>): Promise<void>;
  /** The test terminal reports the item loaded (door closed): its ready notices are queued. */
  loaded(itemId: string): Promise<void>;
  /** One notification cycle whose channels refuse every message for good (like SMTP 550). */
  failDeliveries(): Promise<number>;
  /** The test terminal pushes an `item-ready` with fields missing: the server parks it. */
  parkPoisonEvent(): Promise<void>;
  /** The test terminal reports completed visits (usage events) ending at these times. */
  pushVisits(endedAt: readonly number[], service?: string): Promise<string[]>;
  client(options?: { address?: string }): ConsoleClient;
  close(): Promise<void>;
}

export async function openHarness(
  adapter: StorageAdapter,
  options: { policy?: Partial<AuthPolicy>; secureCookies?: boolean; listen?: boolean } = {},
): Promise<Harness> {
  let now = START;
  const clock = {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
  const storage = await adapter.open();
  const logger = memoryLogger();
  const app = createFleetServer({ storage, clock });
  await registerConsole(app, {
    storage,
    clock,
    logger,
    ...(options.policy && { policy: options.policy }),
    secureCookies: options.secureCookies ?? false,
  });
  // Listening: clients talk to a real HTTP server on 127.0.0.1 instead of fastify's inject.
  const baseUrl = options.listen ? await app.listen({ port: 0, host: '127.0.0.1' }) : undefined;
  const device = await enrolTestDevice(app, storage, clock.now);
  const store = consoleStore(storage.sql, storage.secrets);
  const totpSecrets = new Map<string, string>();
  let seq = 0;
  const harness: Harness = {
    app,
    storage,
    device,
    logger,
    clock,
    totpSecrets,
    async addUser(username, role, userOptions = {}) {
      const added = await addUser(
        store,
        { username, role, password: PASSWORD, totp: userOptions.totp ?? false },
        now,
        TEST_COST,
      );
      if (!added.ok) throw new Error(`test user not added: ${JSON.stringify(added.error)}`);
      const secret = added.value.totpUri && new URL(added.value.totpUri).searchParams.get('secret');
      if (secret) totpSecrets.set(username, secret);
    },
    reportStatus: (status) => storage.setDeviceStatus(device.deviceId, { at: now, ...status }, now),
    async loaded(itemId) {
      const item = await storage.item(itemId);
      if (!item) throw new Error(`no item ${itemId}`);
      seq += 1;
      const reply = await device.push([
        device.event(seq, 'item-ready', {
          itemId,
          reference: item.reference,
          recipientRef: null,
          compartment: 'A1',
          expiresAt: now + 14 * 86_400_000,
        }),
      ]);
      if (reply.statusCode !== 200) throw new Error(`item-ready refused: ${reply.body}`);
    },
    async failDeliveries() {
      const refuse: NoticeChannel = {
        send: async () => err({ permanent: true, reason: '550 5.1.1 mailbox unavailable' }),
      };
      const worker = startNotificationWorker({
        storage,
        channels: { email: refuse, sms: refuse },
        clock,
        intervalMs: 3_600_000,
        maxAttempts: 3,
        backoff: { initialMs: 60_000, maxMs: 600_000 },
      });
      try {
        return (await worker.runOnce()).failed;
      } finally {
        await worker.stop();
      }
    },
    async parkPoisonEvent() {
      seq += 1;
      const reply = await device.push([device.event(seq, 'item-ready', { ...POISON_PAYLOAD })]);
      const result = (reply.json() as { results: { status: string }[] }).results[0];
      if (result?.status !== 'parked') throw new Error(`poison event not parked: ${reply.body}`);
    },
    async pushVisits(endedAts, service = 'document-pickup') {
      const visits = endedAts.map((endedAt) =>
        usageSession(endedAt, {
          service,
          outcome: 'completed',
          startedAt: endedAt - 90_000,
          durationMs: 90_000,
        }),
      );
      const events = visits.map((visit) => {
        seq += 1;
        return device.event(seq, 'usage-session', visit);
      });
      const reply = await device.push(events);
      if (reply.statusCode !== 200) throw new Error(`usage events refused: ${reply.body}`);
      return visits.map((visit) => visit.sessionId);
    },
    client: (clientOptions = {}) =>
      new ConsoleClient(app, clientOptions.address ?? '127.0.0.1', baseUrl),
    async close() {
      await app.close();
      await storage.close();
    },
  };
  for (const [username, role] of STAFF) await harness.addUser(username, role);
  return harness;
}

/** The id of the item a `/console/items/<id>?…` location points to. */
export const itemIdOf = (location: string): string => location.split('/')[3]!.split('?')[0]!;

/** Every page of the console a signed-in admin sees, with an item's page. */
export const consolePages = (deviceId: string, itemPath: string): string[] => [
  '/console/',
  `/console/terminals/${deviceId}`,
  '/console/announce',
  '/console/items',
  itemPath,
  '/console/notices',
  '/console/parked',
  '/console/applications',
  '/console/password',
  '/console/users',
  '/console/audit',
  '/console/evaluation',
];

export const csrfOf = (body: string): string =>
  /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

export const totpFor = (harness: Harness, username: string, at = harness.clock.now()) =>
  totpCode(harness.totpSecrets.get(username)!, at);

/** What the tests read of an answer, from fastify's inject or from a real HTTP request. */
export type ConsoleResponse = Pick<
  LightMyRequestResponse,
  'statusCode' | 'body' | 'headers' | 'cookies' | 'json'
>;

/** One request over a real socket, answered in inject's shape (cookies parsed as it does). */
async function overHttp(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string | undefined,
): Promise<ConsoleResponse> {
  const response = await fetch(url, {
    method,
    headers,
    redirect: 'manual',
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  const cookies = response.headers.getSetCookie().map((line) => {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    const attribute = (name: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${name}=`))?.split('=')[1];
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    return {
      name: pair.slice(0, at),
      value: pair.slice(at + 1),
      ...(maxAge !== undefined && { maxAge: Number(maxAge) }),
      ...(expires !== undefined && { expires: new Date(expires) }),
      secure: attributes.some((a) => a.toLowerCase() === 'secure'),
    };
  });
  return {
    statusCode: response.status,
    body: text,
    headers: Object.fromEntries(response.headers),
    cookies,
    json: () => JSON.parse(text),
  };
}

/** A browser in miniature: keeps cookies, reads the CSRF token of the last page. */
export class ConsoleClient {
  readonly jar = new Map<string, string>();
  lastCsrf = '';
  private readonly app: FastifyInstance;
  private readonly address: string;
  /** Set: requests go over a real socket to the listening server (the address is 127.0.0.1). */
  private readonly baseUrl: string | undefined;

  constructor(app: FastifyInstance, address: string, baseUrl?: string) {
    this.app = app;
    this.address = address;
    this.baseUrl = baseUrl;
  }

  async request(
    method: 'GET' | 'POST',
    url: string,
    form?: Record<string, string>,
  ): Promise<ConsoleResponse> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = {
      ...(cookie && { cookie }),
      ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
    };
    const payload = form && new URLSearchParams(form).toString();
    const response = this.baseUrl
      ? await overHttp(`${this.baseUrl}${url}`, method, headers, payload)
      : await this.app.inject({
          method,
          url,
          remoteAddress: this.address,
          headers,
          ...(payload !== undefined && { payload }),
        });
    for (const set of response.cookies) {
      const expired = set.expires !== undefined && set.expires.getTime() <= Date.now();
      if (set.value === '' || expired || set.maxAge === 0) this.jar.delete(set.name);
      else this.jar.set(set.name, set.value);
    }
    const csrf = csrfOf(response.body);
    if (csrf) this.lastCsrf = csrf;
    return response;
  }

  get(url: string) {
    return this.request('GET', url);
  }

  /** Posts a form with the CSRF token of the last page (unless the form names its own). */
  post(url: string, form: Record<string, string> = {}) {
    return this.request('POST', url, { _csrf: this.lastCsrf, ...form });
  }

  async login(username: string, password = PASSWORD, totp = '') {
    await this.get('/console/login');
    return this.post('/console/login', { username, password, totp });
  }

  /** Signs in and opens the overview (so the next post has the session's CSRF token). */
  async signedIn(username: string, totp = '') {
    const response = await this.login(username, PASSWORD, totp);
    if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`);
    await this.get('/console/');
    return this;
  }
}
