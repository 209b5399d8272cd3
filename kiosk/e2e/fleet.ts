/**
 * The municipal side of the end-to-end test: the fleet server as its own process (the CLI of
 * `npm run fleet-server`, SQLite in a temp dir, console, notices), a real SMTP server
 * (smtp-server, from the notification tests) receiving its e-mails, and a TCP link between
 * terminal and fleet server that can be pulled like a network cable.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export {
  startTestSmtp,
  type TestSmtp,
} from '../../admin-sync/src/server/notifications/test-support.ts';

const CLI = join(import.meta.dirname, '..', '..', 'admin-sync', 'src', 'server', 'cli.ts');

/** A cable between terminal and server: `down()` cuts every connection and refuses new ones. */
export interface Link {
  url: string;
  up(): void;
  down(): void;
  close(): Promise<void>;
}

export async function startLink(targetPort: number): Promise<Link> {
  let connected = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!connected) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    up: () => {
      connected = true;
    },
    down: () => {
      connected = false;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface FleetEvent {
  device_id: string;
  seq: number;
  type: string;
  status: string;
  /** The item's reference, for item events. */
  reference: string | null;
}

export interface FleetProcess {
  url: string;
  dataDir: string;
  /** A one-time enrolment token for a terminal. */
  token(label: string): string;
  /** The events the server recorded for each device, from its SQLite file. */
  events(): FleetEvent[];
  close(): Promise<void>;
}

export const CLERK = { username: 'clerk', password: 'a long clerk password 2026' };

/** The fleet server's CLI as its own process, with a console user and notices by SMTP. */
export async function startFleetProcess(options: { smtpPort: number }): Promise<FleetProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'amtomat-fleet-e2e-'));
  const cli = (args: string[], input?: string) =>
    execFileSync(process.execPath, [CLI, ...args, '--data', dataDir], {
      input: input ?? '',
      stdio: ['pipe', 'pipe', 'pipe'],
    }).toString();
  cli(['add-user', '--username', CLERK.username, '--role', 'clerk'], `${CLERK.password}\n`);
  const notifyConfig = join(dataDir, 'notify.json');
  writeFileSync(
    notifyConfig,
    JSON.stringify({
      senderName: 'Kreisverwaltung Test',
      email: {
        smtp: { host: '127.0.0.1', port: options.smtpPort },
        from: 'Amt-O-Mat <noreply@example.org>',
      },
      worker: { intervalMs: 1000 },
    }),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--data', dataDir, '--notify-config', notifyConfig],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /fleet server on (http:\/\/\S+) /.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fleet server exited (${code}): ${stderr}`)));
  });
  return {
    url,
    dataDir,
    token: (label) => cli(['enrol-token', '--label', label]).trim(),
    events() {
      const db = new Database(join(dataDir, 'fleet.sqlite'), { readonly: true });
      try {
        return db
          .prepare(
            `SELECT device_id, seq, type, status, json_extract(payload, '$.reference') AS reference
             FROM events ORDER BY device_id, seq`,
          )
          .all() as FleetEvent[];
      } finally {
        db.close();
      }
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
