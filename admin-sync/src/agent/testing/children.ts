/**
 * Child processes for the kill -9 tests: the fleet server from its CLI, the terminal's sync
 * (kiosk/src/testing/sync-child.ts). Every child is remembered until it exits, so a failing
 * test's hook (and, last resort, this process's exit) can kill what is left: no process
 * outlives the test run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const FLEET_CLI = join(import.meta.dirname, '..', '..', 'server', 'cli.ts');
const START_TIMEOUT_MS = 20_000;
const STDERR_KEPT = 4_000;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The end of its stderr, for the message of a failing test. */
  stderr(): string;
}

/**
 * Runs a TypeScript file with this Node.js; `onLine` gets each stdout line. Both pipes are
 * read to the end, so a chatty child never blocks on a full pipe; of stderr only the end is
 * kept.
 */
export function spawnScript(
  script: string,
  args: readonly string[],
  onLine: (line: string) => void = () => {},
): Child {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  createInterface({ input: child.stdout! }).on('line', onLine);
  return { process: child, exited, stderr: () => stderr };
}

/** kill -9, and wait until it is gone. */
export async function killHard(child: Child | undefined): Promise<void> {
  if (!child) return;
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
  }
  await child.exited;
}

/** Every child still running: for `after` hooks of a test that failed half-way. */
export async function killAllChildren(): Promise<void> {
  await Promise.all(
    [...live].map((child) => {
      child.kill('SIGKILL');
      return new Promise((resolve) => child.once('exit', resolve));
    }),
  );
}

export interface FleetServerProcess extends Child {
  readonly url: string;
  readonly port: number;
}

/** Where the server process keeps its data: SQLite in `data`/fleet.sqlite, or PostgreSQL. */
export type FleetStorageArgs = { data: string } | { postgres: string };

/** `fleet-server --data DIR|--postgres URL --port port`; port 0 picks one. */
export function startFleetServerProcess(
  storage: FleetStorageArgs,
  port = 0,
): Promise<FleetServerProcess> {
  const storageArgs =
    'data' in storage ? ['--data', storage.data] : ['--postgres', storage.postgres];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void killHard(child);
      reject(new Error(`fleet server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const child = spawnScript(FLEET_CLI, [...storageArgs, '--port', String(port)], (line) => {
      const match = /fleet server on (http:\/\/127\.0\.0\.1:(\d+)) /.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ ...child, url: match[1]!, port: Number(match[2]) });
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`fleet server exited with ${code} before listening: ${child.stderr()}`));
    });
  });
}

/** A one-time enrolment token from `fleet-server enrol-token --data dir`. */
export function fleetEnrolmentToken(dataDir: string): string {
  return execFileSync(process.execPath, [FLEET_CLI, 'enrol-token', '--data', dataDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: START_TIMEOUT_MS,
  }).trim();
}
