import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, type Logger, memoryLogger } from '@amtomat/basics';
import { simulatedClock } from '@amtomat/basics/testing';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { createLocker, type Locker, type LockerTiming } from '@amtomat/locker-controller';
import { createKioskCore, type KioskCore } from '../core/kiosk-core.ts';
import type { View } from '../core/views.ts';
import type { DoorStep } from '../doors/door-service.ts';
import type { SessionTimers } from '../flows/session.machine.ts';
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
  clock: ReturnType<typeof simulatedClock>;
  logger: ReturnType<typeof memoryLogger>;
  views: View[];
  /** Sends a UI event and fails the test if the core refuses it. */
  press(event: Record<string, unknown>): void;
  type(keys: string): void;
  waitForScreen(screen: View['screen'], timeoutMs?: number): Promise<View>;
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
    { logger },
  );
  await locker.start();
  const core = createKioskCore({
    store,
    locker,
    clock,
    logger,
    ...(options.afterDoorStep && { afterDoorStep: options.afterDoorStep }),
    ...(options.timers && { timers: options.timers }),
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
 * pty; the core's time is simulated (the lock boards keep real time).
 */
export async function startKiosk(
  options: {
    dir?: string;
    lockerTiming?: Partial<LockerTiming>;
    timers?: Partial<SessionTimers>;
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
  });
  const { store, locker, core } = terminal;
  const views: View[] = [];
  core.subscribe((view) => views.push(view));
  await core.start();

  function press(event: Record<string, unknown>) {
    const result = core.send(event);
    if (!result.ok) throw new Error(`event ${JSON.stringify(event)} refused: ${result.error.kind}`);
  }

  async function waitForScreen(screen: View['screen'], timeoutMs = 4000): Promise<View> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const view = core.view();
      if (view.screen === screen) return view;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`screen ${screen} not reached; now ${core.view().screen}`);
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
    async close() {
      await terminal.close();
      await sim.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
