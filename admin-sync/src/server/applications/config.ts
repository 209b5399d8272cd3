/**
 * Where each destination's applications go (`--applications-config FILE` or
 * FLEET_APPLICATIONS_CONFIG): a JSON object of destinations by the id the form catalogue
 * names. `fit-connect`: the district's FIT-Connect sender client (OAuth2 client
 * credentials) relays to FIT-Connect's Submission API; the id is the FIT-Connect
 * destination id. `console-inbox`: the clerks download the envelope in the console and
 * decrypt it on their own machine. Secrets as in the notification config (file, env or —
 * for tests — value). A broken file is one line naming the field; the server does not start.
 *
 * Destination keys for the terminals (`destination-key` feed changes): with `rootCertificate`
 * (a PEM file, the Verwaltungs-PKI root in production) the fleet delivers each destination's
 * public key to every terminal — a FIT-Connect destination's as FIT-Connect publishes it, a
 * console inbox's from its `publicKey` file (a JWK with `x5c`). The terminals check them.
 * A FIT-Connect destination may be named in the catalogue by a readable id and mapped to
 * its FIT-Connect id with `fitConnectDestinationId`.
 *
 *   { "destinations": {
 *       "4d8f…": { "kind": "fit-connect", "tokenUrl": "https://auth-testing.fit-connect.fitko.dev/token",
 *                  "submissionApiUrl": "https://test.fit-connect.fitko.dev/submission-api",
 *                  "clientId": "…", "clientSecret": { "file": "fit-connect.secret" } },
 *       "rathaus-inbox": { "kind": "console-inbox", "publicKey": "rathaus-inbox.jwk.json" } },
 *     "rootCertificate": "verwaltungs-pki-root.pem" }
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import { type Env, resolveSecret, SecretSchema } from '../notifications/config.ts';

const HttpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

const FitConnectSchema = z
  .object({
    kind: z.literal('fit-connect'),
    tokenUrl: HttpUrlSchema,
    submissionApiUrl: HttpUrlSchema,
    clientId: z.string().min(1).max(200),
    clientSecret: SecretSchema,
    /** FIT-Connect's id of the destination; default: the id the catalogue names it by. */
    fitConnectDestinationId: z.uuid().optional(),
    /** The Submission API's version: v2 (current) or v1 (`serviceType` instead of `publicService`). */
    apiVersion: z.enum(['v1', 'v2']).default('v2'),
    /** How often the event log of a submitted application is read. */
    pollSeconds: z.number().int().min(1).max(86_400).default(300),
    /** The `publicService.name` sent with each submission; default: the service id. */
    serviceNames: z.record(z.string(), z.string().min(1).max(200)).default({}),
  })
  .strict();

const InboxSchema = z
  .object({
    kind: z.literal('console-inbox'),
    /** A JSON file with the inbox's public key (JWK with `x5c`), delivered to the terminals. */
    publicKey: z.string().min(1).optional(),
  })
  .strict();

const ApplicationsConfigSchema = z
  .object({
    destinations: z.record(
      z.string().min(1).max(100),
      z.discriminatedUnion('kind', [FitConnectSchema, InboxSchema], {
        error: 'kind must be "fit-connect" or "console-inbox"',
      }),
    ),
    /** Pause between relay cycles. */
    intervalSeconds: z.number().int().min(1).max(3_600).default(30),
    /** A PEM file: the root the destination keys chain to; without it no key is delivered. */
    rootCertificate: z.string().min(1).optional(),
    /** How often FIT-Connect's published destination keys are read again. */
    keyRefreshSeconds: z.number().int().min(60).max(86_400).default(3_600),
  })
  .strict();

export type FitConnectDestination = Omit<z.output<typeof FitConnectSchema>, 'clientSecret'> & {
  clientSecret: string;
};
export type Destination =
  | FitConnectDestination
  | { kind: 'console-inbox'; publicKey?: Record<string, unknown> };

export interface ApplicationsConfig {
  destinations: ReadonlyMap<string, Destination>;
  intervalMs: number;
  /** The root certificate (PEM) for the terminals; absent: no keys delivered. */
  rootCertificate?: string;
  /** Default one hour. */
  keyRefreshMs?: number;
}

const describe = (error: z.ZodError): string =>
  error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ');

/** The config of `file` (or FLEET_APPLICATIONS_CONFIG); undefined when neither is given. */
export function loadApplicationsConfig(options: {
  file?: string | undefined;
  env: Env;
}): Result<ApplicationsConfig | undefined, string> {
  const file = options.file ?? (options.env.FLEET_APPLICATIONS_CONFIG || undefined);
  if (!file) return ok(undefined);
  const where = `applications config ${file}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return err(
      code
        ? `${where}: cannot read (${code})`
        : `${where}: not valid JSON (${(error as Error).message})`,
    );
  }
  const parsed = ApplicationsConfigSchema.safeParse(raw);
  if (!parsed.success) return err(`${where}: ${describe(parsed.error)}`);
  const baseDir = dirname(resolve(file));
  const destinations = new Map<string, Destination>();
  for (const [id, destination] of Object.entries(parsed.data.destinations)) {
    if (destination.kind === 'console-inbox') {
      if (destination.publicKey === undefined) {
        destinations.set(id, { kind: 'console-inbox' });
        continue;
      }
      const key = readJsonObject(resolve(baseDir, destination.publicKey));
      if (!key.ok) return err(`${where}: destinations.${id}.publicKey: ${key.error}`);
      destinations.set(id, { kind: 'console-inbox', publicKey: key.value });
      continue;
    }
    const secret = resolveSecret(
      destination.clientSecret,
      `destinations.${id}.clientSecret`,
      options.env,
      baseDir,
    );
    if (!secret.ok) return err(`${where}: ${secret.error}`);
    destinations.set(id, { ...destination, clientSecret: secret.value });
  }
  const config: ApplicationsConfig = {
    destinations,
    intervalMs: parsed.data.intervalSeconds * 1000,
    keyRefreshMs: parsed.data.keyRefreshSeconds * 1000,
  };
  if (parsed.data.rootCertificate === undefined) return ok(config);
  const root = readCertificate(resolve(baseDir, parsed.data.rootCertificate));
  if (!root.ok) return err(`${where}: rootCertificate: ${root.error}`);
  return ok({ ...config, rootCertificate: root.value });
}

function readText(path: string): Result<string, string> {
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch (error) {
    return err(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** A PEM certificate file, checked to parse (the terminals check the chains). */
function readCertificate(path: string): Result<string, string> {
  const text = readText(path);
  if (!text.ok) return text;
  try {
    new X509Certificate(text.value);
    return text;
  } catch {
    return err(`${path} is not a PEM certificate`);
  }
}

function readJsonObject(path: string): Result<Record<string, unknown>, string> {
  const text = readText(path);
  if (!text.ok) return text;
  try {
    const value: unknown = JSON.parse(text.value);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return ok(value as Record<string, unknown>);
    }
  } catch {
    // answered below
  }
  return err(`${path} is not a JSON object (a JWK)`);
}
