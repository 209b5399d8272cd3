/**
 * Sync benchmarks: the real agent against the real fleet server (its CLI, a process of its
 * own) over loopback HTTP (plain, no TLS), each terminal with in-memory ports. Prints one
 * JSON object per line.
 *
 *   sync_drain_events_per_s  10,000 queued events of one terminal drained by one sync cycle
 *                            into SQLite (a file in a temp dir, WAL, synchronous=FULL); per
 *                            batch size, with the ratio to the rate at which the server's
 *                            storage records the same batches called directly (no HTTP, no
 *                            signing, no JSON), on a fresh file of its own
 *   fleet_sync_ms            100 enrolled terminals, each with 20 queued events and 3 new feed
 *                            entries, all running one sync cycle (`syncNow`: push, pull, ack,
 *                            status) at once; p50/p99 of one terminal's cycle over several
 *                            rounds, and the ratio to the same cycle of a terminal alone; on
 *                            SQLite and on PostgreSQL (skipped, with the reason, when its
 *                            binaries are missing)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '@amtomat/basics';
import { createSyncAgent, type SyncAgent } from '../src/agent/agent.ts';
import { type MemoryOutbox, memoryFeed, memoryOutbox } from '../src/agent/testing/memory-ports.ts';
import { enrolTerminal, serveFleet } from '../src/agent/testing/served-fleet.ts';
import { announce, readyPayload } from '../src/agent/testing/support.ts';
import type { SyncEvent } from '../src/protocol/index.ts';
import {
  eventApplier,
  type FleetStorage,
  openPostgresStorage,
  openSqliteStorage,
} from '../src/server/index.ts';
import {
  type FleetStorageArgs,
  startFleetServerProcess,
} from '../src/server/testing/cli-process.ts';
import {
  findPostgresBin,
  startPostgres,
  type TestPostgres,
} from '../src/server/testing/postgres.ts';

const DRAIN_EVENTS = 10_000;
const DRAIN_BATCH_SIZES = [100, 500]; // the kiosk's batch, and the protocol's largest
const DRAIN_ROUNDS = 3;
const TERMINALS = 100;
const EVENTS_PER_CYCLE = 20;
const FEED_PER_CYCLE = 3;
const FLEET_ROUNDS = 5;
const FLEET_BATCH_SIZE = 100;
const SQLITE_DURABILITY = 'WAL, synchronous=FULL';

const round = (value: number) => Math.round(value * 1000) / 1000;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1)!),
    n: sorted.length,
  };
}

function tempDir(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `amtomat-sync-bench-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const agentFor = (
  url: string,
  identity: { deviceId: string; privateKeyPem: string },
  outbox: MemoryOutbox,
  batchSize: number,
): SyncAgent =>
  createSyncAgent({
    baseUrl: url,
    identity,
    outbox,
    feed: memoryFeed(),
    clock: systemClock,
    logger: silentLogger,
    batchSize,
    backoff: { initialMs: 100, maxMs: 1_000 },
    // Like the kiosk's agent: each cycle ends with the terminal's status for the console.
    status: () => ({
      at: Date.now(),
      queueLength: outbox.length(),
      compartments: { total: 20, occupied: 5, defective: 0 },
      doorAlarms: [],
    }),
  });

/** Fails the benchmark if the server does not hold what was sent: a fast wrong sync is no result. */
async function expectRecorded(storage: FleetStorage, deviceId: string, count: number) {
  const device = await storage.device(deviceId);
  if (device?.lastSeq !== count) {
    throw new Error(`device ${deviceId} has last seq ${device?.lastSeq}, expected ${count}`);
  }
}

/**
 * The fleet server as it runs in production, a process of its own (cli.ts), so that the
 * terminals' work (signing, JSON) does not share its event loop; this process keeps a
 * connection of its own to the storage for tokens, feed entries and checks.
 */
interface FleetUnderTest {
  url: string;
  storage: FleetStorage;
  close(): Promise<void>;
}

async function fleetProcess(
  args: FleetStorageArgs,
  openStorage: () => Promise<FleetStorage>,
): Promise<FleetUnderTest> {
  const server = await startFleetServerProcess(args);
  const storage = await openStorage();
  return {
    url: server.url,
    storage,
    async close() {
      await server.kill(); // nothing to flush: every answered request was committed
      await storage.close();
    },
  };
}

const sqliteFleet = (dir: string) =>
  fleetProcess({ data: dir }, () => openSqliteStorage(join(dir, 'fleet.sqlite')));

/** events/s of one cycle draining DRAIN_EVENTS through HTTP into a fresh SQLite file. */
async function drainOverHttp(batchSize: number): Promise<number> {
  const temp = tempDir('drain');
  const fleet = await sqliteFleet(temp.dir);
  try {
    const identity = await enrolTerminal(fleet.url, fleet.storage);
    const outbox = memoryOutbox(systemClock);
    for (let n = 1; n <= DRAIN_EVENTS; n++) outbox.enqueue('item-ready', readyPayload(n));
    const agent = agentFor(fleet.url, identity, outbox, batchSize);
    const start = performance.now();
    const state = await agent.syncNow();
    const seconds = (performance.now() - start) / 1000;
    if (!state.online || state.queueLength !== 0)
      throw new Error(`drain failed: ${state.lastError}`);
    await expectRecorded(fleet.storage, identity.deviceId, DRAIN_EVENTS);
    return DRAIN_EVENTS / seconds;
  } finally {
    await fleet.close();
    temp.remove();
  }
}

/** events/s of the same batches handed straight to the storage, on a fresh file. */
async function drainDirect(batchSize: number): Promise<number> {
  const temp = tempDir('direct');
  const fleet = await serveFleet(await openSqliteStorage(join(temp.dir, 'fleet.sqlite')));
  try {
    const { deviceId } = await fleet.enrol();
    const apply = eventApplier();
    const events: SyncEvent[] = Array.from({ length: DRAIN_EVENTS }, (_, i) => ({
      deviceId,
      seq: i + 1,
      idempotencyKey: `event-${i + 1}`,
      type: 'item-ready',
      payload: readyPayload(i + 1),
      createdAt: Date.now(),
    }));
    const start = performance.now();
    for (let i = 0; i < events.length; i += batchSize) {
      await fleet.storage.recordEvents(deviceId, events.slice(i, i + batchSize), apply, Date.now());
    }
    const seconds = (performance.now() - start) / 1000;
    await expectRecorded(fleet.storage, deviceId, DRAIN_EVENTS);
    return DRAIN_EVENTS / seconds;
  } finally {
    await fleet.close();
    temp.remove();
  }
}

async function syncDrain() {
  for (const batchSize of DRAIN_BATCH_SIZES) {
    const http: number[] = [];
    const direct: number[] = [];
    // Interleaved rounds, so that a slow moment of the disk hits both alike.
    for (let r = 0; r < DRAIN_ROUNDS; r++) {
      direct.push(await drainDirect(batchSize));
      http.push(await drainOverHttp(batchSize));
    }
    const value = median(http);
    const baseline = median(direct);
    print({
      name: 'sync_drain_events_per_s',
      value: Math.round(value),
      unit: 'events/s',
      batch_size: batchSize,
      n: { events: DRAIN_EVENTS, rounds: DRAIN_ROUNDS },
      baseline_direct_storage_events_per_s: Math.round(baseline),
      ratio_to_baseline: round(value / baseline),
      rounds_events_per_s: http.map(Math.round),
      note: 'one cycle, one terminal, loopback HTTP, signed; baseline = storage.recordEvents on the same batches, no HTTP/signing/JSON (median of rounds)',
      storage: 'sqlite',
      durability: SQLITE_DURABILITY,
    });
  }
}

interface BenchTerminal {
  identity: { deviceId: string; privateKeyPem: string };
  outbox: MemoryOutbox;
  agent: SyncAgent;
}

async function benchTerminal(fleet: FleetUnderTest, label: string): Promise<BenchTerminal> {
  const identity = await enrolTerminal(fleet.url, fleet.storage, label);
  const outbox = memoryOutbox(systemClock);
  return { identity, outbox, agent: agentFor(fleet.url, identity, outbox, FLEET_BATCH_SIZE) };
}

/** A cycle's worth of work: events in the terminal's outbox, entries in its feed. */
async function queueWork(storage: FleetStorage, terminal: BenchTerminal, cycle: number) {
  for (let n = 0; n < EVENTS_PER_CYCLE; n++) terminal.outbox.enqueue('item-ready', readyPayload(n));
  for (let n = 0; n < FEED_PER_CYCLE; n++) {
    await storage.appendFeed(
      terminal.identity.deviceId,
      announce(`bench-${cycle}-${n}`),
      Date.now(),
    );
  }
}

/** One terminal's cycle, timed; it must have delivered everything. */
async function timedCycle(terminal: BenchTerminal): Promise<number> {
  const began = performance.now();
  const state = await terminal.agent.syncNow();
  const ms = performance.now() - began;
  if (!state.online || state.queueLength !== 0) throw new Error(`cycle failed: ${state.lastError}`);
  return ms;
}

async function expectSynced(storage: FleetStorage, terminal: BenchTerminal) {
  await expectRecorded(storage, terminal.identity.deviceId, EVENTS_PER_CYCLE * FLEET_ROUNDS);
  const device = await storage.device(terminal.identity.deviceId);
  if (device?.feedAcked !== FEED_PER_CYCLE * FLEET_ROUNDS) throw new Error('feed not acknowledged');
}

/**
 * 100 terminals syncing at once, FLEET_ROUNDS times: the time of each terminal's cycle. The
 * baseline: the same cycle of one more terminal, alone against the idle server.
 */
async function fleetSync(fleet: FleetUnderTest) {
  const { storage } = fleet;
  try {
    const solo = await benchTerminal(fleet, 'bench terminal alone');
    const terminals: BenchTerminal[] = [];
    for (let i = 0; i < TERMINALS; i++) terminals.push(await benchTerminal(fleet, `bench ${i}`));
    const alone: number[] = [];
    for (let r = 0; r < FLEET_ROUNDS; r++) {
      await queueWork(storage, solo, r);
      alone.push(await timedCycle(solo));
    }
    const samples: number[] = [];
    const rounds: number[] = [];
    for (let r = 0; r < FLEET_ROUNDS; r++) {
      for (const terminal of terminals) await queueWork(storage, terminal, r);
      const start = performance.now();
      samples.push(...(await Promise.all(terminals.map(timedCycle))));
      rounds.push(performance.now() - start);
    }
    for (const terminal of [solo, ...terminals]) await expectSynced(storage, terminal);
    const result = percentiles(samples);
    const baseline = median(alone);
    return {
      ...result,
      baseline_one_terminal_alone_ms: round(baseline),
      ratio_p50_to_baseline: round(result.p50 / baseline),
      round_ms: percentiles(rounds),
    };
  } finally {
    await fleet.close();
  }
}

const FLEET_NOTE = `${TERMINALS} terminals, each ${EVENTS_PER_CYCLE} events + ${FEED_PER_CYCLE} feed entries per cycle (push, pull, ack, status), all at once, ${FLEET_ROUNDS} rounds; one cycle per terminal and round`;

async function fleetSyncSqlite() {
  const temp = tempDir('fleet');
  try {
    const result = await fleetSync(await sqliteFleet(temp.dir));
    print({
      name: 'fleet_sync_ms',
      storage: 'sqlite',
      unit: 'ms',
      ...result,
      terminals: TERMINALS,
      note: FLEET_NOTE,
      durability: SQLITE_DURABILITY,
    });
  } finally {
    temp.remove();
  }
}

async function fleetSyncPostgres() {
  if (!findPostgresBin()) {
    print({
      name: 'fleet_sync_ms',
      storage: 'postgres',
      skipped: true,
      reason:
        'PostgreSQL server binaries not found in /usr/lib/postgresql (scripts/setup.sh installs them)',
    });
    return;
  }
  let server: TestPostgres;
  try {
    server = await startPostgres();
  } catch (error) {
    print({
      name: 'fleet_sync_ms',
      storage: 'postgres',
      skipped: true,
      reason: `PostgreSQL did not start: ${(error as Error).message.split('\n')[0]}`,
    });
    return;
  }
  try {
    const database = await server.createDatabase();
    const url = `postgres://${database.user}@/${database.database}?host=${encodeURIComponent(String(database.host))}&port=${database.port}`;
    // Both connections to the database need the key sealing its secrets: the process's file.
    const secretKeyFile = join(mkdtempSync(join(tmpdir(), 'fleet-bench-key-')), 'secret.key');
    const result = await fleetSync(
      await fleetProcess({ postgres: url, secretKeyFile }, () =>
        openPostgresStorage(database, { secretKey: { file: secretKeyFile } }),
      ),
    );
    print({
      name: 'fleet_sync_ms',
      storage: 'postgres',
      unit: 'ms',
      ...result,
      terminals: TERMINALS,
      note: FLEET_NOTE,
      // Not like for like with SQLite: the throw-away test server runs without durability.
      durability: 'fsync=off, synchronous_commit=off (testing/postgres.ts), pool of 10 connections',
    });
  } finally {
    await server.stop();
  }
}

// A benchmark that stalls is a failure to report, not a wait without end.
setTimeout(() => {
  process.stderr.write('sync bench: no result within 300 s, giving up\n');
  process.exit(1);
}, 300_000).unref();

await syncDrain();
await fleetSyncSqlite();
await fleetSyncPostgres();
