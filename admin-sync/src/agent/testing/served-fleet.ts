/**
 * A fleet server over any storage (a SQLite file, a PostgreSQL database) listening on
 * 127.0.0.1, for the agent's tests per storage adapter and for the benchmarks. Terminals
 * enrol over HTTP like real ones; their identities stay in memory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ok } from '@amtomat/basics';
import { CODE_KEY_BYTES, type DeviceKeyPair, type JsonObject } from '../../protocol/index.ts';
import {
  createEnrolmentToken,
  createFleetServer,
  type FleetStorage,
  type StoredEvent,
} from '../../server/index.ts';
import { type CredentialsPort, type DeviceIdentity, enrolDevice } from '../credentials.ts';

export interface ServedFleet {
  readonly url: string;
  readonly port: number;
  readonly storage: FleetStorage;
  /** A new terminal identity, enrolled with a fresh token. */
  enrol(label?: string): Promise<DeviceIdentity>;
  /** Closes the HTTP server, then the storage. */
  close(): Promise<void>;
}

export function memoryCredentials(): CredentialsPort {
  let stored: DeviceIdentity | undefined;
  let pending: DeviceKeyPair | undefined;
  return {
    load: () => ok(stored),
    save(identity) {
      stored = identity;
      pending = undefined;
      return ok(undefined);
    },
    pendingKeys: () => ok(pending),
    savePendingKeys(keys) {
      pending = keys;
      return ok(undefined);
    },
  };
}

/** A new terminal identity, enrolled over HTTP at `url` with a token made in `storage`. */
export async function enrolTerminal(
  url: string,
  storage: FleetStorage,
  label?: string,
): Promise<DeviceIdentity> {
  const { token } = await createEnrolmentToken(storage, { now: Date.now() });
  const enrolled = await enrolDevice({
    baseUrl: url,
    token,
    codeKey: randomBytes(CODE_KEY_BYTES),
    credentials: memoryCredentials(),
    ...(label === undefined ? {} : { label }),
  });
  if (!enrolled.ok) throw new Error(`enrolment failed: ${enrolled.error.message}`);
  return enrolled.value;
}

export async function serveFleet(storage: FleetStorage): Promise<ServedFleet> {
  const app = createFleetServer({ storage });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    storage,
    enrol: (label) => enrolTerminal(url, storage, label),
    async close() {
      await app.close();
      await storage.close();
    },
  };
}

export interface SentEvent {
  seq: number;
  idempotencyKey: string;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * The server holds exactly the terminal's events: seqs 1..N without gap or duplicate, each
 * with its key, type and payload, applied (not parked), and recorded in seq order (a re-sent
 * batch is never recorded again, so arrival order is the outbox's).
 */
export function assertExactlyOnceInOrder(
  stored: readonly StoredEvent[],
  sent: readonly SentEvent[],
) {
  const seqs = Array.from({ length: sent.length }, (_, i) => i + 1);
  assert.deepEqual(
    sent.map((event) => event.seq),
    seqs,
    'the outbox numbers its events 1..N',
  );
  assert.deepEqual(
    stored.map((event) => event.seq),
    seqs,
    'the server holds seqs 1..N, no gap, no duplicate',
  );
  for (const [i, event] of stored.entries()) {
    const expected = sent[i]!;
    assert.equal(event.idempotencyKey, expected.idempotencyKey, `key of seq ${event.seq}`);
    assert.equal(event.type, expected.type, `type of seq ${event.seq}`);
    assert.deepEqual(event.payload, expected.payload as JsonObject, `payload of seq ${event.seq}`);
    assert.equal(event.outcome.status, 'applied', `seq ${event.seq} was ${event.outcome.status}`);
    if (i > 0) {
      assert.ok(event.receivedAt >= stored[i - 1]!.receivedAt, `seq ${event.seq} arrived early`);
    }
  }
}
