/**
 * A TCP proxy (node:net) between agent and server that misbehaves per HTTP request (a
 * chunk from the agent starting with a method starts one; fetch keeps connections alive):
 * - `cut`: forwards the request, then half of the first reply chunk, then closes both
 *   sides — the server did the work, the agent never learns the outcome;
 * - `duplicate`: the request's bytes go to the server twice, the copy first, over a second
 *   connection whose replies are dropped; the original follows a few ms later (the server
 *   refuses it as a replay, so the agent sends again);
 * - `clean`: forwarded as it is.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export type Fault = 'clean' | 'cut' | 'duplicate';

export interface FaultProxy {
  readonly port: number;
  readonly stats: Record<Fault, number>;
  close(): Promise<void>;
}

const REQUEST_START = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \//;

export async function startFaultProxy(
  targetPort: number,
  plan: (request: number) => Fault,
): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const stats: Record<Fault, number> = { clean: 0, cut: 0, duplicate: 0 };
  let requests = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };

  const server = createServer((client) => {
    track(client);
    const upstream = track(connect(targetPort, '127.0.0.1'));
    let copy: Socket | undefined;
    let fault: Fault = 'clean';
    let cut = false;
    // Keeps the upstream bytes in order while a duplicated request's original waits.
    let writes = Promise.resolve();
    const closeAll = () => {
      client.destroy();
      upstream.destroy();
      copy?.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (REQUEST_START.test(chunk.subarray(0, 10).toString('latin1'))) {
        fault = plan(++requests);
        stats[fault]++;
      }
      const delayed = fault === 'duplicate';
      if (delayed) {
        copy ??= track(connect(targetPort, '127.0.0.1')).resume(); // its replies go nowhere
        copy.write(chunk);
      }
      writes = writes
        .then(() => (delayed ? new Promise((resolve) => setTimeout(resolve, 5)) : undefined))
        .then(() => void (upstream.destroyed || upstream.write(chunk)));
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (fault !== 'cut') return void client.write(chunk);
      cut = true;
      client.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), closeAll);
    });
    client.on('close', closeAll);
    upstream.on('close', closeAll);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
