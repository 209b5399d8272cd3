import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNever, InvariantError, invariant, jsonLogger, memoryLogger } from './index.ts';
import { simulatedClock } from './testing.ts';

describe('assertions', () => {
  test('invariant narrows when it holds and throws an InvariantError when it does not', () => {
    const row: { id: string } | undefined = { id: 'a' };
    invariant(row, 'row vanished');
    assert.equal(row.id, 'a');
    assert.throws(() => invariant(undefined, 'item 7 vanished in its own transaction'), {
      name: 'InvariantError',
      message: 'item 7 vanished in its own transaction',
    });
  });

  test('assertNever names the value that got past an exhaustive switch', () => {
    type Kind = 'a' | 'b';
    const describe = (kind: Kind) => {
      switch (kind) {
        case 'a':
        case 'b':
          return kind;
        default:
          return assertNever(kind, 'kind');
      }
    };
    assert.equal(describe('a'), 'a');
    assert.throws(
      () => describe('c' as Kind),
      (error) => {
        assert.ok(error instanceof InvariantError);
        assert.equal(error.message, 'unexpected kind: "c"');
        return true;
      },
    );
  });
});

describe('loggers', () => {
  test('jsonLogger writes one JSON line per event at or above its level', () => {
    const lines: string[] = [];
    const logger = jsonLogger('test', { minLevel: 'info', write: (line) => lines.push(line) });
    logger.log('debug', 'hidden', {});
    logger.log('warn', 'door.left_open', { compartment: 'A2', openForMs: 1000 });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n'));
    const { time, ...rest } = JSON.parse(lines[0]!);
    assert.ok(!Number.isNaN(Date.parse(time)));
    assert.deepEqual(rest, {
      level: 'warn',
      component: 'test',
      event: 'door.left_open',
      compartment: 'A2',
      openForMs: 1000,
    });
  });

  test('memoryLogger keeps every entry', () => {
    const logger = memoryLogger();
    logger.log('info', 'a');
    assert.deepEqual(logger.entries, [{ level: 'info', event: 'a', fields: {} }]);
  });
});

describe('simulated clock', () => {
  test('sleepers wake when the time is moved past them, in the order of their times', async () => {
    const clock = simulatedClock(1000);
    const woke: string[] = [];
    const late = clock.sleep(50).then(() => woke.push(`late at ${clock.now()}`));
    const early = clock.sleep(10).then(() => woke.push(`early at ${clock.now()}`));
    assert.equal(clock.nextWakeAt(), 1010);
    clock.advance(9);
    await Promise.resolve();
    assert.deepEqual(woke, []);
    clock.advance(100);
    await Promise.all([late, early]);
    assert.deepEqual(woke, ['early at 1109', 'late at 1109']);
    assert.equal(clock.nextWakeAt(), undefined);
  });

  test('times stay whole milliseconds, as the wall clock’s (a jittered backoff sleeps 12.7 ms)', async () => {
    const clock = simulatedClock(0);
    const sleeping = clock.sleep(12.7);
    assert.equal(clock.nextWakeAt(), 13);
    clock.set(clock.nextWakeAt()!);
    await sleeping;
    assert.equal(clock.now(), 13);
  });

  test('an aborted sleep resolves at once and is forgotten', async () => {
    const clock = simulatedClock(0);
    const abort = new AbortController();
    const sleeping = clock.sleep(1000, abort.signal);
    abort.abort();
    await sleeping;
    assert.equal(clock.nextWakeAt(), undefined);
    await clock.sleep(5, abort.signal); // already aborted: does not wait
  });
});
