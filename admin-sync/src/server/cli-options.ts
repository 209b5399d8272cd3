/**
 * The fleet server's command line and environment, read into typed options once. Every
 * mistake a person can make here is an error value of one line saying what to fix; the CLI
 * prints it with the usage and exits 2. Flags win over environment variables.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { err, ok, type Result } from '@amtomat/basics';
import pg from 'pg';
import { isTimeZone } from '../protocol/index.ts';
import { StorageOpenError } from './storage/driver.ts';
import type { SecretKeySource } from './storage/secrets.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const USAGE = `usage: npm run fleet-server -- [serve] [--port N] [--host H] [--data DIR] [--postgres URL] [--notify-config FILE] [--time-zone ZONE]
       npm run fleet-server -- enrol-token [--label TEXT] [--valid-hours 1..720] [--data DIR] [--postgres URL]
       npm run fleet-server -- add-user --username NAME --role admin|clerk|viewer|evaluator [--totp] [--data DIR] [--postgres URL] < password
       npm run fleet-server -- export-evaluation --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--evaluation-config FILE]
       npm run fleet-server -- simulate-evaluation --from YYYY-MM-DD --to YYYY-MM-DD [--terminals 6] [--seed N] (into an empty database)
       npm run fleet-server -- decrypt --key PRIVATE-KEY-FILE --in ENVELOPE-FILE [--out FILE] (on the clerk's machine; PEM or JWK)
       (serve --applications-config FILE: where applications go, FIT-Connect or the console inbox)
       (serve --behind-proxy: behind a TLS reverse proxy; console cookies Secure, client address from X-Forwarded-For)
       (every command: --secret-key-file FILE, default DIR/secret.key; with --postgres the password from
        FLEET_DATABASE_PASSWORD, --postgres-password-file FILE / FLEET_DATABASE_PASSWORD_FILE or PGPASSWORD)`;

export const COMMANDS = [
  'serve',
  'enrol-token',
  'add-user',
  'export-evaluation',
  'simulate-evaluation',
  'decrypt',
] as const;
export type Command = (typeof COMMANDS)[number];

export type StorageOptions =
  | { kind: 'sqlite'; file: string; secretKey: SecretKeySource }
  | { kind: 'postgres'; config: pg.PoolConfig; secretKey: SecretKeySource };

export interface CliOptions {
  command: Command;
  help: boolean;
  storage: StorageOptions;
  port: number;
  host: string;
  behindProxy: boolean;
  notifyConfig: string | undefined;
  /** --applications-config (or FLEET_APPLICATIONS_CONFIG, read in applications/config.ts). */
  applicationsConfig: string | undefined;
  /** decrypt: the private key, the envelope, where the data goes (default stdout). */
  decrypt: { key: string | undefined; in: string | undefined; out: string | undefined };
  /** --time-zone or FLEET_TIME_ZONE, checked; unset: the notice file's, else Europe/Berlin. */
  timeZone: string | undefined;
  label: string | null;
  validHours: number;
  username: string | undefined;
  role: string | undefined;
  totp: boolean;
  /** export-evaluation, simulate-evaluation (checked there). */
  evaluation: {
    from: string | undefined;
    to: string | undefined;
    out: string | undefined;
    config: string | undefined;
    terminals: string | undefined;
    seed: string | undefined;
  };
}

const MAX_VALID_HOURS = 24 * 30;

function parseFlags(args: readonly string[]) {
  try {
    return ok(
      parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          data: { type: 'string' },
          postgres: { type: 'string' },
          'postgres-password-file': { type: 'string' },
          'secret-key-file': { type: 'string' },
          label: { type: 'string' },
          'valid-hours': { type: 'string' },
          username: { type: 'string' },
          role: { type: 'string' },
          totp: { type: 'boolean' },
          'behind-proxy': { type: 'boolean' },
          'notify-config': { type: 'string' },
          'applications-config': { type: 'string' },
          key: { type: 'string' },
          in: { type: 'string' },
          'time-zone': { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          out: { type: 'string' },
          'evaluation-config': { type: 'string' },
          terminals: { type: 'string' },
          seed: { type: 'string' },
          help: { type: 'boolean' },
        },
      }),
    );
  } catch (error) {
    // Node's message names the option ("Unknown option '--prot'…"); its hint may follow on
    // further lines (a value starting with "-"): kept, on the same line.
    return err((error as Error).message.split(/\s*\n\s*/).join(' '));
  }
}

/** A whole number in [min, max], or an error naming the option and the range. */
function integerIn(name: string, text: string, min: number, max: number): Result<number, string> {
  const value = Number(text);
  return /^\s*-?\d+\s*$/.test(text) && value >= min && value <= max
    ? ok(value)
    : err(`${name} must be a whole number between ${min} and ${max} (got "${text}")`);
}

function readSecretFile(name: string, path: string): Result<string, string> {
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    return value ? ok(value) : err(`${name}: the file ${path} is empty`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return err(`${name}: cannot read ${path} (${code})`);
  }
}

const URL_HINT = 'postgres://USER@HOST:5432/DATABASE';

/**
 * A PostgreSQL URL, checked before any connection: the scheme, the form, and no password in
 * it (it would show in `ps` and shell history); the password comes from the environment or a
 * file instead. pg's own parser decides what is well-formed.
 */
export function postgresConfig(
  url: string,
  flags: { passwordFile: string | undefined },
  env: Env,
): Result<pg.PoolConfig, string> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    return err(
      `--postgres takes a PostgreSQL URL (${URL_HINT}); ${scheme ? `${scheme}: is not supported` : `"${url}" is not one`}`,
    );
  }
  if (/^[^:]+:\/\/[^@/?#]*:[^@/?#]*@/.test(url)) {
    return err(
      '--postgres: remove the password from the URL (it shows in the process list); set FLEET_DATABASE_PASSWORD or FLEET_DATABASE_PASSWORD_FILE instead',
    );
  }
  let parsed: pg.Client;
  try {
    parsed = new pg.Client(url);
  } catch {
    return err(`--postgres: not a valid URL; the form is ${URL_HINT}`);
  }
  // Fields, not the URL: pg lets the URL's (empty) password override a given one.
  const config: pg.PoolConfig = {
    host: parsed.host,
    port: parsed.port,
    ...(parsed.user && { user: parsed.user }),
    ...(parsed.database && { database: parsed.database }),
    ...(parsed.ssl && { ssl: parsed.ssl }),
  };
  const passwordFile = flags.passwordFile ?? env.FLEET_DATABASE_PASSWORD_FILE;
  if (passwordFile) {
    const password = readSecretFile('--postgres-password-file', passwordFile);
    return password.ok ? ok({ ...config, password: password.value }) : password;
  }
  const password = env.FLEET_DATABASE_PASSWORD;
  // Without either, pg reads PGPASSWORD (and ~/.pgpass) itself.
  return ok(password ? { ...config, password } : config);
}

export function readCliOptions(args: readonly string[], env: Env): Result<CliOptions, string> {
  const parsed = parseFlags(args);
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  const command = positionals[0] ?? 'serve';
  if (!COMMANDS.includes(command as Command)) {
    return err(`unknown command "${command}" (${COMMANDS.join(', ')})`);
  }
  if (positionals.length > 1) return err(`unexpected argument "${positionals[1]}"`);

  const port = integerIn(
    values.port === undefined ? 'FLEET_PORT' : '--port',
    values.port ?? env.FLEET_PORT ?? '8090',
    0,
    65535,
  );
  if (!port.ok) return port;
  const validHours = integerIn('--valid-hours', values['valid-hours'] ?? '24', 1, MAX_VALID_HOURS);
  if (!validHours.ok) return validHours;

  const timeZone = values['time-zone'] ?? (env.FLEET_TIME_ZONE || undefined);
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    return err(
      `--time-zone / FLEET_TIME_ZONE: "${timeZone}" is not a time zone; use an IANA name such as Europe/Berlin`,
    );
  }

  const dataDir = resolve(values.data ?? env.FLEET_DATA ?? '.data/fleet');
  const keyFile = values['secret-key-file'] ?? env.FLEET_SECRET_KEY_FILE;
  const secretKey = { file: resolve(keyFile ?? join(dataDir, 'secret.key')) };
  const url = values.postgres ?? env.FLEET_DATABASE_URL;
  let storage: StorageOptions;
  if (url !== undefined) {
    const config = postgresConfig(url, { passwordFile: values['postgres-password-file'] }, env);
    if (!config.ok) return config;
    storage = { kind: 'postgres', config: config.value, secretKey };
  } else {
    if (values['postgres-password-file']) {
      return err('--postgres-password-file needs --postgres URL (or FLEET_DATABASE_URL)');
    }
    storage = { kind: 'sqlite', file: join(dataDir, 'fleet.sqlite'), secretKey };
  }

  return ok({
    command: command as Command,
    help: values.help ?? false,
    storage,
    port: port.value,
    // Loopback unless told otherwise: the server speaks plain HTTP; put TLS in front of it.
    host: values.host ?? env.FLEET_HOST ?? '127.0.0.1',
    behindProxy: values['behind-proxy'] ?? false,
    notifyConfig: values['notify-config'],
    applicationsConfig: values['applications-config'],
    decrypt: { key: values.key, in: values.in, out: values.out },
    timeZone,
    label: values.label ?? null,
    validHours: validHours.value,
    username: values.username,
    role: values.role,
    totp: values.totp ?? false,
    evaluation: {
      from: values.from,
      to: values.to,
      out: values.out,
      config: values['evaluation-config'],
      terminals: values.terminals,
      seed: values.seed,
    },
  });
}

/**
 * A failure to open the database as one line saying what to fix, and the exit code: 1 when
 * the server cannot be reached (it may come back), 2 for a wrong setting. PostgreSQL's and
 * the network's error codes are mapped to their cause; anything else is its first line.
 */
export function storageErrorLine(error: unknown): { message: string; exitCode: 1 | 2 } {
  const e = error as { code?: string; message?: string };
  const first = (e.message ?? String(error)).split('\n')[0] ?? '';
  if (error instanceof StorageOpenError) return { message: first, exitCode: 2 };
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENOENT':
      return {
        message: `cannot reach the PostgreSQL server (${e.code}): check host and port in --postgres and that the server runs`,
        exitCode: 1,
      };
    case '3D000':
      return {
        message: `PostgreSQL: ${first}: create it (createdb) or fix the database name in --postgres`,
        exitCode: 2,
      };
    case '28P01':
    case '28000':
      return {
        message: `PostgreSQL refused the login (${first}): check the user in --postgres and the password (FLEET_DATABASE_PASSWORD, FLEET_DATABASE_PASSWORD_FILE or PGPASSWORD)`,
        exitCode: 2,
      };
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
      return {
        message: `cannot open the database: ${first}: check --data (or FLEET_DATA) and its permissions`,
        exitCode: 2,
      };
    default:
      if (/client password must be a string/.test(first)) {
        return {
          message: `PostgreSQL asks for a password: set FLEET_DATABASE_PASSWORD, FLEET_DATABASE_PASSWORD_FILE (or --postgres-password-file) or PGPASSWORD`,
          exitCode: 2,
        };
      }
      // A timeout while connecting has no code: pg says "timeout expired".
      return /timeout/i.test(first)
        ? {
            message: `cannot reach the PostgreSQL server (${first}): check host and port in --postgres and that the server runs`,
            exitCode: 1,
          }
        : { message: `cannot open the database: ${first}`, exitCode: 1 };
  }
}
