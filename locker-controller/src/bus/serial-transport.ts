import { readSync } from 'node:fs';
import { err, ok, type Result } from '@amtomat/basics';
import { SerialPortStream } from '@serialport/stream';
import { hangUpAwareBinding } from './serial-binding.ts';
import { classifyOpenError, type Transport, type TransportError } from './transport.ts';

/** RS-485 through a USB adapter with automatic direction control: 8N1, no flow control. */
export function serialTransport(path: string, baud: number): Transport {
  let port: SerialPortStream | undefined;
  /** Ports closed on purpose: their close event is not a lost adapter. */
  const closedOnPurpose = new WeakSet<SerialPortStream>();
  let currentBaud = baud;
  const dataListeners: ((bytes: Buffer) => void)[] = [];
  const lostListeners: ((reason: string) => void)[] = [];

  const io = (message: string): TransportError => ({ kind: 'io', target: path, message });

  return {
    get description() {
      return `${path} at ${currentBaud} baud`;
    },
    get isOpen() {
      return port?.isOpen ?? false;
    },
    open() {
      return new Promise((resolve) => {
        // Not `new SerialPort`: its binding never reports a line that hung up (serial-binding.ts).
        const candidate = new SerialPortStream({
          binding: hangUpAwareBinding,
          path,
          baudRate: currentBaud,
          dataBits: 8,
          parity: 'none',
          stopBits: 1,
          autoOpen: false,
        });
        candidate.open((error) => {
          if (error) return resolve(err(classifyOpenError(path, error.message)));
          port = candidate;
          candidate.on('data', (bytes: Buffer) => {
            for (const listener of dataListeners) listener(bytes);
          });
          candidate.on('error', () => {}); // reported through 'close' or the failing call
          candidate.on('close', (closeError: Error | null) => {
            if (port === candidate) port = undefined;
            if (closedOnPurpose.has(candidate)) return;
            const reason = closeError?.message ?? 'port closed';
            for (const listener of lostListeners) listener(reason);
          });
          resolve(ok(undefined));
        });
      });
    },
    write(bytes) {
      const current = port;
      if (!current?.isOpen) return Promise.resolve(err(io('port is not open')));
      return new Promise<Result<void, TransportError>>((resolve) => {
        current.write(bytes, (error) => {
          if (error) return resolve(err(io(error.message)));
          current.drain((drainError) =>
            resolve(drainError ? err(io(drainError.message)) : ok(undefined)),
          );
        });
      });
    },
    flush() {
      const current = port;
      if (!current?.isOpen) return Promise.resolve();
      // Input only. SerialPort#flush is tcflush(TCIOFLUSH): it would also drop a command
      // written but not yet taken off the line, such as an unlock that gets no reply.
      if (process.platform !== 'win32') {
        discardInput(current);
        return Promise.resolve();
      }
      return new Promise((resolve) => current.flush(() => resolve()));
    },
    setBaud(newBaud) {
      currentBaud = newBaud;
      const current = port;
      if (!current?.isOpen) return Promise.resolve(ok(undefined));
      return new Promise((resolve) =>
        current.update({ baudRate: newBaud }, (error) =>
          resolve(error ? err(io(error.message)) : ok(undefined)),
        ),
      );
    },
    close() {
      const current = port;
      if (current) closedOnPurpose.add(current);
      port = undefined;
      if (!current?.isOpen) return Promise.resolve();
      return new Promise((resolve) => current.close(() => resolve()));
    },
    onData: (listener) => void dataListeners.push(listener),
    onLost: (listener) => void lostListeners.push(listener),
  };
}

/** Reads and drops what waits in the port's input queue (the binding opens it non-blocking). */
function discardInput(port: SerialPortStream): void {
  const fd = (port.port as { fd?: number | null } | undefined)?.fd;
  if (typeof fd !== 'number') return;
  const scratch = Buffer.alloc(256);
  try {
    for (let i = 0; i < 64 && readSync(fd, scratch, 0, scratch.length, null) > 0; i++);
  } catch {
    // EAGAIN: nothing (more) to drop
  }
}
