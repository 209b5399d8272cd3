/**
 * The municipal side of the end-to-end test: the fleet server as its own process (the CLI of
 * `npm run fleet-server`, SQLite in a temp dir, console, notices), a real SMTP server
 * (smtp-server, from the notification tests) receiving its e-mails, and a TCP link between
 * terminal and fleet server that can be pulled like a network cable.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import {
  fleetEnrolmentToken,
  runFleetCli,
  startFleetServerProcess,
} from '../../admin-sync/src/server/testing/cli-process.ts';

import { DEMO_SITE } from '../src/service/service.ts';

export {
  startTestGateway,
  startTestSmtp,
  type TestGateway,
  type TestSmtp,
} from '../../admin-sync/src/server/notifications/test-support.ts';

/** A cable between terminal and server: `down()` cuts every connection and refuses new ones. */
export interface Link {
  url: string;
  up(): void;
  down(): void;
  close(): Promise<void>;
}

export async function startLink(targetPort: number): Promise<Link> {
  let connected = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!connected) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    up: () => {
      connected = true;
    },
    down: () => {
      connected = false;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface FleetEvent {
  device_id: string;
  seq: number;
  type: string;
  status: string;
  /** The item's reference, for item events. */
  reference: string | null;
}

export interface FleetProcess {
  url: string;
  dataDir: string;
  /** A one-time enrolment token for a terminal. */
  token(label: string): string;
  /** The events the server recorded for each device, from its SQLite file. */
  events(): FleetEvent[];
  close(): Promise<void>;
}

export const CLERK = { username: 'clerk', password: 'a long clerk password 2026' };

/**
 * The fleet server's CLI as its own process, with a console user, notices by SMTP (with
 * `smtpPort`) and by the SMS gateway at `smsGatewayUrl` (which also sends the SMS codes of
 * applications), and `args` added to `serve` (e.g. `--applications-config FILE`).
 */
export async function startFleetProcess(
  options: { smtpPort?: number; smsGatewayUrl?: string; args?: readonly string[] } = {},
): Promise<FleetProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'amtomat-fleet-e2e-'));
  const added = runFleetCli(
    ['add-user', '--data', dataDir, '--username', CLERK.username, '--role', 'clerk'],
    { input: `${CLERK.password}\n` },
  );
  if (added.status !== 0) throw new Error(`add-user exited with ${added.status}: ${added.stderr}`);
  const notifyArgs: string[] = [];
  if (options.smtpPort !== undefined || options.smsGatewayUrl !== undefined) {
    const notifyConfig = join(dataDir, 'notify.json');
    writeFileSync(
      notifyConfig,
      JSON.stringify({
        senderName: 'Kreisverwaltung Test',
        ...(options.smtpPort !== undefined && {
          email: {
            smtp: { host: '127.0.0.1', port: options.smtpPort },
            from: 'Amt-O-Mat <noreply@example.org>',
          },
        }),
        ...(options.smsGatewayUrl && { sms: { url: options.smsGatewayUrl } }),
        worker: { intervalMs: 1000 },
      }),
    );
    notifyArgs.push('--notify-config', notifyConfig);
  }
  const server = await startFleetServerProcess(
    { data: dataDir },
    { args: [...notifyArgs, ...(options.args ?? [])] },
  );
  return {
    url: server.url,
    dataDir,
    token: (label) => fleetEnrolmentToken(dataDir, label),
    events() {
      const db = new Database(join(dataDir, 'fleet.sqlite'), { readonly: true });
      try {
        return db
          .prepare(
            `SELECT device_id, seq, type, status, json_extract(payload, '$.reference') AS reference
             FROM events ORDER BY device_id, seq`,
          )
          .all() as FleetEvent[];
      } finally {
        db.close();
      }
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs the clerk in to the fleet's console (English) in `page`. */
export async function signInToConsole(page: Page, fleetUrl: string): Promise<void> {
  await page.goto(`${fleetUrl}/console/login?lang=en`);
  await page.getByLabel('User name').fill(CLERK.username);
  await page.getByLabel('Password').fill(CLERK.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Announce' }).first().waitFor();
}

/**
 * The demo site enrolled with a fleet at `syncUrl` as terminal `label`, written to
 * `dir/site.json`, with the demo's screen or `screen`. Sync cycles run only when the test
 * calls `syncNow`, so each step is deterministic.
 */
export function enrolledSiteFile(
  dir: string,
  terminal: { label: string; syncUrl: string; enrolmentToken: string },
  screen?: Record<string, unknown>,
): string {
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'site.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...site,
      site: { ...(site.site as object), name: terminal.label },
      sync: {
        url: terminal.syncUrl,
        enrolmentToken: terminal.enrolmentToken,
        intervalMs: 3_600_000,
      },
      ...(screen && { screen }),
    }),
  );
  return file;
}
