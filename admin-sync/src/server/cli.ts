/**
 * `npm run fleet-server [-- serve] [--port N] [--host H] [--data DIR] [--postgres URL]`
 * starts the fleet server (SQLite in DIR/fleet.sqlite by default; PostgreSQL with --postgres
 * or FLEET_DATABASE_URL, the password from the environment or a file). `npm run fleet-server
 * -- enrol-token [--label TEXT] [--valid-hours N]` prints a one-time enrolment token for a
 * terminal. Notices (e-mail, SMS) are sent when `--notify-config FILE` (or
 * FLEET_NOTIFY_CONFIG, FLEET_SMTP_URL, FLEET_SMS_URL) configures them. Options are read in
 * cli-options.ts; every failure at start is one line on stderr, never a stack trace.
 * Times people read are in `--time-zone ZONE` (FLEET_TIME_ZONE; default Europe/Berlin).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jsonLogger } from '@amtomat/basics';
import { DEFAULT_TIME_ZONE } from '../protocol/index.ts';
import { createFleetServer } from './app.ts';
import { loadApplicationsConfig } from './applications/config.ts';
import { runDecrypt } from './applications/decrypt.ts';
import { createApplicationRelay } from './applications/relay.ts';
import { type CliOptions, readCliOptions, storageErrorLine, USAGE } from './cli-options.ts';
import { addUserCommand, registerConsole } from './console/index.ts';
import { createEnrolmentToken } from './enrolment.ts';
import { checkEvaluationOptions, runEvaluationCommand } from './evaluation/cli.ts';
import { loadEvaluationConfig } from './evaluation/config.ts';
import {
  loadNotificationConfig,
  smsGatewayChannel,
  startNotifications,
} from './notifications/index.ts';
import { smsCodeService } from './sms-codes/sms-codes.ts';
import { openPostgresStorage } from './storage/postgres.ts';
import { openSqliteStorage } from './storage/sqlite.ts';
import type { FleetStorage } from './storage/storage.ts';

/** A mistake in the arguments: one line and the usage, exit 2. */
function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * A start that cannot go on for a reason the operator can fix: one line, no usage; exit 2
 * for a wrong setting, 1 for what the machine is doing (port taken, database down).
 */
function quit(message: string, code: 1 | 2 = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const read = readCliOptions(process.argv.slice(2), process.env);
if (!read.ok) fail(read.error);
const options: CliOptions = read.value;

/** Opens the database now, so a wrong URL, password, database or key file stops the start. */
async function openStorage(): Promise<FleetStorage> {
  const { storage } = options;
  try {
    return storage.kind === 'postgres'
      ? await openPostgresStorage(
          { ...storage.config, connectionTimeoutMillis: 10_000 },
          { secretKey: storage.secretKey },
        )
      : await openSqliteStorage(storage.file, { secretKey: storage.secretKey });
  } catch (error) {
    const { message, exitCode } = storageErrorLine(error);
    return quit(message, exitCode);
  }
}

async function serve() {
  const { port, host } = options;
  const logger = jsonLogger('fleet-server');
  // A broken notification config stops the start: better than notices that never go out.
  const notify = loadNotificationConfig({ file: options.notifyConfig, env: process.env });
  if (!notify.ok) quit(notify.error, 2);
  const timeZone = options.timeZone ?? notify.value?.timeZone ?? DEFAULT_TIME_ZONE;
  if (notify.value) notify.value.timeZone = timeZone;
  const destinations = loadApplicationsConfig({
    file: options.applicationsConfig,
    env: process.env,
  });
  if (!destinations.ok) quit(destinations.error, 2);
  // The evaluation page's sites and parameters: --evaluation-config, else <data>/evaluation.json.
  const evaluationFile =
    options.evaluation.config ??
    (options.storage.kind === 'sqlite'
      ? join(dirname(options.storage.file), 'evaluation.json')
      : undefined);
  const evaluation =
    evaluationFile && existsSync(evaluationFile) ? loadEvaluationConfig(evaluationFile) : undefined;
  if (evaluation && !evaluation.ok) quit(evaluation.error, 2);
  const storage = await openStorage();
  // Application SMS codes go through the notices' SMS gateway (none configured: refused).
  const smsCodes = smsCodeService({
    storage,
    channel: notify.value?.sms ? smsGatewayChannel(notify.value.sms) : undefined,
    senderName: notify.value?.senderName ?? 'Amt-O-Mat',
  });
  const app = createFleetServer({ storage, logger, smsCodes });
  const { behindProxy } = options;
  await registerConsole(app, {
    storage,
    logger,
    secureCookies: behindProxy,
    trustForwardedFor: behindProxy,
    timeZone,
    ...(evaluation?.ok && { evaluation: evaluation.value }),
  });
  const address = await app.listen({ port, host }).catch(async (error: NodeJS.ErrnoException) => {
    await storage.close();
    if (error.code === 'EADDRINUSE') {
      return quit(
        `port ${port} on ${host} is in use (another fleet server?): stop it or choose another with --port (or FLEET_PORT)`,
      );
    }
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
      return quit(
        `cannot listen on ${host}: not an address of this machine; check --host (or FLEET_HOST)`,
      );
    }
    if (error.code === 'EACCES') {
      return quit(
        `port ${port} needs privileges: choose one above 1023 with --port (or FLEET_PORT)`,
      );
    }
    throw error;
  });
  logger.log('info', 'fleet.listening', { address, storage: storage.kind });
  const notifications = notify.value && startNotifications(notify.value, { storage, logger });
  if (!notifications) {
    logger.log('warn', 'notifications.not-configured', {
      hint: 'notices are queued but not sent; see --notify-config',
    });
  }
  const relay =
    destinations.value && createApplicationRelay({ storage, config: destinations.value, logger });
  if (relay) relay.start();
  else logger.log('warn', 'applications.not-configured', { hint: 'see --applications-config' });
  process.stdout.write(`fleet server on ${address} (${storage.kind}); GET ${address}/healthz\n`);
  const stop = async () => {
    await app.close();
    await relay?.stop();
    await notifications?.stop();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function enrolToken() {
  const hours = options.validHours;
  const storage = await openStorage();
  try {
    const { token, expiresAt } = await createEnrolmentToken(storage, {
      now: Date.now(),
      validForMs: hours * 60 * 60 * 1000,
      label: options.label,
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
      { username: options.username, role: options.role, totp: options.totp },
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

async function evaluation(command: 'export-evaluation' | 'simulate-evaluation') {
  const dataDir = options.storage.kind === 'sqlite' ? dirname(options.storage.file) : undefined;
  const checked = checkEvaluationOptions(command, options.evaluation, dataDir);
  if (!checked.ok) fail(checked.error);
  const storage = await openStorage();
  try {
    const result = await runEvaluationCommand(command, storage, checked.value, Date.now());
    if (result.ok) process.stdout.write(`${result.value}\n`);
    else {
      process.stderr.write(`error: ${result.error}\n`);
      process.exitCode = 2;
    }
  } finally {
    await storage.close();
  }
}

/** On the clerk's machine: no database, only the key and the envelope. */
async function decrypt() {
  const result = await runDecrypt(options.decrypt);
  if (!result.ok) quit(result.error, 2);
  if (result.value.written) process.stderr.write(`written to ${result.value.written}\n`);
  else process.stdout.write(result.value.json);
}

if (options.help) process.stdout.write(`${USAGE}\n`);
else if (options.command === 'decrypt') await decrypt();
else if (options.command === 'serve') await serve();
else if (options.command === 'enrol-token') await enrolToken();
else if (options.command === 'add-user') await addUser();
else await evaluation(options.command);
