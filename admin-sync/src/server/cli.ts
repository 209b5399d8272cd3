/**
 * `npm run fleet-server [-- serve] [--port N] [--host H] [--data DIR] [--postgres URL]`
 * starts the fleet server (SQLite in DIR/fleet.sqlite by default; PostgreSQL with --postgres
 * or FLEET_DATABASE_URL). `npm run fleet-server -- enrol-token [--label TEXT] [--valid-hours N]`
 * prints a one-time enrolment token for a terminal. Notices (e-mail, SMS) are sent when
 * `--notify-config FILE` (or FLEET_NOTIFY_CONFIG, FLEET_SMTP_URL, FLEET_SMS_URL) configures them.
 * Times people read are in `--time-zone ZONE` (FLEET_TIME_ZONE; default Europe/Berlin).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../protocol/index.ts';
import { createFleetServer } from './app.ts';
import { addUserCommand, registerConsole } from './console/index.ts';
import { createEnrolmentToken } from './enrolment.ts';
import { jsonLogger } from './log.ts';
import { loadNotificationConfig, startNotifications } from './notifications/index.ts';
import { openPostgresStorage } from './storage/postgres.ts';
import { openSqliteStorage } from './storage/sqlite.ts';
import type { FleetStorage } from './storage/storage.ts';

const USAGE = `usage: npm run fleet-server -- [serve] [--port N] [--host H] [--data DIR] [--postgres URL] [--notify-config FILE] [--time-zone ZONE]
       npm run fleet-server -- enrol-token [--label TEXT] [--valid-hours N] [--data DIR] [--postgres URL]
       npm run fleet-server -- add-user --username NAME --role admin|clerk|viewer [--totp] < password
       (serve --behind-proxy: behind a TLS reverse proxy; console cookies Secure, client address from X-Forwarded-For)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    postgres: { type: 'string' },
    label: { type: 'string' },
    'valid-hours': { type: 'string' },
    username: { type: 'string' },
    role: { type: 'string' },
    totp: { type: 'boolean' },
    'behind-proxy': { type: 'boolean' },
    'notify-config': { type: 'string' },
    'time-zone': { type: 'string' },
    help: { type: 'boolean' },
  },
});

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function openStorage(): Promise<FleetStorage> {
  const url = values.postgres ?? process.env.FLEET_DATABASE_URL;
  if (url) return openPostgresStorage({ connectionString: url });
  const dataDir = resolve(values.data ?? process.env.FLEET_DATA ?? '.data/fleet');
  return openSqliteStorage(join(dataDir, 'fleet.sqlite'));
}

/**
 * One time zone for every time a person reads (console, notices): --time-zone, else
 * FLEET_TIME_ZONE, else the notice file's `timeZone`, else Europe/Berlin.
 */
function configuredTimeZone(fromNoticeFile: string | undefined): string {
  const zone = values['time-zone'] ?? process.env.FLEET_TIME_ZONE;
  if (zone === undefined) return fromNoticeFile ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(zone)) {
    fail(
      `--time-zone / FLEET_TIME_ZONE: "${zone}" is not a time zone; use an IANA name such as Europe/Berlin`,
    );
  }
  return zone;
}

async function serve() {
  const port = Number(values.port ?? process.env.FLEET_PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');
  // Loopback unless told otherwise: the server speaks plain HTTP; put TLS in front of it.
  const host = values.host ?? process.env.FLEET_HOST ?? '127.0.0.1';
  const logger = jsonLogger('fleet-server');
  // A broken notification config stops the start: better than notices that never go out.
  const notify = loadNotificationConfig({ file: values['notify-config'], env: process.env });
  if (!notify.ok) fail(notify.error);
  const timeZone = configuredTimeZone(notify.value?.timeZone);
  if (notify.value) notify.value.timeZone = timeZone;
  const storage = await openStorage();
  const app = createFleetServer({ storage, logger });
  const behindProxy = values['behind-proxy'] ?? false;
  await registerConsole(app, {
    storage,
    logger,
    secureCookies: behindProxy,
    trustForwardedFor: behindProxy,
    timeZone,
  });
  const address = await app.listen({ port, host });
  logger.log('info', 'fleet.listening', { address, storage: storage.kind });
  const notifications = notify.value && startNotifications(notify.value, { storage, logger });
  if (!notifications) {
    logger.log('warn', 'notifications.not-configured', {
      hint: 'notices are queued but not sent; see --notify-config',
    });
  }
  process.stdout.write(`fleet server on ${address} (${storage.kind}); GET ${address}/healthz\n`);
  const stop = async () => {
    await app.close();
    await notifications?.stop();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function enrolToken() {
  const hours = Number(values['valid-hours'] ?? 24);
  if (!(hours > 0 && hours <= 24 * 30)) fail('--valid-hours must be between 0 and 720');
  const storage = await openStorage();
  try {
    const { token, expiresAt } = await createEnrolmentToken(storage, {
      now: Date.now(),
      validForMs: hours * 60 * 60 * 1000,
      label: values.label ?? null,
    });
    process.stdout.write(`${token}\n`);
    process.stderr.write(
      `one-time enrolment token, valid until ${new Date(expiresAt).toISOString()}\n`,
    );
  } finally {
    await storage.close();
  }
}

async function addUser() {
  const storage = await openStorage();
  try {
    process.exitCode = await addUserCommand(
      storage,
      { username: values.username, role: values.role, totp: values.totp ?? false },
      {
        input: process.stdin,
        out: (text) => process.stdout.write(text),
        errOut: (text) => process.stderr.write(text),
        now: Date.now(),
      },
    );
  } finally {
    await storage.close();
  }
}

const command = positionals[0] ?? 'serve';
if (values.help) process.stdout.write(`${USAGE}\n`);
else if (command === 'serve') await serve();
else if (command === 'enrol-token') await enrolToken();
else if (command === 'add-user') await addUser();
else fail(`unknown command ${command}`);
