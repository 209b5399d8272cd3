import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pair of linked pseudo-terminals made by socat: bytes written to one end come out of
 * the other, as over a null-modem cable. `hostPath` is the end the kiosk opens (like
 * /dev/ttyUSB0); `devicePath` is the end a simulated device serves.
 *
 * `unplug()` ends socat, so both device nodes vanish and open ports see the line drop, as
 * when a USB adapter is pulled; `replug()` makes them again under the same paths.
 */
export interface PtyPair {
  readonly hostPath: string;
  readonly devicePath: string;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every socat still running, with the folder to remove: socat would outlive this process
 * (nothing ties it to us), so any exit of ours ends it, also a process.exit() after a failed
 * start. A SIGKILL of this process runs no hook: there setpriv's death signal ends socat.
 */
const running = new Map<ChildProcess, string | undefined>();
process.once('exit', () => {
  for (const [child, dir] of running) {
    // SIGKILL, not SIGTERM: a terminating socat unlinks its links while we remove the
    // folder, and that race left the folder behind. A killed socat touches nothing more.
    child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
});

const SETPRIV = '/usr/bin/setpriv';

export async function openPtyPair(dir?: string): Promise<PtyPair> {
  const ownDir = dir === undefined;
  const base = dir ?? mkdtempSync(join(tmpdir(), 'amtomat-pty-'));
  const hostPath = join(base, 'host');
  const devicePath = join(base, 'device');
  let socat: ChildProcess | undefined;

  async function start(): Promise<void> {
    const socatArgs = [
      ...['socat', '-d', '-d'],
      ...[`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`],
    ];
    // setpriv (util-linux) asks the kernel to end socat when we die, even by SIGKILL.
    const [command, ...args] = existsSync(SETPRIV)
      ? [SETPRIV, '--pdeathsig', 'TERM', ...socatArgs]
      : socatArgs;
    const child = spawn(command!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    socat = child;
    running.set(child, ownDir ? base : undefined);
    child.once('exit', () => running.delete(child));
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      const notStarted = (why: string) =>
        fail(`socat could not be started (${why}); install it: apt-get install socat`);
      const onError = (error: Error) => notStarted(error.message);
      // 127: setpriv found no socat to run.
      const onExit = (code: number | null) =>
        code === 127
          ? notStarted(stderr.trim())
          : fail(`socat exited with code ${code}: ${stderr.trim()}`);
      const onData = (chunk: Buffer) => {
        stderr += chunk.toString();
        // socat logs "starting data transfer loop" once both ends exist.
        if (!stderr.includes('starting data transfer loop')) return;
        detach();
        resolve();
      };
      const detach = () => {
        child.off('error', onError);
        child.off('exit', onExit);
        child.stderr?.off('data', onData);
        child.stderr?.resume(); // keep draining socat's log so it never blocks
      };
      const fail = (message: string) => {
        detach();
        reject(new Error(message));
      };
      child.on('error', onError);
      child.on('exit', onExit);
      child.stderr?.on('data', onData);
    });
  }

  async function stop(): Promise<void> {
    const child = socat;
    socat = undefined;
    // Ended already (by itself, or killed by a signal: then exitCode stays null).
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    // socat removes its links on SIGTERM; make sure, so a replug starts clean.
    for (const path of [hostPath, devicePath]) if (existsSync(path)) rmSync(path, { force: true });
  }

  await start();
  return {
    hostPath,
    devicePath,
    unplug: stop,
    replug: start,
    async close() {
      await stop();
      if (ownDir) rmSync(base, { recursive: true, force: true });
    },
  };
}
