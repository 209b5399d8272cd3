/**
 * The locker (unlock with confirmation and the door monitor) against simulated lock
 * boards on real pseudo-terminal pairs. One case per fault: each asserts the result value,
 * the events the monitor emitted and what reached the boards.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { LockBoardSimulator, type SimulatorOptions } from '@amtomat/hardware-mocks';
import { ZodError } from 'zod';
import type { HostCommand, ProtocolId } from '../protocols/types.ts';
import type { LockerConfigInput } from './config.ts';
import type { DoorEvent } from './events.ts';
import { createLocker, type Locker } from './locker.ts';

const TIMING = { idlePollMs: 30, fastPollMs: 5, confirmTimeoutMs: 800, leftOpenMs: 1000 };
const BUS_TIMING = { timeoutMs: 100, retries: 1 };

type CompartmentInput = LockerConfigInput['compartments'][number];
type Timing = NonNullable<LockerConfigInput['timing']>;

interface Rig {
  sim: LockBoardSimulator;
  locker: Locker;
  events: DoorEvent[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Lockers first (they hold the ptys open), then the simulators.
  while (cleanups.length > 0) await cleanups.pop()!();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startSim(options: SimulatorOptions): Promise<LockBoardSimulator> {
  const sim = await LockBoardSimulator.start(options);
  cleanups.push(() => sim.stop());
  return sim;
}

function compartment(
  label: string,
  board: number,
  lock: number,
  extra: Partial<CompartmentInput> = {},
): CompartmentInput {
  return { label, size: 'M', bus: 'main', board, lock, ...extra };
}

/** Starts a locker and waits until every configured board has answered once. */
async function startLocker(
  config: LockerConfigInput,
  deps: Parameters<typeof createLocker>[1] = {},
): Promise<{ locker: Locker; events: DoorEvent[] }> {
  const locker = createLocker(config, deps);
  const events: DoorEvent[] = [];
  locker.onEvent((event) => events.push(event));
  cleanups.push(() => locker.stop());
  const boards = new Set(config.compartments.map((c) => `${c.bus}/${c.board}`));
  const online = Promise.all(
    [...boards].map((key) =>
      nextEvent(locker, (e) => e.type === 'board-online' && `${e.bus}/${e.board}` === key, 3000),
    ),
  );
  assert.deepEqual(await locker.start(), []);
  await online;
  return { locker, events };
}

/** One simulator on bus `main` and a locker over it. */
async function rig(
  simOptions: SimulatorOptions,
  compartments: CompartmentInput[],
  timing: Timing = TIMING,
  deps: Parameters<typeof createLocker>[1] = {},
): Promise<Rig> {
  const sim = await startSim(simOptions);
  const { locker, events } = await startLocker(
    {
      buses: [
        {
          id: 'main',
          protocol: simOptions.protocol ?? 'kerong-cu16',
          transport: { kind: 'serial', path: sim.hostPath },
          ...BUS_TIMING,
        },
      ],
      compartments,
      timing,
    },
    deps,
  );
  return { sim, locker, events };
}

/** Resolves with the next event `predicate` accepts; rejects after `timeoutMs`. */
function nextEvent(
  locker: Locker,
  predicate: (event: DoorEvent) => boolean,
  timeoutMs: number,
): Promise<DoorEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = locker.onEvent((event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** Events without their timestamps, for deepEqual. */
function plain(events: readonly DoorEvent[]): Omit<DoorEvent, 'at'>[] {
  return events.map(({ at: _at, ...rest }) => rest);
}

function ofType<K extends DoorEvent['type']>(
  events: readonly DoorEvent[],
  type: K,
): Extract<DoorEvent, { type: K }>[] {
  return events.filter((e): e is Extract<DoorEvent, { type: K }> => e.type === type);
}

function unlocksSent(sim: LockBoardSimulator): HostCommand[] {
  return sim.received.map((r) => r.command).filter((c) => c.kind === 'unlock');
}

describe('locker unlock and door monitor (CU16 simulator)', () => {
  test('unlock: door seen open, opened(cause unlock), exactly one unlock frame', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: 1 }, [
      compartment('A1', 0, 1),
      compartment('A2', 0, 2),
    ]);
    assert.equal(locker.door('A1')?.open, false);
    const before = Date.now();
    const result = await locker.unlock('A1');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.compartment, 'A1');
    assert.equal(result.value.wasOpen, false);
    assert.ok(result.value.openedAt >= before);
    assert.equal(sim.door(0, 1).open, true);
    assert.equal(sim.door(0, 2).open, false);
    assert.deepEqual(unlocksSent(sim), [{ kind: 'unlock', board: 0, lock: 1 }]);
    assert.deepEqual(plain(events.filter((e) => e.type !== 'board-online')), [
      { type: 'opened', compartment: 'A1', cause: 'unlock' },
    ]);
    assert.equal(locker.door('A1')?.open, true);
    assert.equal(locker.door('A1')?.boardOnline, true);
    assert.deepEqual(locker.boards(), [{ bus: 'main', board: 0, online: true }]);

    const closed = nextEvent(locker, (e) => e.type === 'closed', 2000);
    sim.closeDoor(0, 1);
    const event = await closed;
    assert.equal(event.type === 'closed' && event.compartment, 'A1');
    assert.equal(locker.door('A1')?.open, false);
  });

  test('unlock of a door that is already open: ok with wasOpen, no second opened', async () => {
    const sim = await startSim({ protocol: 'kerong-cu16', boards: 1 });
    sim.forceOpen(0, 4); // open before the locker starts: found open at the first poll
    const { locker, events } = await startLocker({
      buses: [{ id: 'main', transport: { kind: 'serial', path: sim.hostPath }, ...BUS_TIMING }],
      compartments: [compartment('A4', 0, 4)],
      timing: TIMING,
    });
    assert.deepEqual(plain(ofType(events, 'opened')), [
      { type: 'opened', compartment: 'A4', cause: 'found-open' },
    ]);
    const result = await locker.unlock('A4');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.wasOpen, true);
    assert.equal(unlocksSent(sim).length, 1);
    await sleep(100);
    assert.equal(ofType(events, 'opened').length, 1);
    assert.equal(ofType(events, 'forced-open').length, 0);
  });

  test('jammed bolt: jammed, no opened event and no second unlock frame', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: 1 }, [
      compartment('A1', 0, 1),
    ]);
    sim.jam(0, 1);
    const started = performance.now();
    const result = await locker.unlock('A1');
    const took = performance.now() - started;
    assert.deepEqual(result, { ok: false, error: { kind: 'jammed' } });
    assert.ok(took >= TIMING.confirmTimeoutMs - 20, `gave up after ${took} ms`);
    assert.deepEqual(unlocksSent(sim), [{ kind: 'unlock', board: 0, lock: 1 }]);
    assert.equal(sim.door(0, 1).unlocks, 1);
    assert.equal(sim.door(0, 1).open, false);
    await sleep(100); // nothing arrives late either
    assert.equal(unlocksSent(sim).length, 1);
    assert.deepEqual(ofType(events, 'opened'), []);
    assert.deepEqual(ofType(events, 'forced-open'), []);
    assert.equal(locker.door('A1')?.open, false);
  });

  test('silent board: board-silent, board-offline(timeout), then board-online when it talks', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: [0, 1] }, [
      compartment('A1', 0, 1),
      compartment('B1', 1, 1),
    ]);
    const offline = nextEvent(locker, (e) => e.type === 'board-offline', 3000);
    sim.faults.silentBoards.add(0);
    const result = await locker.unlock('A1');
    assert.deepEqual(result, { ok: false, error: { kind: 'board-silent', detail: 'timeout' } });
    assert.equal(sim.door(0, 1).open, false);
    assert.deepEqual(plain([await offline]), [
      { type: 'board-offline', bus: 'main', board: 0, reason: 'timeout' },
    ]);
    assert.equal(locker.door('A1')?.boardOnline, false);
    assert.deepEqual(locker.boards(), [
      { bus: 'main', board: 0, online: false },
      { bus: 'main', board: 1, online: true },
    ]);
    // the other board on the same bus keeps working
    const other = await locker.unlock('B1');
    assert.ok(other.ok, JSON.stringify(other));

    const online = nextEvent(locker, (e) => e.type === 'board-online', 3000);
    sim.faults.silentBoards.clear();
    assert.deepEqual(plain([await online]), [{ type: 'board-online', bus: 'main', board: 0 }]);
    assert.equal(locker.door('A1')?.boardOnline, true);
    assert.deepEqual(
      plain(ofType(events, 'board-offline')),
      [{ type: 'board-offline', bus: 'main', board: 0, reason: 'timeout' }],
      'reported once, and only for the silent board',
    );
    const again = await locker.unlock('A1');
    assert.ok(again.ok, JSON.stringify(again));
  });

  test('door opened without an unlock: forced-open, not opened', async () => {
    const logger = memoryLogger();
    const { sim, locker, events } = await rig(
      { protocol: 'kerong-cu16', boards: 1 },
      [compartment('A1', 0, 1), compartment('A2', 0, 2)],
      TIMING,
      { logger },
    );
    const forced = nextEvent(locker, (e) => e.type === 'forced-open', 2000);
    sim.forceOpen(0, 2);
    assert.deepEqual(plain([await forced]), [{ type: 'forced-open', compartment: 'A2' }]);
    assert.deepEqual(ofType(events, 'opened'), []);
    assert.equal(locker.door('A2')?.open, true);
    assert.equal(unlocksSent(sim).length, 0);
    assert.ok(
      logger.entries.some(
        (e) =>
          e.level === 'warn' && e.event === 'locker.forced_open' && e.fields.compartment === 'A2',
      ),
    );
  });

  test('door left open: left-open once after leftOpenMs, then closed with openForMs', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: 1 }, [
      compartment('A1', 0, 1),
    ]);
    const leftOpen = nextEvent(locker, (e) => e.type === 'left-open', 3000);
    const result = await locker.unlock('A1');
    assert.ok(result.ok, JSON.stringify(result));
    const openedAt = result.value.openedAt;
    const event = await leftOpen;
    assert.ok(event.type === 'left-open');
    assert.equal(event.compartment, 'A1');
    assert.ok(event.openForMs >= TIMING.leftOpenMs, `openForMs ${event.openForMs}`);
    assert.ok(event.at - openedAt >= TIMING.leftOpenMs - 50, 'not before leftOpenMs');
    assert.ok(event.openForMs < TIMING.leftOpenMs + 500, 'soon after leftOpenMs');
    await sleep(300);
    assert.equal(ofType(events, 'left-open').length, 1, 'reported once');

    const closed = nextEvent(locker, (e) => e.type === 'closed', 2000);
    sim.closeDoor(0, 1);
    const closedEvent = await closed;
    assert.ok(closedEvent.type === 'closed');
    assert.equal(closedEvent.compartment, 'A1');
    assert.ok(closedEvent.openForMs !== null && closedEvent.openForMs >= TIMING.leftOpenMs + 300);
    assert.equal(locker.door('A1')?.openSince, undefined);
    assert.equal(ofType(events, 'left-open').length, 1);
  });

  test('item sensor: item-present-changed both ways, only where hasItemSensor', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: 1 }, [
      compartment('A1', 0, 1, { hasItemSensor: true }),
      compartment('A2', 0, 2),
    ]);
    assert.equal(locker.door('A1')?.itemPresent, false);
    assert.equal(locker.door('A2')?.itemPresent, undefined);

    sim.setItem(0, 2, true); // no sensor configured: ignored
    const placed = nextEvent(locker, (e) => e.type === 'item-present-changed', 2000);
    sim.setItem(0, 1, true);
    assert.deepEqual(plain([await placed]), [
      { type: 'item-present-changed', compartment: 'A1', present: true },
    ]);
    assert.equal(locker.door('A1')?.itemPresent, true);

    const taken = nextEvent(locker, (e) => e.type === 'item-present-changed', 2000);
    sim.setItem(0, 1, false);
    assert.deepEqual(plain([await taken]), [
      { type: 'item-present-changed', compartment: 'A1', present: false },
    ]);
    await sleep(100);
    assert.deepEqual(plain(ofType(events, 'item-present-changed')), [
      { type: 'item-present-changed', compartment: 'A1', present: true },
      { type: 'item-present-changed', compartment: 'A1', present: false },
    ]);
    assert.equal(locker.door('A2')?.itemPresent, undefined);
  });

  test('inverted polarity (hook bit 1 = open) reads correctly', async () => {
    const { sim, locker, events } = await rig(
      { protocol: 'kerong-cu16', boards: 1, hookBit: 'open-is-1' },
      [compartment('A1', 0, 1, { polarity: 'inverted' }), compartment('A2', 0, 2)],
    );
    assert.equal(locker.door('A1')?.open, false);
    // The normal-polarity compartment on the same wiring reads its shut door as open.
    assert.equal(locker.door('A2')?.open, true);
    assert.deepEqual(plain(ofType(events, 'opened')), [
      { type: 'opened', compartment: 'A2', cause: 'found-open' },
    ]);
    const result = await locker.unlock('A1');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.wasOpen, false);
    assert.equal(sim.door(0, 1).open, true);
    const closed = nextEvent(locker, (e) => e.type === 'closed' && e.compartment === 'A1', 2000);
    sim.closeDoor(0, 1);
    await closed;
    assert.equal(locker.door('A1')?.open, false);
    assert.deepEqual(plain(ofType(events, 'opened')), [
      { type: 'opened', compartment: 'A2', cause: 'found-open' },
      { type: 'opened', compartment: 'A1', cause: 'unlock' },
    ]);
    assert.deepEqual(ofType(events, 'forced-open'), []);
  });

  test('adapter unplugged: every board offline(port-closed), unlock port-closed; replug recovers', async () => {
    const { sim, locker, events } = await rig({ protocol: 'kerong-cu16', boards: [0, 1] }, [
      compartment('A1', 0, 1),
      compartment('B1', 1, 1),
    ]);
    const offline = Promise.all(
      [0, 1].map((board) =>
        nextEvent(locker, (e) => e.type === 'board-offline' && e.board === board, 3000),
      ),
    );
    await sim.unplug();
    assert.deepEqual(plain(await offline), [
      { type: 'board-offline', bus: 'main', board: 0, reason: 'port-closed' },
      { type: 'board-offline', bus: 'main', board: 1, reason: 'port-closed' },
    ]);
    assert.equal(locker.bus('main')?.state, 'reopening');
    assert.deepEqual(await locker.unlock('A1'), { ok: false, error: { kind: 'port-closed' } });
    assert.deepEqual(await locker.unlock('B1'), { ok: false, error: { kind: 'port-closed' } });
    assert.deepEqual(
      locker.boards().map((b) => b.online),
      [false, false],
    );

    const online = Promise.all(
      [0, 1].map((board) =>
        nextEvent(locker, (e) => e.type === 'board-online' && e.board === board, 8000),
      ),
    );
    await sim.replug();
    await online;
    assert.equal(locker.bus('main')?.state, 'open');
    const result = await locker.unlock('B1');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(sim.door(1, 1).open, true);
    assert.equal(ofType(events, 'board-offline').length, 2, 'each board reported offline once');
  });

  test('unknown compartment: unknown-compartment and nothing sent', async () => {
    const { sim, locker } = await rig({ protocol: 'kerong-cu16', boards: 1 }, [
      compartment('A1', 0, 1),
    ]);
    assert.deepEqual(await locker.unlock('Z9'), {
      ok: false,
      error: { kind: 'unknown-compartment' },
    });
    assert.equal(locker.door('Z9'), undefined);
    assert.deepEqual(unlocksSent(sim), []);
  });

  test('polling is fast while a door is open and slow when idle', async () => {
    const timing = { ...TIMING, idlePollMs: 100, leftOpenMs: 60_000 };
    const { sim, locker } = await rig(
      { protocol: 'kerong-cu16', boards: 1 },
      [compartment('A1', 0, 1)],
      timing,
    );
    const statusPerSecond = async (windowMs: number) => {
      const from = performance.now();
      await sleep(windowMs);
      const to = performance.now();
      const count = sim.received.filter(
        (r) => r.command.kind === 'status' && r.at >= from && r.at < to,
      ).length;
      return (count * 1000) / (to - from);
    };
    const idle = await statusPerSecond(1000);
    assert.ok(idle > 3 && idle < 15, `idle: ${idle.toFixed(1)} polls/s`);
    assert.ok((await locker.unlock('A1')).ok);
    const busy = await statusPerSecond(1000);
    assert.ok(busy / idle > 2, `open door: ${busy.toFixed(1)} polls/s, idle ${idle.toFixed(1)}`);
    sim.closeDoor(0, 1);
    await nextEvent(locker, (e) => e.type === 'closed', 2000);
    const idleAgain = await statusPerSecond(1000);
    assert.ok(busy / idleAgain > 2, `after close: ${idleAgain.toFixed(1)} polls/s`);
  });
});

describe('locker with two buses', () => {
  test('a lost adapter on one bus does not disturb the other', async () => {
    const simA = await startSim({ protocol: 'kerong-cu16', boards: 1 });
    const simB = await startSim({ protocol: 'kerong-cu16', boards: 1 });
    const { locker, events } = await startLocker({
      buses: [
        { id: 'a', transport: { kind: 'serial', path: simA.hostPath }, ...BUS_TIMING },
        { id: 'b', transport: { kind: 'serial', path: simB.hostPath }, ...BUS_TIMING },
      ],
      compartments: [
        { label: 'A1', size: 'S', bus: 'a', board: 0, lock: 1 },
        { label: 'B1', size: 'L', bus: 'b', board: 0, lock: 1 },
      ],
      timing: TIMING,
    });
    const offline = nextEvent(locker, (e) => e.type === 'board-offline', 3000);
    await simA.unplug();
    assert.deepEqual(plain([await offline]), [
      { type: 'board-offline', bus: 'a', board: 0, reason: 'port-closed' },
    ]);
    assert.deepEqual(await locker.unlock('A1'), { ok: false, error: { kind: 'port-closed' } });

    const polledBefore = simB.received.length;
    const started = performance.now();
    const result = await locker.unlock('B1');
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok(performance.now() - started < 300, 'bus b answers at its own pace');
    assert.equal(simB.door(0, 1).open, true);
    assert.equal(simA.door(0, 1).open, false);
    await sleep(100);
    assert.ok(simB.received.length > polledBefore + 5, 'bus b keeps being polled');
    assert.deepEqual(locker.boards(), [
      { bus: 'a', board: 0, online: false },
      { bus: 'b', board: 0, online: true },
    ]);
    assert.deepEqual(plain(events.filter((e) => e.type !== 'board-online')), [
      { type: 'board-offline', bus: 'a', board: 0, reason: 'port-closed' },
      { type: 'opened', compartment: 'B1', cause: 'unlock' },
    ]);

    const online = nextEvent(locker, (e) => e.type === 'board-online' && e.bus === 'a', 8000);
    await simA.replug();
    await online;
    const again = await locker.unlock('A1');
    assert.ok(again.ok, JSON.stringify(again));
  });
});

describe('locker with other board types', () => {
  const cases: { protocol: ProtocolId; board: number; lock: number }[] = [
    { protocol: 'kerong-cu12', board: 0, lock: 12 },
    { protocol: 'generic-8a', board: 1, lock: 24 },
  ];
  for (const { protocol, board, lock } of cases) {
    test(`${protocol}: unlock and close`, async () => {
      const { sim, locker, events } = await rig({ protocol, boards: 1 }, [
        compartment('C1', board, lock),
      ]);
      assert.deepEqual(sim.boards, [board]);
      const result = await locker.unlock('C1');
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value.wasOpen, false);
      assert.deepEqual(unlocksSent(sim), [{ kind: 'unlock', board, lock }]);
      assert.equal(sim.door(board, lock).open, true);
      const closed = nextEvent(locker, (e) => e.type === 'closed', 2000);
      sim.closeDoor(board, lock);
      await closed;
      assert.deepEqual(
        plain(events.filter((e) => e.type !== 'board-online')).map((e) => e.type),
        ['opened', 'closed'],
      );
      assert.deepEqual(plain(ofType(events, 'opened')), [
        { type: 'opened', compartment: 'C1', cause: 'unlock' },
      ]);
    });
  }
});

describe('locker configuration', () => {
  const serial = { kind: 'serial', path: '/dev/null' } as const;

  function assertZodIssue(config: LockerConfigInput, path: (string | number)[]) {
    assert.throws(
      () => createLocker(config),
      (error: unknown) => {
        assert.ok(error instanceof ZodError, `not a ZodError: ${String(error)}`);
        assert.ok(
          error.issues.some((issue) => JSON.stringify(issue.path) === JSON.stringify(path)),
          `no issue at ${JSON.stringify(path)}: ${JSON.stringify(error.issues)}`,
        );
        return true;
      },
    );
  }

  test('a compartment on an unknown bus', () => {
    assertZodIssue(
      {
        buses: [{ id: 'main', transport: serial }],
        compartments: [{ label: 'A1', size: 'S', bus: 'side', board: 0, lock: 1 }],
      },
      ['compartments', 0, 'bus'],
    );
  });

  test('a lock out of range for the protocol', () => {
    // CU16 has 16 locks; CU12 has 12
    assertZodIssue(
      {
        buses: [{ id: 'main', protocol: 'kerong-cu16', transport: serial }],
        compartments: [
          { label: 'A1', size: 'S', bus: 'main', board: 0, lock: 16 },
          { label: 'A2', size: 'S', bus: 'main', board: 0, lock: 17 },
        ],
      },
      ['compartments', 1, 'lock'],
    );
    assertZodIssue(
      {
        buses: [{ id: 'main', protocol: 'kerong-cu12', transport: serial }],
        compartments: [{ label: 'A1', size: 'S', bus: 'main', board: 0, lock: 13 }],
      },
      ['compartments', 0, 'lock'],
    );
  });

  test('a board out of range: generic-8a boards start at 1', () => {
    assertZodIssue(
      {
        buses: [{ id: 'main', protocol: 'generic-8a', transport: serial }],
        compartments: [{ label: 'A1', size: 'S', bus: 'main', board: 0, lock: 1 }],
      },
      ['compartments', 0, 'board'],
    );
  });

  test('a duplicate label', () => {
    assertZodIssue(
      {
        buses: [{ id: 'main', transport: serial }],
        compartments: [
          { label: 'A1', size: 'S', bus: 'main', board: 0, lock: 1 },
          { label: 'A1', size: 'S', bus: 'main', board: 0, lock: 2 },
        ],
      },
      ['compartments', 1, 'label'],
    );
  });

  test('an item sensor on CU48', () => {
    assertZodIssue(
      {
        buses: [{ id: 'main', protocol: 'kerong-cu48', transport: serial }],
        compartments: [
          { label: 'A1', size: 'S', bus: 'main', board: 0, lock: 1, hasItemSensor: true },
        ],
      },
      ['compartments', 0, 'hasItemSensor'],
    );
  });

  test('a valid configuration gets its defaults', () => {
    const locker = createLocker({
      buses: [{ id: 'main', transport: serial }],
      compartments: [{ label: 'A1', size: 'S', bus: 'main', board: 0, lock: 1 }],
    });
    assert.equal(locker.config.buses[0]?.protocol, 'kerong-cu16');
    assert.equal(locker.config.compartments[0]?.polarity, 'normal');
    assert.equal(locker.config.compartments[0]?.hasItemSensor, false);
    assert.equal(locker.config.timing.confirmTimeoutMs, 2000);
  });
});
