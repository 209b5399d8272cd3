import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmsCodeClient } from '@amtomat/admin-sync/agent';
import { type Clock, type Logger, memoryLogger } from '@amtomat/basics';
import { type SimulatedClock, simulatedClock } from '@amtomat/basics/testing';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { createLocker, type Locker, type LockerTiming } from '@amtomat/locker-controller';
import { createKioskCore, type KioskCore } from '../core/kiosk-core.ts';
import type { View } from '../core/views.ts';
import type { DoorStep } from '../doors/door-service.ts';
import type { SessionTimers } from '../flows/session.machine.ts';
import type { Receipts } from '../receipts/receipts.ts';
import { openDb } from '../store/db.ts';
import { createHasher, loadOrCreateDeviceSecret } from '../store/secret.ts';
import { createStore, type Store } from '../store/store.ts';
import type { CompartmentSize } from '../store/types.ts';

/** Compartments of the test terminal: one CU16 board, locks 1..4. */
export const TEST_COMPARTMENTS = [
  { label: 'A1', size: 'S' as CompartmentSize, lock: 1, heightCm: 40, accessible: true },
  { label: 'A2', size: 'M' as CompartmentSize, lock: 2, heightCm: 90, accessible: false },
  { label: 'A3', size: 'M' as CompartmentSize, lock: 3, heightCm: 130, accessible: false },
  { label: 'A4', size: 'L' as CompartmentSize, lock: 4, heightCm: 160, accessible: false },
];

export interface KioskFixture {
  dir: string;
  sim: LockBoardSimulator;
  locker: Locker;
  store: Store;
  core: KioskCore;
  clock: SimulatedClock;
  logger: ReturnType<typeof memoryLogger>;
  views: View[];
  /** Sends a UI event and fails the test if the core refuses it. */
  press(event: Record<string, unknown>): void;
  type(keys: string): void;
  /** Waits for the screen (on one clock, by letting the clock run: see `until`). */
  waitForScreen(screen: View['screen'], timeoutMs?: number): Promise<View>;
  /** Waits for a door screen whose door is seen open (`pickup.door` once it changed to "take"). */
  waitForOpenDoor(screen: View['screen'], timeoutMs?: number): Promise<View>;
  /**
   * Waits until `probe` returns something other than `undefined` or `false`. On one clock,
   * simulated time moves from one sleeper's wake to the next (a poll, a tick) meanwhile;
   * `timeoutMs` is real time, so a test that waits in vain fails instead of hanging.
   */
  until<T>(what: string, probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /**
   * One clock only: lets `ms` of simulated time pass step by step, with every poll, reply
   * timeout and tick due in it, and returns when nothing is left to do at the end. What has
   * not happened after `run` did not happen in that time: no sleep, no race.
   */
  run(ms: number): Promise<void>;
  /** One clock only: returns when everything due at the current simulated time has run. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The store of a test terminal in `dir`, with its compartments. */
export function openTestStore(options: { dir: string; clock: Clock; logger: Logger }) {
  const db = openDb(join(options.dir, 'kiosk.sqlite'));
  const store = createStore({
    db,
    hasher: createHasher(loadOrCreateDeviceSecret(options.dir)),
    now: () => options.clock.now(),
    logger: options.logger,
  });
  store.upsertCompartments(
    TEST_COMPARTMENTS.map(({ label, size, lock, heightCm, accessible }) => ({
      label,
      size,
      lock,
      heightCm,
      accessible,
      purpose: 'pickup' as const,
      bus: 'main',
      board: 0,
    })),
  );
  return { db, store };
}

/** The parts of a test terminal on a data folder and a serial device path. */
export async function openTestTerminal(options: {
  dir: string;
  devicePath: string;
  clock: Clock;
  logger: Logger;
  afterDoorStep?: (step: DoorStep) => void;
  /** Overrides of the locker's timing, e.g. a short `leftOpenMs` (real time). */
  lockerTiming?: Partial<LockerTiming>;
  /** Session timers (inactivity, staff timeout ...); defaults otherwise. */
  timers?: Partial<SessionTimers>;
  /** The locker runs on `clock` too (polls, reply timeouts, left-open), not on real time. */
  oneClock?: boolean;
  /** The fleet's SMS codes (applications); none by default. */
  smsCodes?: () => SmsCodeClient | null;
  /** The receipt printer (`receipts/receipts.ts`); none by default. */
  receipts?: Receipts;
}) {
  const { devicePath, clock, logger } = options;
  const { db, store } = openTestStore(options);
  const locker = createLocker(
    {
      buses: [
        { id: 'main', transport: { kind: 'serial', path: devicePath }, timeoutMs: 150, retries: 1 },
      ],
      compartments: TEST_COMPARTMENTS.map(({ label, size, lock }) => ({
        label,
        size,
        bus: 'main',
        board: 0,
        lock,
        hasItemSensor: true,
      })),
      timing: { idlePollMs: 30, fastPollMs: 5, confirmTimeoutMs: 800, ...options.lockerTiming },
    },
    { logger, ...(options.oneClock && { clock }) },
  );
  await locker.start();
  const core = createKioskCore({
    store,
    locker,
    clock,
    logger,
    ...(options.afterDoorStep && { afterDoorStep: options.afterDoorStep }),
    ...(options.timers && { timers: options.timers }),
    ...(options.smsCodes && { smsCodes: options.smsCodes }),
    ...(options.receipts && { receipts: options.receipts }),
  });
  return {
    db,
    store,
    locker,
    core,
    async close() {
      await core.stop();
      await locker.stop();
      db.close();
    },
  };
}

/**
 * A kiosk core on a real SQLite file and real serial I/O to the board simulator over a
 * pty; the core's time is simulated. The locker keeps real time, unless `oneClock`: then
 * it runs on the core's simulated clock too, and the test moves time with `run`, `until`
 * and `waitForScreen` (a test that asserts that something did not happen needs this).
 */
export async function startKiosk(
  options: {
    dir?: string;
    lockerTiming?: Partial<LockerTiming>;
    timers?: Partial<SessionTimers>;
    oneClock?: boolean;
    smsCodes?: () => SmsCodeClient | null;
    receipts?: Receipts;
  } = {},
): Promise<KioskFixture> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'amtomat-kiosk-'));
  const sim = await LockBoardSimulator.start({ boards: 1 });
  const logger = memoryLogger();
  const clock = simulatedClock();
  const terminal = await openTestTerminal({
    dir,
    devicePath: sim.hostPath,
    clock,
    logger,
    ...(options.lockerTiming && { lockerTiming: options.lockerTiming }),
    ...(options.timers && { timers: options.timers }),
    ...(options.oneClock && { oneClock: true }),
    ...(options.smsCodes && { smsCodes: options.smsCodes }),
    ...(options.receipts && { receipts: options.receipts }),
  });
  const { store, locker, core } = terminal;
  const oneClock = options.oneClock ?? false;
  const views: View[] = [];
  core.subscribe((view) => views.push(view));
  await core.start();

  function press(event: Record<string, unknown>) {
    const result = core.send(event);
    if (!result.ok) throw new Error(`event ${JSON.stringify(event)} refused: ${result.error.kind}`);
  }

  let lostFrames = 0;
  let frameUnseenSince: number | undefined;
  /**
   * One clock: runs until nothing is due at the current simulated time; time itself does
   * not move. The only real waiting is for bytes on the pty. A reply the board will not
   * send (it has handled every frame and answered none of the last) counts as quiet: its
   * timeout is a sleeper like any other, reached when the test lets time pass.
   */
  async function settle(deadline = Date.now() + 4000) {
    const bus = locker.bus('main')!;
    const quiet = async () => {
      if (!bus.busy) return true;
      if (!bus.awaitingReply) return false; // flushing or writing: real I/O
      const unseen = bus.stats.frames - lostFrames - sim.received.length;
      if (unseen > 0) {
        // On its way to the board, or lost on a line being unplugged (the only way a pty
        // loses bytes): a frame not there after half a second is not coming.
        frameUnseenSince ??= Date.now();
        if (Date.now() - frameUnseenSince < 500) return false;
        lostFrames += unseen;
      }
      frameUnseenSince = undefined;
      await sim.idle();
      return bus.awaitingReply && sim.received.at(-1)?.answered === false;
    };
    for (let quietTurns = 0; quietTurns < 3; ) {
      if (Date.now() > deadline) {
        const state = { busy: bus.busy, awaitingReply: bus.awaitingReply, bus: bus.state };
        const frames = { sent: bus.stats.frames, lost: lostFrames, heard: sim.received.length };
        throw new Error(`the terminal did not settle: ${JSON.stringify({ ...state, ...frames })}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
      quietTurns = (await quiet()) ? quietTurns + 1 : 0;
    }
  }

  function oneClockOnly(what: string) {
    if (!oneClock) throw new Error(`${what} needs startKiosk({ oneClock: true })`);
  }

  async function until<T>(
    what: string,
    probe: () => T | undefined | false,
    timeoutMs = 4000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (oneClock) await settle(deadline);
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      const next = oneClock ? clock.nextWakeAt() : undefined;
      if (next !== undefined) clock.set(next);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async function waitForScreen(screen: View['screen'], timeoutMs = 4000): Promise<View> {
    try {
      const reached = () => core.view().screen === screen && core.view();
      return await until(`screen ${screen}`, reached, timeoutMs);
    } catch (error) {
      throw new Error(`screen ${screen} not reached; now ${core.view().screen} (${error})`);
    }
  }

  async function run(ms: number) {
    oneClockOnly('run');
    const end = clock.now() + ms;
    await settle();
    for (let next = clock.nextWakeAt(); next !== undefined && next <= end; ) {
      clock.set(next);
      await settle();
      next = clock.nextWakeAt();
    }
    clock.set(end);
    await settle();
  }

  return {
    dir,
    sim,
    locker,
    store,
    core,
    clock,
    logger,
    views,
    press,
    type(keys) {
      for (const key of keys) press({ type: 'KEY', key });
    },
    waitForScreen,
    async waitForOpenDoor(screen, timeoutMs = 4000) {
      const open = () => {
        const view = core.view();
        return view.screen === screen && view.props.doorOpen === true && view;
      };
      return await until(`screen ${screen} with the door open`, open, timeoutMs);
    },
    until,
    run,
    async settle() {
      oneClockOnly('settle');
      await settle();
    },
    async close() {
      let closed = false;
      const closing = terminal.close().finally(() => (closed = true));
      // On one clock a poll may wait for a reply that only the clock can time out.
      while (oneClock && !closed) {
        await new Promise((resolve) => setImmediate(resolve));
        const next = clock.nextWakeAt();
        if (next !== undefined) clock.set(next);
      }
      await closing;
      await sim.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
