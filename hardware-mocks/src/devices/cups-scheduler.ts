/**
 * A private CUPS scheduler for a test: the system's cupsd (package cups) with its own
 * configuration, spool and a Unix socket in a temporary folder, so `lp` and `lpstat` (pointed
 * at it by `CUPS_SERVER`: the commissioning wizard's, the kiosk's receipt printer) talk to a
 * real print system without touching the machine's own. Needs root (cupsd runs its backends
 * as the `lp` user). Pair it with `startNetworkPrinter` for the device behind a queue.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Cups {
  /** For `CUPS_SERVER`: the scheduler's socket. */
  readonly server: string;
  /** A raw queue (the PDF reaches the device as it is) to `uri`. */
  addQueue(name: string, uri: string): void;
  /** Stops a queue as `cupsdisable` does (the state message says `reason`). */
  disableQueue(name: string, reason: string): void;
}

export const CUPSD = '/usr/sbin/cupsd';

/** A device URI for a queue whose printer is switched off: a port where nothing listens. */
export async function switchedOffPrinterUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `socket://127.0.0.1:${port}`;
}
export const hasCups = () => existsSync(CUPSD) && process.getuid?.() === 0;

export async function startCups(t: TestContext, dir: string): Promise<Cups> {
  const root = join(dir, 'cups');
  for (const sub of ['spool', 'tmp', 'cache', 'state', 'log']) {
    mkdirSync(join(root, sub), { recursive: true });
  }
  // The backends and filters run as `lp`: they must reach the folders.
  for (const path of [dir, root, join(root, 'tmp')]) chmodSync(path, 0o755);
  chmodSync(join(root, 'tmp'), 0o1777);
  const server = join(root, 'cups.sock');
  writeFileSync(
    join(root, 'cupsd.conf'),
    [
      `Listen ${server}`,
      'LogLevel warn',
      'WebInterface No',
      'Browsing No',
      '<Location />',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'cups-files.conf'),
    [
      `ServerRoot ${root}`,
      `RequestRoot ${join(root, 'spool')}`,
      `TempDir ${join(root, 'tmp')}`,
      `CacheDir ${join(root, 'cache')}`,
      `StateDir ${join(root, 'state')}`,
      'ServerBin /usr/lib/cups',
      'DataDir /usr/share/cups',
      `ErrorLog ${join(root, 'log', 'error_log')}`,
      `AccessLog ${join(root, 'log', 'access_log')}`,
      `PageLog ${join(root, 'log', 'page_log')}`,
      '',
    ].join('\n'),
  );
  // A raw queue needs these two (the Debian package keeps them in /etc/cups).
  for (const file of ['raw.types', 'raw.convs']) {
    execFileSync('cp', [join('/etc/cups', file), join(root, file)]);
  }
  const cupsd: ChildProcess = spawn(
    CUPSD,
    ['-f', '-c', join(root, 'cupsd.conf'), '-s', join(root, 'cups-files.conf')],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => cupsd.once('exit', resolve));
  t.after(async () => {
    cupsd.kill('SIGTERM');
    await exited;
  });
  const env = { ...process.env, CUPS_SERVER: server };
  await untilRunning(env);
  return {
    server,
    addQueue(name, uri) {
      // lpadmin warns that raw queues are deprecated; a receipt printer's queue would have
      // the vendor's driver, which this machine does not have.
      execFileSync('lpadmin', ['-p', name, '-E', '-v', uri, '-m', 'raw'], { env, stdio: 'pipe' });
    },
    disableQueue(name, reason) {
      execFileSync('cupsdisable', ['-r', reason, name], { env, stdio: 'pipe' });
    },
  };
}

const running = (env: NodeJS.ProcessEnv) => {
  try {
    const said = execFileSync('lpstat', ['-r'], { env, encoding: 'utf8', stdio: 'pipe' });
    return /scheduler is running/.test(said);
  } catch {
    return false;
  }
};

async function untilRunning(env: NodeJS.ProcessEnv, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!running(env)) {
    if (Date.now() > deadline) throw new Error(`cupsd did not answer within ${timeoutMs} ms`);
    await sleep(20);
  }
}
