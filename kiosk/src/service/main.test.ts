/**
 * `npm start` as a person sees it: the real entry (main.ts, and scripts/start.sh) as a child
 * process. A start that cannot succeed ends in one line `error: …` on stderr, exit 2 when a
 * setting must change and 1 otherwise, and leaves no simulator (socat) behind. The children
 * get their own TMPDIR, so the simulator's ptys (and so its socat) are found by that path.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  killAllChildren,
  spawnScript,
} from '../../../admin-sync/src/server/testing/cli-process.ts';
import { STORE_FILE } from '../store/db.ts';
import { tempDir } from '../store/test-support.ts';
import { DEMO_SITE } from './service.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(import.meta.dirname, 'main.ts');

after(() => killAllChildren());

/** This environment without display or KIOSK_* settings, plus `extra`. */
function kioskEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('KIOSK_') && name !== 'DISPLAY' && name !== 'WAYLAND_DISPLAY',
  );
  return { ...Object.fromEntries(kept), ...extra };
}

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string;
}

async function runMain(args: string[], env: Record<string, string>): Promise<Run> {
  const stdout: string[] = [];
  const child = spawnScript(MAIN, args, {
    env: kioskEnv(env),
    onLine: (line) => stdout.push(line),
  });
  const code = await child.exited;
  return { code, stdout, stderr: child.stderr() };
}

/** Exactly one line, `error: …`, and no stack trace. */
function assertOneErrorLine(run: Run, pattern: RegExp) {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
}

/** socat processes whose pty links lie under `dir` (pgrep exits 1 when there are none). */
function socatsUnder(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `socat .*${dir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function assertNoSimulatorLeft(ptyTmp: string) {
  assert.deepEqual(socatsUnder(ptyTmp), [], 'a socat is still running');
  assert.deepEqual(readdirSync(ptyTmp), [], 'the pty folder is left behind');
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('kiosk start errors (main.ts)', () => {
  test('a busy port: one line, exit 1, and the simulator does not stay behind', async (t) => {
    const busy = createServer();
    const port = await listen(busy);
    t.after(() => busy.close());
    const dir = tempDir(t, 'kiosk-main-');
    const ptyTmp = join(dir, 'tmp');
    mkdirSync(ptyTmp);
    const run = await runMain(
      ['--demo', '--headless', '--port', String(port), '--data', join(dir, 'data')],
      { TMPDIR: ptyTmp },
    );
    assert.equal(run.code, 1, run.stderr);
    assertOneErrorLine(run, new RegExp(`port ${port} is in use.*--port`));
    assertNoSimulatorLeft(ptyTmp);
  });

  test('a store that cannot open after the simulator started: one line, no socat left', async (t) => {
    const dir = tempDir(t, 'kiosk-main-');
    const ptyTmp = join(dir, 'tmp');
    mkdirSync(ptyTmp);
    mkdirSync(join(dir, 'data', STORE_FILE), { recursive: true }); // a folder where the file goes
    const run = await runMain(
      ['--demo', '--headless', '--port', '0', '--data', join(dir, 'data')],
      {
        TMPDIR: ptyTmp,
      },
    );
    assert.equal(run.code, 1, run.stderr);
    assertOneErrorLine(run, /./);
    assertNoSimulatorLeft(ptyTmp);
  });

  test('an unknown option or a bad value: one line naming it, exit 2', async (t) => {
    const data = tempDir(t, 'kiosk-main-');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--bogus'], {}, /Unknown option '--bogus'.*--port N/],
      [['--port'], {}, /'--port <value>' argument missing/],
      [['--port', '-5'], {}, /'--port' argument is ambiguous/],
      [['--port', '70000'], {}, /--port must be a port number from 0 to 65535, not "70000"/],
      [[], { KIOSK_PORT: 'eighty' }, /KIOSK_PORT must be a port number .* not "eighty"/],
      [['extra'], {}, /Unexpected argument 'extra'/],
    ];
    for (const [args, env, pattern] of cases) {
      const run = await runMain(['--headless', '--data', data, ...args], env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assertOneErrorLine(run, pattern);
    }
  });

  test('a broken site file: one line naming the compartment by its label, exit 2', async (t) => {
    const dir = tempDir(t, 'kiosk-main-');
    const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as {
      locker: { compartments: { lock?: number }[] };
    };
    delete site.locker.compartments[2]!.lock;
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify(site));
    const run = await runMain(['--headless', '--data', dir, '--config', file], {});
    assert.equal(run.code, 2, run.stderr);
    assertOneErrorLine(run, /compartment A3 \(locker\.compartments\): lock: missing/);
  });

  test('without a display it says why no window opened', async (t) => {
    const dir = tempDir(t, 'kiosk-main-');
    const lines: string[] = [];
    const child = spawnScript(MAIN, ['--demo', '--port', '0', '--data', dir], {
      env: kioskEnv({ TMPDIR: dir }),
      onLine: (line) => lines.push(line),
    });
    t.after(() => child.stop()); // a clean stop, also when an assertion failed
    await waitFor(lines, /^No window opened/, () => child.process.exitCode, child.stderr);
    assert.match(lines.find((line) => line.startsWith('No window'))!, /no display.*DISPLAY/);
    assert.equal(await child.stop(), 0);
  });
});

describe('npm start (scripts/start.sh)', () => {
  test('KIOSK_DATA and KIOSK_PORT are honoured; a flag still wins', async (t) => {
    const dir = tempDir(t, 'kiosk-start-');
    const port = await freePort();
    const fromEnv = await startScript(t, ['--headless'], {
      KIOSK_DATA: join(dir, 'env-data'),
      KIOSK_PORT: String(port),
      TMPDIR: dir,
    });
    assert.match(fromEnv.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/`));
    assert.ok(existsSync(join(dir, 'env-data', STORE_FILE)), 'the store in KIOSK_DATA');
    assert.equal(await fromEnv.stop(), 0);

    const fromFlag = await startScript(t, ['--headless', '--data', join(dir, 'flag-data')], {
      KIOSK_DATA: join(dir, 'env-data'),
      KIOSK_PORT: '0',
      TMPDIR: dir,
    });
    assert.ok(existsSync(join(dir, 'flag-data', STORE_FILE)), 'the store in --data');
    assert.equal(await fromFlag.stop(), 0);
  });
});

/** Until a line matches; fails with the child's stderr if it exits first. */
function waitFor(
  lines: string[],
  pattern: RegExp,
  exitCode: () => number | null,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (lines.some((line) => pattern.test(line))) {
        clearInterval(timer);
        resolve();
      } else if (exitCode() !== null || Date.now() > deadline) {
        clearInterval(timer);
        const how = exitCode() === null ? 'no such line in 20 s' : `exited ${exitCode()}`;
        reject(new Error(`${how}, waiting for ${pattern}: ${lines.join('\n')}\n${stderr()}`));
      }
    }, 50);
  });
}

/** `bash scripts/start.sh args` until it prints the kiosk's URL. */
async function startScript(t: TestContext, args: string[], env: Record<string, string>) {
  const lines: string[] = [];
  const script = spawn('bash', [join(ROOT, 'scripts', 'start.sh'), ...args], {
    env: kioskEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  script.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: script.stdout }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => script.once('close', resolve));
  t.after(() => script.kill('SIGTERM')); // a clean stop, also when an assertion failed
  const stop = () => {
    script.kill('SIGTERM');
    return exited;
  };
  await waitFor(
    lines,
    /^Kiosk: http/,
    () => script.exitCode,
    () => stderr,
  );
  const url = /^Kiosk: (\S+)/.exec(lines.find((line) => line.startsWith('Kiosk: '))!)![1]!;
  return { stop, url };
}
