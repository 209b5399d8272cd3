/**
 * Notification settings of the fleet server: a JSON file (`--notify-config FILE` or
 * FLEET_NOTIFY_CONFIG) and/or the environment (FLEET_SMTP_URL, FLEET_MAIL_FROM, FLEET_SMS_URL,
 * FLEET_SMS_TOKEN), the environment overriding the file. Secrets come from the environment or
 * a file, so the JSON file can be committed to a deployment repository. Everything is
 * validated here: a broken setting is an error naming the field, and the server refuses to
 * start rather than queue notices it can never send.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../protocol/index.ts';

export const SecretSchema = z
  .object({
    /** Inline — for tests and throw-away setups only. */
    value: z.string().min(1).optional(),
    /** The name of an environment variable holding the secret. */
    env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** A file holding the secret (trailing newline ignored); relative to the config file. */
    file: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => [s.value, s.env, s.file].filter((v) => v !== undefined).length === 1, {
    message: 'exactly one of value, env, file',
  });

const SmtpSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send without STARTTLS (recommended for anything but localhost). */
    requireTls: z.boolean().default(false),
    auth: z
      .object({ user: z.string().min(1), password: SecretSchema })
      .strict()
      .optional(),
    connectionTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    socketTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

const MAILBOX_HINT = 'an e-mail address such as "Amt-O-Mat <noreply@example.org>"';

/**
 * `name@domain.tld` or `Display Name <name@domain.tld>`: checked at start, because the SMTP
 * server would refuse every notice later, one by one.
 */
export function isMailbox(text: string): boolean {
  const match = /^\s*(?:[^<>@]*<([^<>]+)>|([^<>\s]+))\s*$/.exec(text);
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && /^[^\s@"(),:;<>[\]\\]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(address);
}

const MailboxSchema = z.string().max(300).refine(isMailbox, MAILBOX_HINT);

const EmailSchema = z
  .object({
    smtp: SmtpSchema,
    /** The From header, e.g. `Amt-O-Mat Kreis Mayen-Koblenz <noreply@kvmyk.de>`. */
    from: MailboxSchema,
    replyTo: MailboxSchema.optional(),
  })
  .strict();

/** A JSON body whose strings may contain {to} and {text}. */
type JsonTemplate =
  | string
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [k: string]: JsonTemplate };
const JsonTemplateSchema: z.ZodType<JsonTemplate> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonTemplateSchema),
    z.record(z.string(), JsonTemplateSchema),
  ]),
);

const SmsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    method: z.literal('POST').default('POST'),
    /** Sent as `<header>: <scheme> <token>`; without a token no auth header is sent. */
    token: SecretSchema.optional(),
    authHeader: z.string().min(1).default('authorization'),
    authScheme: z.string().default('Bearer'),
    /** The JSON body; every string has {to} and {text} replaced. Default: fixed field names. */
    body: JsonTemplateSchema.default({ to: '{to}', text: '{text}' }),
    /** The status codes meaning "accepted"; default any 2xx. */
    successStatus: z.array(z.number().int().min(200).max(299)).min(1).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict()
  .refine((sms) => JSON.stringify(sms.body).includes('{text}'), {
    message: 'the body template needs a {text} placeholder',
    path: ['body'],
  })
  .refine((sms) => JSON.stringify(sms.body).includes('{to}'), {
    message: 'the body template needs a {to} placeholder',
    path: ['body'],
  });

const TerminalTextSchema = z
  .object({
    /** Where the terminal stands, e.g. `Rathaus Mayen, Eingang Rosengasse (barrierefrei)`. */
    place: z.string().min(1).max(300).optional(),
    /** How to reach the office that takes expired items back (address, hours, phone). */
    office: z.string().min(1).max(500).optional(),
  })
  .strict();

export const NotificationConfigSchema = z
  .object({
    /** The sender as the citizen knows it, e.g. `Kreisverwaltung Mayen-Koblenz`. */
    senderName: z.string().min(1).max(100).default('Amt-O-Mat'),
    /** Default office text (per terminal in `terminals`). */
    office: z.string().min(1).max(500).optional(),
    /** Texts per terminal, by the terminal's label (as given to its enrolment token). */
    terminals: z.record(z.string().min(1), TerminalTextSchema).default({}),
    /** Dates in messages are shown in this zone. */
    timeZone: z
      .string()
      .refine((zone) => isTimeZone(zone), 'an IANA time zone')
      .default(DEFAULT_TIME_ZONE),
    email: EmailSchema.optional(),
    sms: SmsSchema.optional(),
    worker: z
      .object({
        intervalMs: z.number().int().min(1000).max(3_600_000).default(30_000),
        maxAttempts: z.number().int().min(1).max(100).default(8),
        backoff: z
          .object({
            initialMs: z.number().int().min(1000).default(60_000),
            maxMs: z
              .number()
              .int()
              .min(1000)
              .default(6 * 3_600_000),
          })
          .strict()
          .default({ initialMs: 60_000, maxMs: 6 * 3_600_000 }),
      })
      .strict()
      .default({
        intervalMs: 30_000,
        maxAttempts: 8,
        backoff: { initialMs: 60_000, maxMs: 6 * 3_600_000 },
      }),
  })
  .strict()
  .refine((config) => config.email !== undefined || config.sms !== undefined, {
    message: 'configure email (SMTP) and/or sms (gateway)',
  });

type Parsed = z.output<typeof NotificationConfigSchema>;

/** The settings with secrets resolved: what the channels and the worker take. */
export interface NotificationConfig {
  senderName: string;
  office: string | undefined;
  terminals: Record<string, { place?: string | undefined; office?: string | undefined }>;
  timeZone: string;
  email?: {
    host: string;
    port: number;
    secure: boolean;
    requireTls: boolean;
    auth?: { user: string; pass: string };
    connectionTimeoutMs: number;
    socketTimeoutMs: number;
    from: string;
    replyTo?: string;
  };
  sms?: {
    url: string;
    method: 'POST';
    /** Complete header (name → value), the token already in it. */
    headers: Record<string, string>;
    body: JsonTemplate;
    successStatus?: number[] | undefined;
    timeoutMs: number;
  };
  worker: Parsed['worker'];
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The settings from a file and/or the environment; `undefined` when neither configures
 * notifications. An error names the field (`email.smtp.port: …`) or the variable.
 */
export function loadNotificationConfig(options: {
  file?: string | undefined;
  env: Env;
}): Result<NotificationConfig | undefined, string> {
  const file = options.file ?? options.env.FLEET_NOTIFY_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    const read = readJsonFile(file);
    if (!read.ok) return read;
    raw = read.value;
  }
  const overlaid = overlayEnv(raw, options.env);
  if (!overlaid.ok) return overlaid;
  if (!file && !overlaid.value.touched) return ok(undefined);
  const parsed = NotificationConfigSchema.safeParse(overlaid.value.raw);
  if (!parsed.success)
    return err(`notification config${file ? ` ${file}` : ''}: ${describe(parsed.error)}`);
  return resolveSecrets(parsed.data, options.env, file ? dirname(resolve(file)) : process.cwd());
}

function readJsonFile(file: string): Result<Record<string, unknown>, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return err(
      `notification config ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return err(`notification config ${file}: must be a JSON object`);
    }
    return ok(value as Record<string, unknown>);
  } catch (error) {
    return err(`notification config ${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** One line per issue: `path: message`. Values are not repeated (they may be secrets). */
function describe(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`,
    )
    .join('; ');
}

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {};

/** Environment variables win over the file; they are mapped onto the file's fields. */
function overlayEnv(
  raw: Record<string, unknown>,
  env: Env,
): Result<{ raw: Record<string, unknown>; touched: boolean }, string> {
  const out = { ...raw };
  let touched = false;
  if (env.FLEET_SMTP_URL || env.FLEET_MAIL_FROM) {
    touched = true;
    const email = asObject(out.email);
    if (env.FLEET_SMTP_URL) {
      const smtp = smtpFromUrl(env.FLEET_SMTP_URL);
      if (!smtp.ok) return smtp;
      email.smtp = { ...asObject(email.smtp), ...smtp.value };
    }
    if (env.FLEET_MAIL_FROM) {
      if (!isMailbox(env.FLEET_MAIL_FROM)) return err(`FLEET_MAIL_FROM: not ${MAILBOX_HINT}`);
      email.from = env.FLEET_MAIL_FROM;
    }
    if (email.from === undefined) {
      return err(
        `FLEET_SMTP_URL is set but not the sender: set FLEET_MAIL_FROM to ${MAILBOX_HINT}`,
      );
    }
    out.email = email;
  }
  if (env.FLEET_SMS_URL || env.FLEET_SMS_TOKEN) {
    touched = true;
    const sms = asObject(out.sms);
    if (env.FLEET_SMS_URL) sms.url = env.FLEET_SMS_URL;
    if (env.FLEET_SMS_TOKEN) sms.token = { env: 'FLEET_SMS_TOKEN' };
    out.sms = sms;
  }
  return ok({ raw: out, touched });
}

/** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (implicit TLS). */
function smtpFromUrl(text: string): Result<Record<string, unknown>, string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err('FLEET_SMTP_URL: not a URL (smtp://user:password@host:port)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    return err('FLEET_SMTP_URL: the scheme must be smtp: or smtps:');
  }
  if (!url.hostname) return err('FLEET_SMTP_URL: no host');
  const secure = url.protocol === 'smtps:';
  const smtp: Record<string, unknown> = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
  };
  if (url.username) {
    if (!url.password) return err('FLEET_SMTP_URL: a user needs a password');
    smtp.auth = {
      user: decodeURIComponent(url.username),
      password: { value: decodeURIComponent(url.password) },
    };
  }
  return ok(smtp);
}

export function resolveSecret(
  secret: z.output<typeof SecretSchema>,
  field: string,
  env: Env,
  baseDir: string,
): Result<string, string> {
  if (secret.value !== undefined) return ok(secret.value);
  if (secret.env !== undefined) {
    const value = env[secret.env];
    return value ? ok(value) : err(`${field}: environment variable ${secret.env} is not set`);
  }
  const path = resolve(baseDir, secret.file ?? '');
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    return value ? ok(value) : err(`${field}: file ${path} is empty`);
  } catch (error) {
    return err(
      `${field}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function resolveSecrets(
  parsed: Parsed,
  env: Env,
  baseDir: string,
): Result<NotificationConfig, string> {
  const config: NotificationConfig = {
    senderName: parsed.senderName,
    office: parsed.office,
    terminals: parsed.terminals,
    timeZone: parsed.timeZone,
    worker: parsed.worker,
  };
  if (parsed.email) {
    const { smtp, from, replyTo } = parsed.email;
    const { auth, ...rest } = smtp;
    config.email = { ...rest, from, ...(replyTo ? { replyTo } : {}) };
    if (auth) {
      const pass = resolveSecret(auth.password, 'email.smtp.auth.password', env, baseDir);
      if (!pass.ok) return pass;
      config.email.auth = { user: auth.user, pass: pass.value };
    }
  }
  if (parsed.sms) {
    const { token, authHeader, authScheme, ...rest } = parsed.sms;
    const headers: Record<string, string> = {};
    if (token) {
      const value = resolveSecret(token, 'sms.token', env, baseDir);
      if (!value.ok) return value;
      headers[authHeader.toLowerCase()] = authScheme ? `${authScheme} ${value.value}` : value.value;
    }
    config.sms = { ...rest, headers };
  }
  return ok(config);
}
