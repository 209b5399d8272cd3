/**
 * Kiosk core benchmarks: the real core on a real SQLite file (WAL, synchronous=FULL) with
 * the lock-board simulator over a real pseudo-terminal (19200 baud line timing emulated) and
 * the locker's production timing. Prints one JSON object per line.
 *
 *   flow_step_latency_ms  a UI event sent to the core → the next view published (the session
 *                         snapshot is persisted before the view goes out), over whole pickups
 *   door_open_latency_ms  the SUBMIT of the date of birth that leads to the door → the unlock
 *                         frame complete at the board (simulator timestamp); goal p99 ≤ 50 ms
 *   outbox_append_ratio   outbox appends/s through `store.enqueue` (each its own transaction)
 *                         ÷ plain inserts/s of the same rows into a table without the outbox's
 *                         key, checks and indexes, same file, same settings
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '@amtomat/basics';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { lockerTimingSchema } from '@amtomat/locker-controller';
import type { View } from '../src/core/views.ts';
import { type Db, openDb, STORE_FILE } from '../src/store/db.ts';
import { createHasher, loadOrCreateDeviceSecret } from '../src/store/secret.ts';
import { createStore } from '../src/store/store.ts';
import { openTestTerminal, TEST_COMPARTMENTS } from '../src/testing/kiosk-fixture.ts';

const WARMUP_PICKUPS = 5;
const PICKUPS = 110;
const DOOR_GOAL_P99_MS = 50;
const CODE = '583016';
const BIRTH_DATE = '1987-04-12';
const TYPED_BIRTH_DATE = '12041987';

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** SQLite reports `synchronous` as a number; 2 is FULL. */
function durability(db: Db) {
  const synchronous = db.pragma('synchronous', { simple: true });
  const journal = db.pragma('journal_mode', { simple: true });
  if (synchronous !== 2 || journal !== 'wal') {
    throw new Error(`store not durable: synchronous=${synchronous}, journal_mode=${journal}`);
  }
  return { synchronous: 'FULL', journal_mode: 'wal' };
}

async function pickups() {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-kiosk-bench-'));
  const sim = await LockBoardSimulator.start({ boards: 1, emulateLineTiming: true });
  const timing = lockerTimingSchema.parse({});
  const terminal = await openTestTerminal({
    dir,
    devicePath: sim.hostPath,
    clock: systemClock,
    logger: silentLogger,
    lockerTiming: timing,
  });
  const { core, store } = terminal;
  const settings = durability(terminal.db);

  let firstView: ((at: number) => void) | undefined;
  let waiting: { screen: string; doorOpen: boolean; resolve: () => void } | undefined;
  const reached = (view: View, want: { screen: string; doorOpen: boolean }) =>
    view.screen === want.screen && (!want.doorOpen || view.props.doorOpen === true);
  core.subscribe((view: View) => {
    const at = performance.now();
    const resolve = firstView;
    firstView = undefined;
    resolve?.(at);
    if (waiting && reached(view, waiting)) {
      const { resolve: done } = waiting;
      waiting = undefined;
      done();
    }
  });
  await core.start();

  /** The screen shows (with `doorOpen`: and has changed to "the door is open"). */
  function until(screen: string, doorOpen = false): Promise<void> {
    if (reached(core.view(), { screen, doorOpen })) return Promise.resolve();
    return new Promise((resolve) => {
      waiting = { screen, doorOpen, resolve };
    });
  }

  /** Sends a UI event; resolves with when it was sent and when the next view went out. */
  async function step(event: Record<string, unknown>) {
    const published = new Promise<number>((resolve) => {
      firstView = resolve;
    });
    const sent = performance.now();
    const result = core.send(event);
    if (!result.ok) throw new Error(`event ${String(event.type)} refused: ${result.error.kind}`);
    return { sent, latency: (await published) - sent };
  }

  const stepSamples: number[] = [];
  const doorSamples: number[] = [];
  for (let i = 0; i < WARMUP_PICKUPS + PICKUPS; i++) {
    const record = i >= WARMUP_PICKUPS;
    const press = async (event: Record<string, unknown>) => {
      const { sent, latency } = await step(event);
      if (record) stepSamples.push(latency);
      return sent;
    };
    const compartment = TEST_COMPARTMENTS[i % TEST_COMPARTMENTS.length]!;
    const item = store.announceItem({
      kind: 'document',
      reference: `BENCH-${i}`,
      code: CODE,
      secondFactor: BIRTH_DATE,
    });
    const loaded = store.markLoaded(item.id, compartment.label, 'bench');
    if (!loaded.ok) throw new Error(`bench item not loaded: ${loaded.error}`);
    sim.setItem(0, compartment.lock, true);

    await until('attract');
    await press({ type: 'CHOOSE', service: 'document-pickup' });
    for (const key of CODE) await press({ type: 'KEY', key });
    await press({ type: 'SUBMIT' });
    await until('pickup.date-of-birth');
    for (const key of TYPED_BIRTH_DATE) await press({ type: 'KEY', key });
    const unlockFrame = new Promise<number>((resolve) => {
      const off = sim.onCommand(({ command, at }) => {
        if (command.kind !== 'unlock') return;
        off();
        resolve(at);
      });
    });
    const accepted = await press({ type: 'SUBMIT' });
    const frameAt = await unlockFrame;
    if (record) doorSamples.push(frameAt - accepted);
    await until('pickup.door', true);
    sim.setItem(0, compartment.lock, false);
    sim.closeDoor(0, compartment.lock);
    await until('survey');
    await press({ type: 'ANSWER', question: 'satisfaction', value: 5 });
    await press({ type: 'FINISH' });
    if (store.item(item.id)?.status !== 'picked_up') throw new Error('bench pickup failed');
  }

  print({
    name: 'flow_step_latency_ms',
    ...percentiles(stepSamples),
    pickups: PICKUPS,
    note: 'UI event → next view published (session snapshot persisted first)',
    ...settings,
  });
  const door = percentiles(doorSamples);
  print({
    name: 'door_open_latency_ms',
    ...door,
    goal_p99_ms: DOOR_GOAL_P99_MS,
    goal_met: door.p99 <= DOOR_GOAL_P99_MS,
    note: 'date of birth SUBMIT → unlock frame complete at the board (19200 baud emulated)',
    locker_timing: { idlePollMs: timing.idlePollMs, fastPollMs: timing.fastPollMs },
    ...settings,
  });

  await terminal.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}

function outboxAppendRatio() {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-outbox-bench-'));
  const db = openDb(join(dir, STORE_FILE));
  const settings = durability(db);
  const store = createStore({
    db,
    hasher: createHasher(loadOrCreateDeviceSecret(dir)),
    now: () => Date.now(),
  });
  // The outbox's columns, without its unique key, checks and indexes.
  db.exec(`CREATE TABLE plain_events (
    seq INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL, type TEXT NOT NULL,
    payload TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, sent_at INTEGER, last_error TEXT) STRICT`);
  const insert = db.prepare(
    `INSERT INTO plain_events (idempotency_key, type, payload, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const payload = () => ({
    itemId: randomUUID(),
    reference: 'DOC-2026-000123',
    compartment: 'A2',
    pickedUpAt: Date.now(),
  });
  const appends = { outbox: { count: 0, ms: 0 }, plain: { count: 0, ms: 0 } };
  const run = (into: { count: number; ms: number }, once: () => void, ms: number) => {
    const start = performance.now();
    while (performance.now() - start < ms) {
      once();
      into.count++;
    }
    into.ms += performance.now() - start;
  };
  // Interleaved rounds, so that a slow moment of the disk hits both alike.
  for (let round = 0; round < 4; round++) {
    run(appends.outbox, () => store.enqueue('item-picked-up', payload()), 750);
    run(
      appends.plain,
      () => {
        const now = Date.now();
        insert.run(randomUUID(), 'item-picked-up', JSON.stringify(payload()), now, now);
      },
      750,
    );
  }
  const rate = ({ count, ms }: { count: number; ms: number }) => (count * 1000) / ms;
  const outboxRate = rate(appends.outbox);
  const plainRate = rate(appends.plain);
  print({
    name: 'outbox_append_ratio',
    value: round(outboxRate / plainRate),
    outbox_appends_per_s: Math.round(outboxRate),
    plain_inserts_per_s: Math.round(plainRate),
    n: { outbox: appends.outbox.count, plain: appends.plain.count },
    note: 'each append its own transaction; plain = same rows, no key/checks/indexes',
    ...settings,
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

// A benchmark that stalls is a failure to report, not a wait without end.
setTimeout(() => {
  process.stderr.write('kiosk bench: no progress for 120 s, giving up\n');
  process.exit(1);
}, 120_000).unref();

await pickups();
outboxAppendRatio();
