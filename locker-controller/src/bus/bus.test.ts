/**
 * The bus against simulated lock boards on a real pseudo-terminal pair (socat), a
 * hand-written board on a bare pty pair, and a CU16 "gateway" on a local TCP socket.
 * Every case asserts the typed outcome and, where it matters, what the board received.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { type Clock, memoryLogger, systemClock } from '@amtomat/basics';
import { simulatedClock } from '@amtomat/basics/testing';
import { LockBoardSimulator, openPtyPair, type PtyPair } from '@amtomat/hardware-mocks';
import { SerialPort } from 'serialport';
import { kerongCu16 } from '../protocols/kerong-cu16.ts';
import type { BoardStatus, HostCommand, Reply } from '../protocols/types.ts';
import { type Bus, type BusState, createBus } from './bus.ts';
import { serialTransport } from './serial-transport.ts';
import { tcpTransport } from './tcp-transport.ts';
import type { Transport } from './transport.ts';

/** Far above a reply's few ms: on a loaded machine a late reply must not become a retry. */
const TIMEOUT_MS = 800;
const RETRIES = 1;

const anyStatus = (reply: Reply): BoardStatus | undefined =>
  reply.kind === 'status' ? reply.status : undefined;
const statusOf =
  (board: number) =>
  (reply: Reply): BoardStatus | undefined =>
    reply.kind === 'status' && reply.status.board === board ? reply.status : undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Blocks the whole thread (the event loop too), so bytes pile up unread in the kernel. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits until `done()` holds; fails naming `what` after `timeoutMs`, rather than hanging. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Resolves with the next state the bus reports that `want` accepts. */
function nextState(
  bus: Bus,
  want: (state: BusState) => boolean,
  timeoutMs: number,
): Promise<{ state: BusState; reason: string | undefined }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`bus state still ${bus.state} after ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.onStateChange((state, reason) => {
      if (!want(state)) return;
      clearTimeout(timer);
      off();
      resolve({ state, reason });
    });
  });
}

/** Pid of the socat (started by this test's pty pair) that links `path`. */
function socatServing(path: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('socat') && args.some((arg) => arg.includes(`link=${path}`))) {
        return Number(entry);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error(`no socat serving ${path}`);
}

function statusCommands(received: readonly { command: HostCommand }[]): HostCommand[] {
  return received.map((r) => r.command).filter((c) => c.kind === 'status');
}

describe('bus over a pty with simulated CU16 boards', () => {
  let sim: LockBoardSimulator;
  let bus: Bus;

  before(async () => {
    sim = await LockBoardSimulator.start({ protocol: 'kerong-cu16', boards: [0, 1] });
    bus = createBus({
      protocol: kerongCu16,
      transport: serialTransport(sim.hostPath, 19200),
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
      reopen: { initialMs: 20, maxMs: 100 },
    });
    const opened = await bus.open();
    assert.deepEqual(opened, { ok: true, value: undefined });
    assert.equal(bus.state, 'open');
  });

  after(async () => {
    await bus?.close();
    await sim?.stop();
  });

  afterEach(() => {
    sim.faults.silentBoards.clear();
    sim.faults.replyDelayMs = 0;
    sim.faults.corruptReplies = 0;
    sim.faults.splitFrames = false;
    sim.faults.garbageBetweenFrames = false;
    sim.received.length = 0;
  });

  test('a status request returns the decoded status of that board', async () => {
    sim.forceOpen(1, 3);
    sim.setItem(1, 5, true);
    try {
      const result = await bus.request({ kind: 'status', board: 1 }, statusOf(1));
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value.board, 1);
      assert.equal(result.value.hooks.length, 16);
      // closed-is-1 wiring: every hook bit set except the open door 3
      assert.deepEqual(
        result.value.hooks.flatMap((bit, i) => (bit ? [] : [i + 1])),
        [3],
      );
      assert.deepEqual(
        result.value.items?.flatMap((bit, i) => (bit ? [i + 1] : [])),
        [5],
      );
      assert.deepEqual(statusCommands(sim.received), [{ kind: 'status', board: 1 }]);
    } finally {
      sim.closeDoor(1, 3);
      sim.setItem(1, 5, false);
    }
  });

  test('20 concurrent requests go out one at a time, each reply matched to its own request', async () => {
    sim.faults.replyDelayMs = 10;
    const boards = Array.from({ length: 20 }, (_, i) => i % 2);
    // `anyStatus` accepts whatever status comes first: only serialisation keeps them apart.
    const results = await Promise.all(
      boards.map((board) => bus.request({ kind: 'status', board }, anyStatus)),
    );
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value.board : r.error.kind)),
      boards,
    );
    assert.deepEqual(
      sim.received.map((r) => r.command),
      boards.map((board) => ({ kind: 'status', board })),
    );
    // Each command reached the board only after the previous reply (delayed 10 ms) was out.
    for (let i = 1; i < sim.received.length; i++) {
      const gap = sim.received[i]!.at - sim.received[i - 1]!.at;
      assert.ok(gap >= 8, `command ${i} came ${gap.toFixed(1)} ms after the previous one`);
    }
  });

  test('a silent board: timeout after retries + 1 attempts, each one a frame on the line', async () => {
    sim.faults.silentBoards.add(0);
    const timeoutsBefore = bus.stats.timeouts;
    const started = performance.now();
    const result = await bus.request({ kind: 'status', board: 0 }, statusOf(0));
    const took = performance.now() - started;
    assert.deepEqual(result, { ok: false, error: { kind: 'timeout', attempts: RETRIES + 1 } });
    assert.equal(statusCommands(sim.received).length, RETRIES + 1);
    assert.equal(bus.stats.timeouts, timeoutsBefore + 1);
    assert.ok(took >= TIMEOUT_MS * (RETRIES + 1) - 5, `gave up after ${took} ms`);
  });

  test('per-request retries and timeout override the bus defaults', async () => {
    sim.faults.silentBoards.add(1);
    const result = await bus.request({ kind: 'status', board: 1 }, statusOf(1), {
      retries: 0,
      timeoutMs: 30,
    });
    assert.deepEqual(result, { ok: false, error: { kind: 'timeout', attempts: 1 } });
    // On a loaded machine the board may read the frame only after the 30 ms are over.
    await until(() => statusCommands(sim.received).length > 0, 5000, 'the frame reaches the board');
    await sleep(50);
    assert.equal(statusCommands(sim.received).length, 1);
  });

  test('only corrupted replies: bad-checksum', async () => {
    sim.faults.corruptReplies = Number.POSITIVE_INFINITY;
    const before = bus.stats.badChecksums;
    const result = await bus.request({ kind: 'status', board: 0 }, statusOf(0));
    assert.deepEqual(result, {
      ok: false,
      error: { kind: 'bad-checksum', attempts: RETRIES + 1 },
    });
    assert.equal(statusCommands(sim.received).length, RETRIES + 1);
    assert.equal(bus.stats.badChecksums, before + RETRIES + 1);
  });

  test('a corrupt first reply and a good retry: ok', async () => {
    sim.faults.corruptReplies = 1;
    const retriesBefore = bus.stats.retries;
    const result = await bus.request({ kind: 'status', board: 1 }, statusOf(1));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.board, 1);
    assert.equal(statusCommands(sim.received).length, 2);
    assert.equal(bus.stats.retries, retriesBefore + 1);
    assert.equal(sim.faults.corruptReplies, 0);
  });

  test('replies split into pieces and garbage between frames still parse', async () => {
    sim.faults.splitFrames = true;
    sim.faults.garbageBetweenFrames = true;
    sim.forceOpen(0, 16);
    try {
      for (let i = 0; i < 10; i++) {
        const board = i % 2;
        const result = await bus.request({ kind: 'status', board }, statusOf(board));
        assert.ok(result.ok, `request ${i}: ${JSON.stringify(result)}`);
        assert.equal(result.value.board, board);
        assert.equal(result.value.hooks[15], board !== 0); // door 16 of board 0 is open
      }
      // each answered at the first attempt
      assert.equal(statusCommands(sim.received).length, 10);
    } finally {
      sim.closeDoor(0, 16);
    }
  });

  test('send writes a command that has no reply', async () => {
    const result = await bus.send({ kind: 'unlock', board: 1, lock: 7 });
    assert.deepEqual(result, { ok: true, value: undefined });
    await until(() => sim.received.length > 0, 5000, 'the unlock reaches the board');
    await sleep(50);
    assert.deepEqual(
      sim.received.map((r) => r.command),
      [{ kind: 'unlock', board: 1, lock: 7 }],
    );
    assert.equal(sim.door(1, 7).open, true);
    sim.closeDoor(1, 7);
  });

  test('adapter pulled: the request in flight is port-closed, the bus reopens after replug', async () => {
    sim.faults.silentBoards.add(0); // the reply never comes before the port goes
    const states: BusState[] = [];
    const offStates = bus.onStateChange((state) => states.push(state));
    try {
      // A reply timeout far beyond what a loaded machine needs to notice the unplug.
      const inFlight = bus.request({ kind: 'status', board: 0 }, statusOf(0), {
        timeoutMs: 30_000,
      });
      await until(
        () => statusCommands(sim.received).length > 0,
        5000,
        'the request is on the line',
      );
      assert.equal(statusCommands(sim.received).length, 1, 'the request is on the line');
      const started = performance.now();
      await sim.unplug();
      const result = await inFlight;
      assert.deepEqual(result, { ok: false, error: { kind: 'port-closed' } });
      assert.ok(performance.now() - started < 10_000, 'port-closed comes at once, not at timeout');
      assert.equal(bus.state, 'reopening');

      // While the adapter is away, requests fail at once without touching the line.
      assert.deepEqual(await bus.request({ kind: 'status', board: 1 }, statusOf(1)), {
        ok: false,
        error: { kind: 'port-closed' },
      });
      assert.deepEqual(await bus.send({ kind: 'unlock', board: 1, lock: 1 }), {
        ok: false,
        error: { kind: 'port-closed' },
      });

      sim.faults.silentBoards.clear();
      const reopened = nextState(bus, (state) => state === 'open', 5000);
      await sleep(150); // a few failed reopen attempts with the node gone
      await sim.replug();
      await reopened;
      assert.equal(bus.state, 'open');
      assert.deepEqual(states, ['reopening', 'open']);

      const after = await bus.request({ kind: 'status', board: 1 }, statusOf(1));
      assert.ok(after.ok, JSON.stringify(after));
      assert.equal(after.value.board, 1);
    } finally {
      offStates();
    }
  });
});

describe('bus with reopen: false', () => {
  test('a lost port is reported and the bus stays closed', async () => {
    const sim = await LockBoardSimulator.start({ protocol: 'kerong-cu16', boards: 1 });
    const logger = memoryLogger();
    const bus = createBus({
      protocol: kerongCu16,
      transport: serialTransport(sim.hostPath, 19200),
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
      reopen: false,
      logger,
    });
    try {
      assert.ok((await bus.open()).ok);
      assert.ok((await bus.request({ kind: 'status', board: 0 }, statusOf(0))).ok);
      const closed = nextState(bus, () => true, 3000);
      await sim.unplug();
      assert.equal((await closed).state, 'closed');
      await sim.replug();
      await sleep(300);
      assert.equal(bus.state, 'closed');
      assert.deepEqual(await bus.request({ kind: 'status', board: 0 }, statusOf(0)), {
        ok: false,
        error: { kind: 'port-closed' },
      });
      assert.ok(logger.entries.some((e) => e.event === 'bus.port_lost'));
      assert.ok(!logger.entries.some((e) => e.event === 'bus.port_reopened'));
    } finally {
      await bus.close();
      await sim.stop();
    }
  });
});

/**
 * The real serial transport, with each `open()` counted and held until the test lets it
 * finish: the races between a reopen attempt, a second loss report and `close()` become
 * deterministic. `reportLostTwice` repeats each loss report, as a transport does that sees
 * both an error and a close event for one unplug.
 */
function gatedSerialTransport(path: string, { reportLostTwice = false } = {}) {
  const real = serialTransport(path, 19200);
  let release: (() => void) | undefined;
  const gate = { opens: 0, held: false, hold: false };
  const transport: Transport = {
    get description() {
      return real.description;
    },
    get isOpen() {
      return real.isOpen;
    },
    async open() {
      gate.opens++;
      if (gate.hold) {
        gate.held = true;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        gate.held = false;
      }
      return real.open();
    },
    write: (bytes) => real.write(bytes),
    flush: () => real.flush(),
    setBaud: (baud) => real.setBaud(baud),
    close: () => real.close(),
    onData: (listener) => real.onData(listener),
    onLost: (listener) =>
      real.onLost((reason) => {
        listener(reason);
        if (reportLostTwice) listener(reason);
      }),
  };
  return { transport, gate, release: () => release?.() };
}

describe('bus reopen races', () => {
  test('close() while a reopen attempt is opening the port: the port ends closed and no attempt follows', async () => {
    const sim = await LockBoardSimulator.start({ protocol: 'kerong-cu16', boards: 1 });
    const { transport, gate, release } = gatedSerialTransport(sim.hostPath);
    const bus = createBus({
      protocol: kerongCu16,
      transport,
      reopen: { initialMs: 10, maxMs: 20 },
    });
    try {
      assert.ok((await bus.open()).ok);
      gate.hold = true;
      await sim.unplug();
      await sim.replug();
      await until(() => gate.held, 10_000, 'the reopen loop reaches open()');
      const closing = bus.close();
      release();
      await closing;
      await sleep(100);
      assert.equal(transport.isOpen, false, 'the port the late open() got is closed again');
      assert.equal(bus.state, 'closed');
      const opens = gate.opens;
      await sleep(100);
      assert.equal(gate.opens, opens, 'no reopen attempt after close()');
    } finally {
      release();
      await bus.close();
      await sim.stop();
    }
  });

  test('a loss reported twice starts one reopen loop, and close() stops it', async () => {
    const sim = await LockBoardSimulator.start({ protocol: 'kerong-cu16', boards: 1 });
    const { transport, gate } = gatedSerialTransport(sim.hostPath, { reportLostTwice: true });
    const logger = memoryLogger();
    const clock = sleepCountingClock();
    const bus = createBus({
      protocol: kerongCu16,
      transport,
      reopen: { initialMs: 40, maxMs: 40 },
      logger,
      clock,
    });
    try {
      assert.ok((await bus.open()).ok);
      const opensBefore = gate.opens;
      await sim.unplug();
      await until(() => gate.opens - opensBefore >= 4, 10_000, 'four reopen attempts');
      assert.equal(logger.entries.filter((e) => e.event === 'bus.port_lost').length, 2);
      // Two loops would both wait their backoff from the same moment on: two sleeps at once.
      assert.equal(clock.mostAtOnce, 1, 'backoff waits in flight at once');
      await bus.close();
      const opensAtClose = gate.opens;
      await sleep(150);
      assert.equal(gate.opens, opensAtClose, 'no attempt after close()');
      assert.equal(bus.state, 'closed');
    } finally {
      await bus.close();
      await sim.stop();
    }
  });
});

/** The system clock, counting how many sleeps are in flight at once (at most, so far). */
function sleepCountingClock(): Clock & { readonly mostAtOnce: number } {
  let sleeping = 0;
  let mostAtOnce = 0;
  return {
    now: () => systemClock.now(),
    async sleep(ms, signal) {
      sleeping++;
      mostAtOnce = Math.max(mostAtOnce, sleeping);
      try {
        await systemClock.sleep(ms, signal);
      } finally {
        sleeping--;
      }
    },
    get mostAtOnce() {
      return mostAtOnce;
    },
  };
}

describe('the serial transport when the adapter is pulled while bytes arrive', () => {
  // The loss must be reported however the kernel ends the line: an error from poll(), EIO,
  // or a hung-up tty reading 0 bytes, on which bindings-cpp 13 alone re-reads for ever
  // (about 1 pull in 7 here while bytes arrive, so 20 pulls catch it almost surely).
  test('every one of 20 pulls is reported as lost within 2 s', async () => {
    const late: number[] = [];
    for (let pull = 0; pull < 20; pull++) {
      const pty = await openPtyPair();
      const transport = serialTransport(pty.hostPath, 19200);
      let lost = false;
      transport.onLost(() => {
        lost = true;
      });
      const device = openSync(
        pty.devicePath,
        constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK,
      );
      const pump = setInterval(() => {
        try {
          writeSync(device, Buffer.alloc(64, 0x55));
        } catch {
          // the line is gone
        }
      }, 1);
      try {
        assert.ok((await transport.open()).ok);
        await sleep(30);
        process.kill(socatServing(pty.hostPath), 'SIGKILL');
        await sleep(5);
        clearInterval(pump);
        const started = performance.now();
        while (!lost && performance.now() - started < 2000) await sleep(10);
        if (!lost) late.push(pull);
      } finally {
        clearInterval(pump);
        closeSync(device);
        await transport.close();
        await pty.close();
      }
    }
    assert.deepEqual(late, [], 'pulls whose loss was never reported');
  });
});

describe('bus against a hand-written board on a bare pty pair', () => {
  let pty: PtyPair;
  let board: SerialPort;
  let bus: Bus;
  const heard: HostCommand[] = [];

  before(async () => {
    pty = await openPtyPair();
    board = new SerialPort({ path: pty.devicePath, baudRate: 19200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      board.open((error) => (error ? reject(error) : resolve())),
    );
    const parser = kerongCu16.createCommandParser();
    board.on('data', (bytes: Buffer) => {
      for (const event of parser.push(bytes)) {
        if (event.kind !== 'frame') continue;
        heard.push(event.value);
        if (event.value.kind !== 'status') continue;
        const reply = kerongCu16.encodeReply({
          kind: 'status',
          status: { board: event.value.board, hooks: Array(16).fill(true) },
        });
        setTimeout(() => board.write(reply), 20);
      }
    });
    bus = createBus({
      protocol: kerongCu16,
      transport: serialTransport(pty.hostPath, 19200),
      timeoutMs: 2000, // the paused line's 6000 idle bytes must not turn into a timeout under load
      retries: 0,
    });
    assert.ok((await bus.open()).ok);
  });

  after(async () => {
    await bus?.close();
    if (board?.isOpen) await new Promise<void>((resolve) => board.close(() => resolve()));
    await pty?.close();
  });

  test('a stale reply waiting in the input is flushed, not taken as the answer', async () => {
    const stale = kerongCu16.encodeReply({
      kind: 'status',
      status: { board: 1, hooks: Array(16).fill(false) },
    });
    // Put a complete, valid reply for board 1 on the line while the event loop is blocked,
    // so it sits unread in the host's input queue when the request for board 0 starts.
    const fd = openSync(pty.devicePath, constants.O_RDWR | constants.O_NOCTTY);
    try {
      writeSync(fd, stale);
      blockFor(100);
      const request = bus.request({ kind: 'status', board: 0 }, anyStatus);
      const result = await request;
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value.board, 0, 'the answer is the reply to this request');
      assert.deepEqual(heard, [{ kind: 'status', board: 0 }]);
    } finally {
      closeSync(fd);
    }
  });
  test('the flush before a command drops input only, never a command still on its way out', async () => {
    // Pause the socat that carries the line and fill the line's 4 KiB read buffer with
    // idle bytes, so the unlock (which gets no reply) is still queued in the kernel when
    // the next command flushes: it must arrive all the same.
    const socat = socatServing(pty.devicePath);
    await sleep(50); // let anything from the previous case settle
    heard.length = 0;
    process.kill(socat, 'SIGSTOP');
    const fd = openSync(pty.hostPath, constants.O_WRONLY | constants.O_NOCTTY);
    try {
      writeSync(fd, Buffer.alloc(6000, 0x00));
      assert.deepEqual(await bus.send({ kind: 'unlock', board: 0, lock: 3 }), {
        ok: true,
        value: undefined,
      });
      const status = bus.request({ kind: 'status', board: 0 }, statusOf(0));
      await sleep(50);
      process.kill(socat, 'SIGCONT');
      const result = await status;
      assert.ok(result.ok, JSON.stringify(result));
    } finally {
      process.kill(socat, 'SIGCONT');
      closeSync(fd);
    }
    assert.deepEqual(heard, [
      { kind: 'unlock', board: 0, lock: 3 },
      { kind: 'status', board: 0 },
    ]);
  });
});

describe('bus over TCP to a CU16 gateway', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  let bus: Bus;
  const logger = memoryLogger();
  let statusRequests = 0;
  /** When set, the gateway hears status requests but does not answer. */
  let mute = false;

  function listen(onPort: number): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      const parser = kerongCu16.createCommandParser();
      socket.on('data', (bytes) => {
        for (const event of parser.push(bytes)) {
          if (event.kind !== 'frame' || event.value.kind !== 'status') continue;
          statusRequests++;
          if (mute) continue;
          const { board } = event.value;
          const hooks = Array.from({ length: 16 }, (_, i) => i !== board);
          socket.write(kerongCu16.encodeReply({ kind: 'status', status: { board, hooks } }));
        }
      });
    });
    port = await listen(0);
    bus = createBus({
      protocol: kerongCu16,
      transport: tcpTransport('127.0.0.1', port),
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
      reopen: { initialMs: 20, maxMs: 80 },
      logger,
    });
    assert.ok((await bus.open()).ok);
    assert.equal(bus.description, `kerong-cu16 on gateway 127.0.0.1:${port}`);
  });

  after(async () => {
    await bus?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('status works over the socket', async () => {
    const result = await bus.request({ kind: 'status', board: 4 }, statusOf(4));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.board, 4);
    assert.deepEqual(
      result.value.hooks.flatMap((bit, i) => (bit ? [] : [i])),
      [4],
    );
  });

  test('the gateway drops the connection: port-closed, then reconnect when it accepts again', async () => {
    mute = true;
    const before = statusRequests;
    const inFlight = bus.request({ kind: 'status', board: 2 }, statusOf(2), { timeoutMs: 3000 });
    const reopening = nextState(bus, (state) => state === 'reopening', 2000);
    // Stop accepting, then drop the connection.
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    while (statusRequests === before) await sleep(5);
    for (const socket of sockets) socket.destroy();
    assert.deepEqual(await inFlight, { ok: false, error: { kind: 'port-closed' } });
    assert.equal((await reopening).reason, 'connection closed');
    await serverClosed;
    mute = false;

    await sleep(200); // reconnects are refused meanwhile
    assert.equal(bus.state, 'reopening');
    assert.ok(
      logger.entries.some((e) => e.event === 'bus.reopen_failed' && e.fields.error === 'not-found'),
      JSON.stringify(logger.entries),
    );

    const reopened = nextState(bus, (state) => state === 'open', 3000);
    assert.equal(await listen(port), port);
    await reopened;
    const result = await bus.request({ kind: 'status', board: 2 }, statusOf(2));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.board, 2);
    assert.equal(sockets.size, 1);
  });
});

describe('bus reply timeout on the injected clock', () => {
  /** A port that takes every frame and never answers: a board that does not hear. */
  function deafPort(): Transport & { written: Buffer[] } {
    const written: Buffer[] = [];
    return {
      description: 'a deaf port',
      written,
      isOpen: true,
      open: async () => ({ ok: true, value: undefined }),
      async write(bytes) {
        written.push(bytes);
        return { ok: true, value: undefined };
      },
      async flush() {},
      setBaud: async () => ({ ok: true, value: undefined }),
      async close() {},
      onData() {},
      onLost() {},
    };
  }
  /** Lets every callback that is due now run (promise jobs and I/O callbacks). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  test('the timeout of each attempt is the simulated clock’s, not the wall clock’s', async () => {
    const clock = simulatedClock();
    const port = deafPort();
    const bus = createBus({ protocol: kerongCu16, transport: port, clock, timeoutMs: 60_000 });
    await bus.open();
    let outcome: unknown;
    void bus
      .request({ kind: 'status', board: 0 }, statusOf(0), { retries: 1 })
      .then((result) => (outcome = result));
    await settle();
    assert.equal(port.written.length, 1);
    assert.equal(bus.awaitingReply, true);
    assert.equal(bus.stats.frames, 1);

    clock.advance(59_999);
    await settle();
    assert.equal(outcome, undefined, 'a minute has not passed on the clock');
    assert.equal(port.written.length, 1, 'no retry yet');

    clock.advance(1);
    await settle();
    assert.equal(port.written.length, 2, 'the retry, exactly at the timeout');
    clock.advance(60_000);
    await settle();
    assert.deepEqual(outcome, { ok: false, error: { kind: 'timeout', attempts: 2 } });
    assert.equal(bus.busy, false);
    assert.equal(bus.awaitingReply, false);
    assert.equal(clock.nextWakeAt(), undefined, 'no timer left behind');
    await bus.close();
  });
});
