/**
 * The fleet server's CLI (cli.ts) as a process of its own, as it runs in production: served
 * until stopped, or one command run to its end. `spawnScript` runs any other script a test
 * needs as a child. Every child is remembered until it is gone, so a failing test's `after`
 * hook (`killAllChildren`; last resort, this process's exit) kills what is left: no process
 * outlives the test run.
 */
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const FLEET_CLI = join(import.meta.dirname, '..', 'cli.ts');
const TIMEOUT_MS = 20_000;
const STDERR_KEPT = 4_000;

const live = new Set<Child>();
process.once('exit', () => {
  for (const child of live) child.process.kill('SIGKILL');
});

export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once its pipes are closed. */
  readonly exited: Promise<number | null>;
  /** The end of its stderr, for the message of a failing test. */
  stderr(): string;
  /** SIGTERM (a clean shutdown), and wait until it is gone. */
  stop(): Promise<number | null>;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
}

/**
 * Runs a TypeScript file with this Node.js; `onLine` gets each stdout line. Both pipes are
 * read to the end, so a chatty child never blocks on a full pipe; of stderr only the end is
 * kept.
 */
export function spawnScript(
  script: string,
  args: readonly string[],
  options: { onLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Child {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env && { env: options.env }),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  createInterface({ input: child.stdout }).on('line', options.onLine ?? (() => {}));
  // 'close', not 'exit': by then stderr() holds all it wrote.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  const handle: Child = {
    process: child,
    exited,
    stderr: () => stderr,
    stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  return handle;
}

/** Every child still running: for `after` hooks of a test that failed half-way. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => child.kill()));
}

/** This environment without FLEET_* settings (they would override the arguments), and `env`. */
const fleetEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FLEET_'))),
  ...env,
});

export interface FleetServerProcess extends Child {
  readonly url: string;
  readonly port: number;
}

/**
 * Where the server process keeps its data: SQLite in `data`/fleet.sqlite, or PostgreSQL (with
 * the file of the key sealing its secrets; default: .data/fleet/secret.key).
 */
export type FleetStorageArgs = { data: string } | { postgres: string; secretKeyFile?: string };

/**
 * `fleet-server serve` with its storage, on `port` (0, the default, picks one), `args` added;
 * resolves once it listens, rejects (with its stderr) if it exits first or is not up in time.
 */
export function startFleetServerProcess(
  storage: FleetStorageArgs,
  options: { port?: number; args?: readonly string[]; env?: Record<string, string> } = {},
): Promise<FleetServerProcess> {
  const storageArgs =
    'data' in storage
      ? ['--data', storage.data]
      : [
          '--postgres',
          storage.postgres,
          ...(storage.secretKeyFile ? ['--secret-key-file', storage.secretKeyFile] : []),
        ];
  const args = ['serve', ...storageArgs, '--port', String(options.port ?? 0)];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void child.kill();
      reject(new Error(`fleet server did not start within ${TIMEOUT_MS} ms: ${child.stderr()}`));
    }, TIMEOUT_MS);
    const child = spawnScript(FLEET_CLI, [...args, ...(options.args ?? [])], {
      env: fleetEnv(options.env),
      onLine: (line) => {
        const match = /^fleet server on (http:\/\/\S+:(\d+)) /.exec(line);
        if (!match) return;
        clearTimeout(timer);
        resolve({ ...child, url: match[1]!, port: Number(match[2]) });
      },
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`fleet server exited with ${code} before listening: ${child.stderr()}`));
    });
  });
}

/** `fleet-server <args>` run to its end, `input` on its stdin; killed if it takes too long. */
export function runFleetCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [FLEET_CLI, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: fleetEnv(options.env),
    timeout: TIMEOUT_MS,
  });
}

/** A one-time enrolment token from `fleet-server enrol-token --data dir [--label label]`. */
export function fleetEnrolmentToken(dataDir: string, label?: string): string {
  const labelArgs = label === undefined ? [] : ['--label', label];
  const run = runFleetCli(['enrol-token', '--data', dataDir, ...labelArgs]);
  if (run.status !== 0) throw new Error(`enrol-token exited with ${run.status}: ${run.stderr}`);
  return run.stdout.trim();
}
