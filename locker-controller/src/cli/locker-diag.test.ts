/**
 * End-to-end tests of the installer CLI: the real `locker-diag` runs as a child process
 * against simulated lock boards on a real pseudo-terminal pair (socat), and every case
 * asserts what an installer sees: stdout, stderr and the exit code.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  LockBoardSimulator,
  type SimulatorOptions,
} from '../../../hardware-mocks/src/lock-board-sim/simulator.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'locker-controller/src/cli/locker-diag.ts');
/** No single CLI run in this file should take longer; a hung child fails its test. */
const RUN_LIMIT_MS = 20_000;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${RUN_LIMIT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_LIMIT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `locker-diag ARGS` to completion. */
function runCli(args: string[]): Promise<RunResult> {
  return collect(spawnCli(args));
}

function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The one JSON object a `--json` run prints. */
function onlyJson(result: RunResult): unknown {
  const out = lines(result.stdout);
  assert.equal(out.length, 1, `expected exactly one line on stdout, got:\n${result.stdout}`);
  return JSON.parse(out[0]!);
}

/** A one-line message on stderr, without a stack trace. */
function assertOneLineError(result: RunResult, pattern: RegExp) {
  const err = lines(result.stderr);
  assert.equal(err.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  assert.match(err[0]!, /^locker-diag: /);
  assert.match(err[0]!, pattern);
  assert.doesNotMatch(result.stderr, / {4}at /);
}

interface LockView {
  lock: number;
  closed: boolean;
  itemPresent: boolean | null;
}

/** What `status --json` should print for a board, all doors closed and empty unless told. */
function expectedStatus(
  board: number,
  locks: number,
  {
    open = [],
    items = [],
    sensors = true,
  }: { open?: number[]; items?: number[]; sensors?: boolean },
): { board: number; locks: LockView[] } {
  return {
    board,
    locks: Array.from({ length: locks }, (_, i) => ({
      lock: i + 1,
      closed: !open.includes(i + 1),
      itemPresent: sensors ? items.includes(i + 1) : null,
    })),
  };
}

async function withSim<T>(
  options: SimulatorOptions,
  body: (sim: LockBoardSimulator) => Promise<T>,
): Promise<T> {
  const sim = await LockBoardSimulator.start(options);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

/** Reads stdout of a long-running child line by line and waits for a line that matches. */
function lineWatcher(child: ChildProcess) {
  const seen: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    buffer += text;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      seen.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
      newline = buffer.indexOf('\n');
    }
  });
  return {
    seen,
    /** Resolves with the first line (already seen from `from` on, or still to come) matching. */
    waitFor(match: (line: string) => boolean, what: string, from = 0, timeoutMs = 8000) {
      const earlier = seen.slice(from).find(match);
      if (earlier !== undefined) return Promise.resolve(earlier);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for ${what}; stdout so far:\n${seen.join('\n')}`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

describe('locker-diag status (kerong-cu16)', () => {
  let sim: LockBoardSimulator;
  before(async () => {
    sim = await LockBoardSimulator.start({ boards: [0, 2] });
  });
  after(async () => {
    await sim.stop();
  });

  test('--json prints exactly one object with 16 closed, empty locks', async () => {
    const result = await runCli(['--port', sim.hostPath, 'status', '--board', '0', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(onlyJson(result), expectedStatus(0, 16, {}));
  });

  test('--json reflects an open door and an item on the asked board only', async () => {
    sim.forceOpen(2, 3);
    sim.setItem(2, 5, true);
    sim.setItem(2, 16, true);
    try {
      const result = await runCli(['--port', sim.hostPath, 'status', '--board', '2', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(onlyJson(result), expectedStatus(2, 16, { open: [3], items: [5, 16] }));
      const other = await runCli(['--port', sim.hostPath, 'status', '--board', '0', '--json']);
      assert.deepEqual(onlyJson(other), expectedStatus(0, 16, {}));
    } finally {
      sim.closeDoor(2, 3);
      sim.setItem(2, 5, false);
      sim.setItem(2, 16, false);
    }
  });

  test('human output is a table of door and item states', async () => {
    sim.forceOpen(2, 3);
    sim.setItem(2, 5, true);
    try {
      const result = await runCli(['--port', sim.hostPath, 'status', '--board', '2']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      const out = lines(result.stdout);
      assert.equal(out.length, 2 + 16, result.stdout);
      assert.equal(out[0], `board 2 (kerong-cu16 on ${sim.hostPath} at 19200 baud)`);
      assert.match(out[1]!, /^lock\s+door\s+item$/);
      const rows = out.slice(2).map((line) => line.trim().split(/\s+/));
      assert.deepEqual(rows[2], ['3', 'OPEN', 'empty']);
      assert.deepEqual(rows[4], ['5', 'closed', 'present']);
      assert.deepEqual(rows[0], ['1', 'closed', 'empty']);
      assert.deepEqual(
        rows.map((row) => row[0]),
        Array.from({ length: 16 }, (_, i) => String(i + 1)),
      );
      assert.equal(rows.filter((row) => row[1] === 'OPEN').length, 1);
    } finally {
      sim.closeDoor(2, 3);
      sim.setItem(2, 5, false);
    }
  });

  test('a board that is not there: exit 4 naming the board', async () => {
    const result = await runCli(['--port', sim.hostPath, 'status', '--board', '7']);
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    assertOneLineError(result, /board 7 did not answer .*no answer after 3 attempts/);
  });
});

describe('locker-diag status with inverted hook wiring', () => {
  let sim: LockBoardSimulator;
  before(async () => {
    sim = await LockBoardSimulator.start({ boards: [0], hookBit: 'open-is-1' });
    sim.forceOpen(0, 4);
  });
  after(async () => {
    await sim.stop();
  });

  test('--polarity inverted reads the doors right', async () => {
    const result = await runCli([
      '--port',
      sim.hostPath,
      '--polarity',
      'inverted',
      'status',
      '--board',
      '0',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(onlyJson(result), expectedStatus(0, 16, { open: [4] }));
  });

  test('without it every door reads the wrong way round', async () => {
    const result = await runCli(['--port', sim.hostPath, 'status', '--board', '0', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const all = Array.from({ length: 16 }, (_, i) => i + 1);
    assert.deepEqual(
      onlyJson(result),
      expectedStatus(0, 16, { open: all.filter((lock) => lock !== 4) }),
    );
  });
});

describe('locker-diag open (kerong-cu16)', () => {
  let sim: LockBoardSimulator;
  before(async () => {
    sim = await LockBoardSimulator.start({ boards: [0, 1] });
  });
  after(async () => {
    await sim.stop();
  });

  test('unlocks once and confirms the door open: exit 0', async () => {
    const result = await runCli(['--port', sim.hostPath, 'open', '--board', '1', '--lock', '5']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(lines(result.stdout), ['board 1 lock 5: door confirmed open']);
    assert.equal(sim.door(1, 5).open, true);
    assert.equal(sim.door(1, 5).unlocks, 1);
    for (const [board, lock] of [
      [0, 5],
      [1, 4],
      [1, 6],
    ] as const) {
      assert.equal(sim.door(board, lock).unlocks, 0, `board ${board} lock ${lock} untouched`);
    }
    const unlocks = sim.received.filter(({ command }) => command.kind === 'unlock');
    assert.deepEqual(
      unlocks.map(({ command }) => command),
      [{ kind: 'unlock', board: 1, lock: 5 }],
    );
  });

  test('--json reports the outcome as one object', async () => {
    const result = await runCli([
      '--port',
      sim.hostPath,
      '--json',
      'open',
      '--board',
      '0',
      '--lock',
      '16',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const answer = onlyJson(result) as Record<string, unknown>;
    assert.equal(answer.board, 0);
    assert.equal(answer.lock, 16);
    assert.equal(answer.outcome, 'opened');
    assert.match(String(answer.message), /door confirmed open/);
    assert.equal(sim.door(0, 16).open, true);
    assert.equal(sim.door(0, 16).unlocks, 1);
  });

  test('a jammed lock: exit 1, says it did not open, the door stays shut', async () => {
    sim.jam(0, 7);
    try {
      const result = await runCli(['--port', sim.hostPath, 'open', '--board', '0', '--lock', '7']);
      assert.equal(result.code, 1, result.stderr);
      const out = lines(result.stdout);
      assert.equal(out.length, 1, result.stdout);
      assert.match(out[0]!, /^board 0 lock 7: not confirmed open: .*did not open \(jammed/);
      assert.doesNotMatch(out[0]!, /confirmed open$/);
      assert.equal(sim.door(0, 7).open, false);
      assert.equal(sim.door(0, 7).unlocks, 1);
    } finally {
      sim.jam(0, 7, false);
    }
  });

  test('a silent board: exit 4 before any unlock is sent', async () => {
    sim.faults.silentBoards.add(1);
    const before = sim.received.length;
    try {
      const result = await runCli(['--port', sim.hostPath, 'open', '--board', '1', '--lock', '2']);
      assert.equal(result.code, 4);
      assertOneLineError(result, /board 1 did not answer/);
      assert.equal(sim.door(1, 2).unlocks, 0);
      assert.equal(
        sim.received.slice(before).some(({ command }) => command.kind === 'unlock'),
        false,
      );
    } finally {
      sim.faults.silentBoards.delete(1);
    }
  });
});

describe('locker-diag scan', () => {
  let sim: LockBoardSimulator;
  before(async () => {
    sim = await LockBoardSimulator.start({ boards: [0, 3] });
    sim.forceOpen(3, 2);
  });
  after(async () => {
    await sim.stop();
  });

  test('lists exactly the boards that answer, with lock counts', async () => {
    const result = await runCli(['--port', sim.hostPath, 'scan']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(lines(result.stdout), [
      'board 0: answers, 16 locks, 0 open',
      'board 3: answers, 16 locks, 1 open',
    ]);
  });

  test('--json', async () => {
    const result = await runCli(['--port', sim.hostPath, 'scan', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(onlyJson(result), {
      boards: [
        { board: 0, locks: 16, open: 0 },
        { board: 3, locks: 16, open: 1 },
      ],
    });
  });

  test('no board answers: exit 4 with a one-line message', async () => {
    sim.faults.silentBoards.add(0);
    sim.faults.silentBoards.add(3);
    try {
      const result = await runCli(['--port', sim.hostPath, 'scan']);
      assert.equal(result.code, 4);
      assert.equal(result.stdout, '');
      assertOneLineError(result, /no board answered at addresses 0\.\.9/);
    } finally {
      sim.faults.silentBoards.clear();
    }
  });
});

// Every probe walks all baud rates and addresses (seconds each): each test has its own
// simulated bus, so they run side by side.
describe('locker-diag probe-baud', { concurrency: true }, () => {
  const at57600 = { boards: [0, 1], lineBaud: 57600 };

  test('the boards hear nothing at the default 19200 baud', async () => {
    await withSim(at57600, async (sim) => {
      const result = await runCli(['--port', sim.hostPath, 'status', '--board', '0']);
      assert.equal(result.code, 4);
      assertOneLineError(result, /board 0 did not answer .* at 19200 baud/);
      assert.equal(sim.received.length, 0, 'frames at the wrong speed are not heard');
    });
  });

  test('--json finds 57600', async () => {
    await withSim(at57600, async (sim) => {
      const result = await runCli(['--port', sim.hostPath, 'probe-baud', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(onlyJson(result), {
        baud: 57600,
        tried: [
          { baud: 9600, boards: [] },
          { baud: 19200, boards: [] },
          { baud: 57600, boards: [0, 1] },
          { baud: 115200, boards: [] },
        ],
      });
    });
  });

  test('human output names the baud rate, and --baud 57600 then works', async () => {
    await withSim(at57600, async (sim) => {
      const probe = await runCli(['--port', sim.hostPath, 'probe-baud']);
      assert.equal(probe.code, 0, probe.stderr);
      const out = lines(probe.stdout);
      assert.equal(out.at(-1), 'boards answer at 57600 baud');
      assert.ok(
        out.some((line) => /^\s*57600 baud: boards 0, 1 answer$/.test(line)),
        probe.stdout,
      );
      assert.ok(
        out.some((line) => /^\s*19200 baud: no answer$/.test(line)),
        probe.stdout,
      );
      const status = await runCli([
        '--port',
        sim.hostPath,
        '--baud',
        '57600',
        'status',
        '--board',
        '1',
        '--json',
      ]);
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual(onlyJson(status), expectedStatus(1, 16, {}));
    });
  });

  test('no board at any speed: exit 4', async () => {
    await withSim(at57600, async (sim) => {
      sim.faults.silentBoards.add(0);
      sim.faults.silentBoards.add(1);
      const result = await runCli(['--port', sim.hostPath, 'probe-baud', '--json']);
      assert.equal(result.code, 4);
      assertOneLineError(result, /no board answered at 9600, 19200, 57600, 115200 baud/);
      assert.equal((onlyJson(result) as { baud: unknown }).baud, null);
    });
  });
});

describe('locker-diag watch', () => {
  test('--json streams door, item and port events until SIGINT', async () => {
    await withSim({ boards: [0] }, async (sim) => {
      const child = spawnCli(['--port', sim.hostPath, 'watch', '--json']);
      const done = collect(child);
      const out = lineWatcher(child);
      try {
        const event = (type: string, extra: Record<string, unknown> = {}) => {
          return (line: string) => {
            const parsed = JSON.parse(line) as Record<string, unknown>;
            return (
              parsed.type === type &&
              Object.entries(extra).every(([key, value]) => parsed[key] === value)
            );
          };
        };
        await out.waitFor(event('board-online', { board: 0 }), 'the first board-online');
        let mark = out.seen.length;

        sim.forceOpen(0, 3);
        await out.waitFor(event('forced-open', { compartment: '0/3' }), 'forced-open 0/3', mark);
        mark = out.seen.length;

        sim.closeDoor(0, 3);
        const closed = JSON.parse(
          await out.waitFor(event('closed', { compartment: '0/3' }), 'closed 0/3', mark),
        ) as { openForMs: unknown };
        assert.equal(typeof closed.openForMs, 'number');
        mark = out.seen.length;

        sim.setItem(0, 9, true);
        const item = JSON.parse(
          await out.waitFor(
            event('item-present-changed', { compartment: '0/9' }),
            'item-present-changed 0/9',
            mark,
          ),
        ) as { present: unknown };
        assert.equal(item.present, true);
        mark = out.seen.length;

        await sim.unplug();
        await out.waitFor(
          event('board-offline', { board: 0, reason: 'port-closed' }),
          'board-offline (port-closed)',
          mark,
        );
        mark = out.seen.length;

        await sim.replug();
        await out.waitFor(event('board-online', { board: 0 }), 'board-online again', mark, 10_000);

        // Still watching after the reconnect.
        mark = out.seen.length;
        sim.forceOpen(0, 11);
        await out.waitFor(event('forced-open', { compartment: '0/11' }), 'forced-open 0/11', mark);

        child.kill('SIGINT');
        const result = await done;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '');
        for (const line of lines(result.stdout)) {
          const parsed = JSON.parse(line) as { type: unknown; at: unknown };
          assert.equal(typeof parsed.type, 'string', line);
          assert.equal(typeof parsed.at, 'number', line);
        }
        // The simulated person forced the doors: the watcher never unlocked anything.
        assert.equal(
          sim.received.some(({ command }) => command.kind === 'unlock'),
          false,
        );
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await done.catch(() => undefined);
      }
    });
  });

  test('human output: a notice on stderr, one readable line per event', async () => {
    await withSim({ boards: [0, 4] }, async (sim) => {
      const child = spawnCli(['--port', sim.hostPath, 'watch']);
      const done = collect(child);
      const out = lineWatcher(child);
      let notice = '';
      child.stderr?.on('data', (text: string) => {
        notice += text;
      });
      try {
        await out.waitFor((line) => line.endsWith('board 4: online'), 'board 4 online');
        assert.ok(
          notice.startsWith(`watching boards 0, 4 on ${sim.hostPath}; Ctrl-C to stop`),
          notice,
        );
        sim.forceOpen(4, 2);
        const line = await out.waitFor((l) => /board 4 lock 2: FORCED OPEN/.test(l), 'forced');
        assert.match(
          line,
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}board 4 lock 2: FORCED OPEN/,
        );
        child.kill('SIGINT');
        const result = await done;
        assert.equal(result.code, 0, result.stderr);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await done.catch(() => undefined);
      }
    });
  });

  test('nothing to watch: exit 4', async () => {
    await withSim({ boards: [0] }, async (sim) => {
      sim.faults.silentBoards.add(0);
      const result = await runCli(['--port', sim.hostPath, 'watch', '--json']);
      assert.equal(result.code, 4);
      assertOneLineError(result, /nothing to watch/);
    });
  });
});

describe('locker-diag status under line faults', () => {
  let sim: LockBoardSimulator;
  const want = expectedStatus(0, 16, { open: [2, 14], items: [9] });
  const status = () => runCli(['--port', sim.hostPath, 'status', '--board', '0', '--json']);
  before(async () => {
    sim = await LockBoardSimulator.start({ boards: [0, 1] });
    sim.forceOpen(0, 2);
    sim.forceOpen(0, 14);
    sim.setItem(0, 9, true);
  });
  after(async () => {
    await sim.stop();
  });

  test('garbage between frames and split frames: still right', async () => {
    sim.faults.garbageBetweenFrames = true;
    sim.faults.splitFrames = true;
    try {
      for (let i = 0; i < 3; i++) {
        const result = await status();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(onlyJson(result), want);
      }
    } finally {
      sim.faults.garbageBetweenFrames = false;
      sim.faults.splitFrames = false;
    }
  });

  test('replies slower than usual but inside the timeout: still right', async () => {
    sim.faults.replyDelayMs = 100;
    try {
      const result = await status();
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(onlyJson(result), want);
    } finally {
      sim.faults.replyDelayMs = 0;
    }
  });

  test('every reply corrupted: exit 4, the message says so', async () => {
    sim.faults.corruptReplies = Number.POSITIVE_INFINITY;
    try {
      const result = await status();
      assert.equal(result.code, 4);
      assert.equal(result.stdout, '');
      assertOneLineError(result, /board 0 did not answer.*only corrupted answers after 3 attempts/);
    } finally {
      sim.faults.corruptReplies = 0;
    }
  });

  test('one corrupted reply is retried: still right', async () => {
    sim.faults.corruptReplies = 1;
    try {
      const result = await status();
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(onlyJson(result), want);
      assert.equal(sim.faults.corruptReplies, 0);
    } finally {
      sim.faults.corruptReplies = 0;
    }
  });

  test('a silent board: exit 4 naming it, while its neighbour answers', async () => {
    sim.faults.silentBoards.add(0);
    try {
      const result = await status();
      assert.equal(result.code, 4);
      assert.equal(result.stdout, '');
      assertOneLineError(result, /^locker-diag: board 0 did not answer on kerong-cu16 on /);
      const neighbour = await runCli(['--port', sim.hostPath, 'status', '--board', '1']);
      assert.equal(neighbour.code, 0, neighbour.stderr);
    } finally {
      sim.faults.silentBoards.clear();
    }
  });

  test('replies slower than every attempt together: exit 4', async () => {
    // 3 attempts of 300 ms: a reply 1.2 s late arrives after the CLI has given up. Its own
    // simulator, so the late replies cannot reach a later test.
    await withSim({ boards: [0] }, async (slow) => {
      slow.faults.replyDelayMs = 1200;
      const started = performance.now();
      const result = await runCli(['--port', slow.hostPath, 'status', '--board', '0']);
      assert.equal(result.code, 4, result.stdout);
      assertOneLineError(result, /board 0 did not answer.*no answer after 3 attempts/);
      assert.ok(performance.now() - started < 5000);
      assert.equal(
        slow.received.filter(({ command }) => command.kind === 'status').length,
        3,
        'one status command per attempt',
      );
    });
  });
});

describe('locker-diag port problems', () => {
  test('a path that does not exist: exit 3, one line, no stack trace', async () => {
    const missing = join(tmpdir(), 'amtomat-no-such-adapter', 'ttyUSB9');
    const result = await runCli(['--port', missing, 'status', '--board', '0']);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assertOneLineError(result, /does not exist/);
    assert.ok(result.stderr.includes(missing));
  });

  test('an unplugged adapter: exit 3', async () => {
    await withSim({ boards: [0] }, async (sim) => {
      await sim.unplug();
      const result = await runCli(['--port', sim.hostPath, 'scan']);
      assert.equal(result.code, 3);
      assertOneLineError(result, /does not exist/);
    });
  });

  test('no permission to open the port: exit 3, says so', async (t) => {
    const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
    const probe = spawnSync(
      'setpriv',
      [
        ...asNobody,
        process.execPath,
        '-e',
        `require('node:fs').accessSync(${JSON.stringify(CLI)})`,
      ],
      { encoding: 'utf8' },
    );
    if (probe.error || probe.status !== 0) {
      t.skip(
        `cannot run the CLI as uid 65534 here (setpriv: ${probe.error?.message ?? probe.stderr.trim()})`,
      );
      return;
    }
    // A folder anyone may enter, so the only thing in the way is the pty's own mode.
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-diag-perm-'));
    chmodSync(dir, 0o755);
    try {
      await withSim({ boards: [0], dir }, async (sim) => {
        const result = await collect(
          spawn(
            'setpriv',
            [...asNobody, process.execPath, CLI, '--port', sim.hostPath, 'status', '--board', '0'],
            { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
          ),
        );
        assert.equal(result.code, 3, result.stderr);
        assert.equal(result.stdout, '');
        assertOneLineError(result, /No permission to open .*dialout group/);
        assert.equal(sim.received.length, 0);
        // The same port as root works: it was the permission, not the port.
        const asRoot = await runCli(['--port', sim.hostPath, 'status', '--board', '0']);
        assert.equal(asRoot.code, 0, asRoot.stderr);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('locker-diag usage errors: exit 2', { concurrency: true }, () => {
  const port = join(tmpdir(), 'amtomat-no-such-adapter', 'ttyUSB0');
  const cases: { name: string; args: string[]; message: RegExp }[] = [
    { name: 'unknown command', args: ['--port', port, 'frobnicate'], message: /unknown command/ },
    { name: 'no command', args: ['--port', port], message: /^usage: locker-diag/ },
    { name: 'two commands', args: ['--port', port, 'scan', 'status'], message: /unknown command/ },
    { name: 'missing --port', args: ['scan'], message: /--port PATH is required/ },
    {
      name: 'status without --board',
      args: ['--port', port, 'status'],
      message: /status needs --board N/,
    },
    {
      name: 'open without --lock',
      args: ['--port', port, 'open', '--board', '0'],
      message: /open needs --lock M/,
    },
    {
      name: 'bad --baud',
      args: ['--port', port, '--baud', 'fast', 'scan'],
      message: /--baud must be a whole number/,
    },
    {
      name: '--baud with a unit',
      args: ['--port', port, '--baud', '9600bd', 'scan'],
      message: /--baud must be a whole number/,
    },
    {
      name: 'unknown --protocol',
      args: ['--port', port, '--protocol', 'kerong-cu99', 'scan'],
      message:
        /unknown protocol "kerong-cu99" \(one of kerong-cu16, kerong-cu48, kerong-cu12, generic-8a\)/,
    },
    {
      name: 'board out of range for the protocol',
      args: ['--port', port, '--protocol', 'generic-8a', 'status', '--board', '0'],
      message: /--board must be a whole number from 1 to 16/,
    },
    {
      name: 'lock out of range',
      args: ['--port', port, 'open', '--board', '0', '--lock', '17'],
      message: /--lock must be a whole number from 1 to 16/,
    },
    {
      name: 'bad --polarity',
      args: ['--port', port, '--polarity', 'upside-down', 'scan'],
      message: /--polarity is normal or inverted/,
    },
    { name: 'unknown option', args: ['--port', port, '--frob', 'scan'], message: /--frob/ },
  ];
  for (const { name, args, message } of cases) {
    test(name, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^locker-diag: /);
      assert.match(result.stderr.replace(/^locker-diag: /, ''), message);
      assert.doesNotMatch(result.stderr, / {4}at /);
    });
  }

  test('--help prints the usage on stdout: exit 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: locker-diag --port PATH/);
    assert.match(result.stdout, /Exit codes: 0 ok, 1 door not confirmed open, 2 usage/);
    assert.equal(result.stderr, '');
  });
});

describe('locker-diag with every protocol', () => {
  const cases = [
    { protocol: 'kerong-cu48', board: 1, locks: 48, lock: 48 },
    { protocol: 'kerong-cu12', board: 0, locks: 12, lock: 7 },
    { protocol: 'generic-8a', board: 1, locks: 24, lock: 24 },
  ] as const;
  for (const { protocol, board, locks, lock } of cases) {
    test(`${protocol}: status, open, status`, async () => {
      await withSim({ protocol, boards: [board] }, async (sim) => {
        const cli = (...args: string[]) =>
          runCli(['--port', sim.hostPath, '--protocol', protocol, ...args]);
        const first = await cli('status', '--board', String(board), '--json');
        assert.equal(first.code, 0, first.stderr);
        assert.deepEqual(onlyJson(first), expectedStatus(board, locks, { sensors: false }));

        const opened = await cli('open', '--board', String(board), '--lock', String(lock));
        assert.equal(opened.code, 0, opened.stderr);
        assert.deepEqual(lines(opened.stdout), [
          `board ${board} lock ${lock}: door confirmed open`,
        ]);
        assert.equal(sim.door(board, lock).open, true);
        assert.equal(sim.door(board, lock).unlocks, 1);

        const after = await cli('status', '--board', String(board), '--json');
        assert.equal(after.code, 0, after.stderr);
        assert.deepEqual(
          onlyJson(after),
          expectedStatus(board, locks, { open: [lock], sensors: false }),
        );

        const human = await cli('status', '--board', String(board));
        assert.equal(human.code, 0, human.stderr);
        const rows = lines(human.stdout)
          .slice(2)
          .map((line) => line.trim().split(/\s+/));
        assert.equal(rows.length, locks);
        assert.deepEqual(rows[lock - 1], [String(lock), 'OPEN', '-']);
        assert.deepEqual(rows[0], ['1', 'closed', '-']);
      });
    });
  }

  test('kerong-cu12: a jammed lock is acknowledged but not confirmed open: exit 1', async () => {
    await withSim({ protocol: 'kerong-cu12', boards: [3] }, async (sim) => {
      sim.jam(3, 12);
      const result = await runCli([
        '--port',
        sim.hostPath,
        '--protocol',
        'kerong-cu12',
        'open',
        '--board',
        '3',
        '--lock',
        '12',
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /board 3 lock 12: not confirmed open: .*jammed/);
      assert.equal(sim.door(3, 12).open, false);
      assert.equal(sim.door(3, 12).unlocks, 1);
    });
  });

  test('generic-8a: scan starts at address 1', async () => {
    await withSim({ protocol: 'generic-8a', boards: 2 }, async (sim) => {
      assert.deepEqual(sim.boards, [1, 2]);
      const result = await runCli([
        '--port',
        sim.hostPath,
        '--protocol',
        'generic-8a',
        'scan',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(onlyJson(result), {
        boards: [
          { board: 1, locks: 24, open: 0 },
          { board: 2, locks: 24, open: 0 },
        ],
      });
    });
  });
});

describe('npx locker-diag', () => {
  test('runs by its command name from the repository root', async () => {
    await withSim({ boards: [0, 1] }, async (sim) => {
      const result = await collect(
        spawn('npx', ['locker-diag', '--port', sim.hostPath, 'scan'], {
          cwd: ROOT,
          shell: false,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, npm_config_update_notifier: 'false' },
        }),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(lines(result.stdout), [
        'board 0: answers, 16 locks, 0 open',
        'board 1: answers, 16 locks, 0 open',
      ]);
    });
  });
});
