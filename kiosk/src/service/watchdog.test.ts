/**
 * The systemd watchdog as systemd sees it: a real unix datagram socket in NOTIFY_SOCKET.
 * The service says READY=1 once it answers, then WATCHDOG=1 at half of WATCHDOG_USEC;
 * a blocked event loop or a store that fails its round trip stops the pings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  killAllChildren,
  spawnScript,
} from '../../../admin-sync/src/server/testing/cli-process.ts';
import { tempDir } from '../store/test-support.ts';
import { listenNotify, type NotifyMessage } from '../testing/notify-socket.ts';
import { eventually, until } from '../testing/wait.ts';
import { watchdogIntervalMs } from './watchdog.ts';

after(() => killAllChildren());

const CHILD = join(import.meta.dirname, '..', 'testing', 'watchdog-child.ts');
const MAIN = join(import.meta.dirname, 'main.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pings = (messages: NotifyMessage[], from = 0, to = Number.POSITIVE_INFINITY) =>
  messages.filter((m) => m.text === 'WATCHDOG=1' && m.at >= from && m.at <= to);

describe('watchdog interval', () => {
  test('half of WATCHDOG_USEC, only for the process systemd meant', () => {
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 15_000);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 15_000);
    assert.equal(
      watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7),
      undefined,
    );
    assert.equal(watchdogIntervalMs({}), undefined);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }), undefined);
  });
});

describe('systemd notify over a real datagram socket', () => {
  test('the kiosk service (main.ts) says READY=1, then WATCHDOG=1 regularly', async (t) => {
    const dir = tempDir(t, 'watchdog-main-');
    const notify = await listenNotify(dir);
    t.after(() => notify.close());
    const lines: string[] = [];
    const child = spawnScript(
      MAIN,
      ['--demo', '--headless', '--port', '0', '--data', join(dir, 'data')],
      {
        env: { ...process.env, TMPDIR: dir, NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '200000' },
        onLine: (line) => lines.push(line),
      },
    );
    t.after(() => child.stop());
    await eventually('READY=1', () => notify.messages.find((m) => m.text === 'READY=1'), 20_000);
    // Ready only once the service answers: its URL is printed by then.
    assert.ok(lines.some((line) => line.includes('/auth?token=')));
    await until('three pings', () => pings(notify.messages).length >= 3);
    assert.equal(notify.messages.filter((m) => m.text === 'READY=1').length, 1);
  });

  test('no WATCHDOG=1 while the event loop is blocked or the store fails', async (t) => {
    const dir = tempDir(t, 'watchdog-child-');
    const notify = await listenNotify(dir);
    t.after(() => notify.close());
    // A ping every 50 ms.
    const child = spawn(process.execPath, [CHILD, dir], {
      env: { ...process.env, NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '100000' },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    t.after(() => child.kill('SIGKILL'));
    const texts = () => notify.messages.map((m) => m.text);
    /** The messages sent after STATUS=from and before STATUS=to, in the socket's order. */
    const between = (from: string, to: string) => {
      const all = texts();
      return all.slice(all.indexOf(`STATUS=${from}`) + 1, all.indexOf(`STATUS=${to}`));
    };
    await until('pings before', () => pings(notify.messages).length >= 3);
    child.stdin.write('block 1200\n');
    await until('unblocked', () => texts().includes('STATUS=unblocked'), 5000);
    // 1.2 s of a blocked loop would have been 24 pings.
    assert.deepEqual(between('blocking', 'unblocked'), []);
    const after = notify.messages.length;
    await until('pings again', () => pings(notify.messages.slice(after)).length >= 2);

    child.stdin.write('close-store\n');
    await until('store closed', () => texts().includes('STATUS=store-closed'));
    await sleep(600);
    child.stdin.write('mark later\n');
    await until('marked', () => texts().includes('STATUS=later'));
    assert.deepEqual(between('store-closed', 'later'), [], 'a ping without a store round trip');
    assert.equal(texts().filter((text) => text === 'READY=1').length, 1);
  });
});
