/**
 * Lock-board benchmarks over a real pseudo-terminal with the board simulator. Prints one
 * JSON object per line. The simulator holds each reply back for the time the command and
 * the reply take on the wire at 19200 baud, so figures compare with the physical limit.
 *
 *   unlock_frame_latency_ms  unlock() called → unlock frame complete at the board
 *   door_detect_ratio        door change → event, ÷ one poll cycle of a 10-board bus at
 *                            19200 baud (the physical floor, 10 × 14 bytes = 72.9 ms)
 *   bus_commands_per_s       status round trips per second on one bus, and ÷ the line's limit
 */
import { LockBoardSimulator, transmissionMs } from '@amtomat/hardware-mocks';
import {
  createBus,
  createLocker,
  type DoorEvent,
  type Locker,
  serialTransport,
} from '../src/index.ts';
import { kerongCu16 } from '../src/protocols/index.ts';

const BAUD = 19200;
const STATUS_ROUND_TRIP_BYTES = 5 + 9; // CU16 status command + reply
const PHYSICAL_CYCLE_MS = 10 * transmissionMs(STATUS_ROUND_TRIP_BYTES, BAUD);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tenBoardLocker(sim: LockBoardSimulator): Locker {
  return createLocker({
    buses: [{ id: 'bus', transport: { kind: 'serial', path: sim.hostPath, baud: BAUD } }],
    compartments: sim.boards.map((board) => ({
      label: `B${board}`,
      size: 'M' as const,
      bus: 'bus',
      board,
      lock: 1,
    })),
    timing: { leftOpenMs: 600_000 },
  });
}

function nextEvent(locker: Locker, type: DoorEvent['type']): Promise<number> {
  return new Promise((resolve) => {
    const off = locker.onEvent((event) => {
      if (event.type !== type) return;
      off();
      resolve(performance.now());
    });
  });
}

async function unlockFrameLatency(sim: LockBoardSimulator, locker: Locker) {
  const samples: number[] = [];
  for (let i = 0; i < 100; i++) {
    const board = i % 10;
    const sent = new Promise<number>((resolve) => {
      const off = sim.onCommand(({ command, at }) => {
        if (command.kind !== 'unlock') return;
        off();
        resolve(at);
      });
    });
    const start = performance.now();
    const unlocked = locker.unlock(`B${board}`);
    samples.push((await sent) - start);
    await unlocked;
    sim.closeDoor(board, 1);
    await nextEvent(locker, 'closed');
  }
  print({ name: 'unlock_frame_latency_ms', ...percentiles(samples), baud: BAUD });
}

async function doorDetect(sim: LockBoardSimulator, locker: Locker) {
  const idle: number[] = [];
  const active: number[] = [];
  for (let i = 0; i < 40; i++) {
    const board = (i * 3) % 10;
    await sleep(50 + Math.random() * 250); // a random moment in the idle polling cycle
    const forced = nextEvent(locker, 'forced-open');
    const t0 = performance.now();
    sim.forceOpen(board, 1);
    idle.push((await forced) - t0);
    await sleep(Math.random() * 60); // a random moment in the fast polling cycle
    const closed = nextEvent(locker, 'closed');
    const t1 = performance.now();
    sim.closeDoor(board, 1);
    active.push((await closed) - t1);
  }
  const ratio = (samples: number[]) => {
    const { p50, p99, n } = percentiles(samples);
    return { p50: round(p50 / PHYSICAL_CYCLE_MS), p99: round(p99 / PHYSICAL_CYCLE_MS), n };
  };
  print({
    name: 'door_detect_ratio',
    note: 'detection latency / one 10-board poll cycle at 19200 baud',
    cycle_ms: round(PHYSICAL_CYCLE_MS),
    idle: ratio(idle),
    door_open: ratio(active),
    idle_ms: percentiles(idle),
    door_open_ms: percentiles(active),
  });
}

async function busThroughput(emulateLineTiming: boolean) {
  const sim = await LockBoardSimulator.start({ boards: 1, emulateLineTiming });
  const bus = createBus({ protocol: kerongCu16, transport: serialTransport(sim.hostPath, BAUD) });
  await bus.open();
  const durationMs = 3000;
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < durationMs) {
    const result = await bus.request({ kind: 'status', board: 0 }, (reply) =>
      reply.kind === 'status' ? reply : undefined,
    );
    if (result.ok) count++;
  }
  const perSecond = (count * 1000) / (performance.now() - start);
  const lineLimit = 1000 / transmissionMs(STATUS_ROUND_TRIP_BYTES, BAUD);
  print({
    name: 'bus_commands_per_s',
    line_timing: emulateLineTiming ? `${BAUD} baud emulated` : 'none (raw pty)',
    value: Math.round(perSecond),
    line_limit_per_s: Math.round(lineLimit),
    ratio_to_line_limit: round(perSecond / lineLimit),
  });
  await bus.close();
  await sim.stop();
}

// A benchmark that stalls is a failure to report, not a wait without end.
setTimeout(() => {
  process.stderr.write('locker bench: no progress for 180 s, giving up\n');
  process.exit(1);
}, 180_000).unref();

const sim = await LockBoardSimulator.start({ boards: 10, emulateLineTiming: true });
const locker = tenBoardLocker(sim);
await locker.start();
await sleep(500);
await unlockFrameLatency(sim, locker);
await doorDetect(sim, locker);
await locker.stop();
await sim.stop();
await busThroughput(true);
await busThroughput(false);
