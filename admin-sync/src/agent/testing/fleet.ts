/**
 * A real fleet server for the agent's tests: fastify listening on 127.0.0.1 (port 0, then
 * the same port again after a restart), SQLite storage in a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  createEnrolmentToken,
  createFleetServer,
  type FleetStorage,
  openSqliteStorage,
} from '../../server/index.ts';

export interface TestFleet {
  readonly url: string;
  readonly port: number;
  readonly storage: FleetStorage;
  readonly dir: string;
  token(): Promise<string>;
  /** Closes the HTTP server (storage stays): the terminal sees connection refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestFleet(): Promise<TestFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-fleet-'));
  const storage = await openSqliteStorage(join(dir, 'fleet.sqlite'));
  let app: FastifyInstance | undefined;
  let port = 0;
  const listen = async () => {
    app = createFleetServer({ storage });
    await app.listen({ host: '127.0.0.1', port });
    port = (app.server.address() as AddressInfo).port;
  };
  const down = async () => {
    await app?.close();
    app = undefined;
  };
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storage,
    dir,
    token: async () => (await createEnrolmentToken(storage, { now: Date.now() })).token,
    down,
    up: listen,
    async close() {
      await down();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
