/**
 * The terminal's device identity: an Ed25519 key pair and the device id the server gave it
 * at enrolment. Kept in one JSON file, mode 0600, written atomically (temp file + rename),
 * so a crash mid-write leaves the old identity or the new one, never half of one. The key
 * pair is kept (pending) before the enrolment request goes out: if its answer is lost, the
 * terminal asks again with the same key and the server answers the same device id.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Clock,
  err,
  type Logger,
  ok,
  type Result,
  silentLogger,
  systemClock,
} from '@amtomat/basics';
import { z } from 'zod';
import {
  DeviceIdSchema,
  type DeviceKeyPair,
  EnrolResponseSchema,
  generateDeviceKeyPair,
  PublicKeySchema,
  paths,
  signEnrolment,
} from '../protocol/index.ts';
import { describeRefusal, type Fetch, sendRequest } from './http.ts';

export const DeviceIdentitySchema = z
  .object({
    version: z.literal(1),
    deviceId: DeviceIdSchema,
    publicKey: PublicKeySchema,
    privateKeyPem: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
    enrolledAt: z.number().int(),
  })
  .strict();
export type DeviceIdentity = z.infer<typeof DeviceIdentitySchema>;

const PendingKeysSchema = z
  .object({
    publicKey: PublicKeySchema,
    privateKeyPem: z.string().startsWith('-----BEGIN PRIVATE KEY-----'),
  })
  .strict();

export interface CredentialsPort {
  /** The stored identity; undefined before enrolment. */
  load(): Result<DeviceIdentity | undefined, string>;
  /** Saves the identity and drops the pending key pair. */
  save(identity: DeviceIdentity): Result<void, string>;
  /** The key pair of an enrolment under way (its answer maybe lost). */
  pendingKeys(): Result<DeviceKeyPair | undefined, string>;
  savePendingKeys(keys: DeviceKeyPair): Result<void, string>;
}

export const IDENTITY_FILE = 'device-identity.json';
const PENDING_KEYS_FILE = 'device-keys.pending.json';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A credentials store in `dir` (created 0700 if missing). */
export function fileCredentials(dir: string, fileName: string = IDENTITY_FILE): CredentialsPort {
  const file = join(dir, fileName);
  const pendingFile = join(dir, PENDING_KEYS_FILE);
  const write = (path: string, value: unknown): Result<void, string> => {
    const temp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
      chmodSync(temp, 0o600); // whatever the umask
      renameSync(temp, path);
      return ok(undefined);
    } catch (error) {
      return err(`cannot write ${path}: ${message(error)}`);
    }
  };
  return {
    load: () => readJson(file, DeviceIdentitySchema, 'a device identity'),
    save(identity) {
      const saved = write(file, identity);
      if (saved.ok) rmSync(pendingFile, { force: true });
      return saved;
    },
    pendingKeys: () => readJson(pendingFile, PendingKeysSchema, 'a key pair'),
    savePendingKeys: (keys) => write(pendingFile, keys),
  };
}

function readJson<T>(
  file: string,
  schema: z.ZodType<T>,
  what: string,
): Result<T | undefined, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err(`cannot read ${file}: ${message(error)}`);
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? ok(parsed.data) : err(`${file} is not ${what}`);
  } catch {
    return err(`${file} is not JSON`);
  }
}

export type EnrolFailure =
  | { kind: 'invalid-token' | 'refused' | 'network' | 'invalid-response'; message: string }
  | { kind: 'storage'; message: string };

export interface EnrolOptions {
  baseUrl: string;
  /** The one-time token from `fleet-server enrol-token`. */
  token: string;
  /** The terminal's code key (admin-sync/protocol codes.ts), handed over once, here. */
  codeKey: Buffer;
  credentials: CredentialsPort;
  label?: string;
  fetch?: Fetch;
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  timeoutMs?: number;
}

/**
 * Enrols once: an identity already stored is returned as it is, without a request. The key
 * pair is stored before the request, so a retry after a lost answer uses the same key and
 * gets the same device id (the server answers the same token + key again).
 */
export async function enrolDevice(
  options: EnrolOptions,
): Promise<Result<DeviceIdentity, EnrolFailure>> {
  const logger = options.logger ?? silentLogger;
  const stored = options.credentials.load();
  if (!stored.ok) return err({ kind: 'storage', message: stored.error });
  if (stored.value) return ok(stored.value);

  const pending = options.credentials.pendingKeys();
  if (!pending.ok) return err({ kind: 'storage', message: pending.error });
  const keys = pending.value ?? generateDeviceKeyPair();
  if (!pending.value) {
    const kept = options.credentials.savePendingKeys(keys);
    if (!kept.ok) return err({ kind: 'storage', message: kept.error });
  }
  const body = JSON.stringify({
    token: options.token,
    publicKey: keys.publicKey,
    proof: signEnrolment(options.token, keys),
    codeKey: options.codeKey.toString('base64url'),
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  const reply = await sendRequest(
    {
      baseUrl: options.baseUrl,
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? 30_000,
    },
    { method: 'POST', path: paths.enrol, headers: { 'content-type': 'application/json' }, body },
  );
  if (!reply.ok) return err({ kind: 'network', message: reply.error.message });
  if (reply.value.status !== 201) {
    const refusal = describeRefusal(reply.value);
    logger.log('warn', 'sync.enrol-refused', { status: reply.value.status });
    return err({
      kind: reply.value.status === 401 ? 'invalid-token' : 'refused',
      message: refusal,
    });
  }
  const enrolled = EnrolResponseSchema.safeParse(reply.value.body);
  if (!enrolled.success) {
    return err({ kind: 'invalid-response', message: 'enrolment reply does not match the schema' });
  }
  const identity: DeviceIdentity = {
    version: 1,
    deviceId: enrolled.data.deviceId,
    publicKey: keys.publicKey,
    privateKeyPem: keys.privateKeyPem,
    enrolledAt: (options.clock ?? systemClock).now(),
  };
  const saved = options.credentials.save(identity);
  if (!saved.ok) return err({ kind: 'storage', message: saved.error });
  logger.log('info', 'sync.enrolled', { device: identity.deviceId });
  return ok(identity);
}
