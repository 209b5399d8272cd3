import { Socket } from 'node:net';
import { err, ok, type Result } from '@amtomat/basics';
import { classifyOpenError, type Transport, type TransportError } from './transport.ts';

/**
 * The Kerong BU Ethernet gateway: the same frames as on RS-485, over a TCP socket. The
 * line speed is the gateway's own setting.
 */
export function tcpTransport(host: string, port: number, connectTimeoutMs = 2000): Transport {
  const target = `${host}:${port}`;
  let socket: Socket | undefined;
  /** Sockets closed on purpose: their close event is not a lost connection. */
  const closedOnPurpose = new WeakSet<Socket>();
  const dataListeners: ((bytes: Buffer) => void)[] = [];
  const lostListeners: ((reason: string) => void)[] = [];

  return {
    description: `gateway ${target}`,
    get isOpen() {
      return socket !== undefined && !socket.destroyed;
    },
    open() {
      return new Promise((resolve) => {
        const candidate = new Socket();
        candidate.setNoDelay(true);
        candidate.setTimeout(connectTimeoutMs);
        const fail = (message: string) => {
          candidate.destroy();
          resolve(err(classifyOpenError(target, message)));
        };
        candidate.once('timeout', () => fail('ENOTFOUND connect timed out'));
        candidate.once('error', (error) => fail(error.message));
        candidate.connect(port, host, () => {
          candidate.removeAllListeners('error');
          candidate.removeAllListeners('timeout');
          candidate.setTimeout(0);
          socket = candidate;
          candidate.on('data', (bytes) => {
            for (const listener of dataListeners) listener(bytes);
          });
          candidate.on('error', () => {}); // followed by 'close'
          candidate.on('close', () => {
            if (socket === candidate) socket = undefined;
            if (closedOnPurpose.has(candidate)) return;
            for (const listener of lostListeners) listener('connection closed');
          });
          resolve(ok(undefined));
        });
      });
    },
    write(bytes) {
      const current = socket;
      if (!current || current.destroyed) {
        return Promise.resolve(err({ kind: 'io', target, message: 'not connected' }));
      }
      return new Promise<Result<void, TransportError>>((resolve) =>
        current.write(bytes, (error) =>
          resolve(error ? err({ kind: 'io', target, message: error.message }) : ok(undefined)),
        ),
      );
    },
    flush: () => Promise.resolve(), // nothing buffered below us; the bus drops stale bytes
    setBaud: () => Promise.resolve(ok(undefined)),
    close() {
      if (socket) closedOnPurpose.add(socket);
      socket?.destroy();
      socket = undefined;
      return Promise.resolve();
    },
    onData: (listener) => void dataListeners.push(listener),
    onLost: (listener) => void lostListeners.push(listener),
  };
}
