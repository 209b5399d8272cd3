/**
 * A network receipt printer on its raw port (JetDirect / "port 9100", as Ethernet receipt
 * printers offer it): CUPS' `socket://` backend connects, sends the job's bytes and closes.
 * Each connection is one job; the bytes are kept for the test to read back.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface NetworkPrinter {
  /** `socket://127.0.0.1:PORT`, for `lpadmin -v`. */
  readonly uri: string;
  /** The jobs received so far, complete (the sender closed the connection). */
  readonly jobs: readonly Buffer[];
  /** Resolves with the next complete job. */
  nextJob(timeoutMs?: number): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startNetworkPrinter(): Promise<NetworkPrinter> {
  const jobs: Buffer[] = [];
  const waiting = new Set<(job: Buffer) => void>();
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => {
      socket.end();
      const job = Buffer.concat(chunks);
      jobs.push(job);
      for (const wake of waiting) wake(job);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `socket://127.0.0.1:${port}`,
    jobs,
    nextJob(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(done);
          reject(new Error(`no print job within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (job: Buffer) => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(job);
        };
        waiting.add(done);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
