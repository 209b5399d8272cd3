import type { Result } from '@amtomat/basics';

/** Why a port could not be opened or used; each kind maps to advice for the installer. */
export type TransportError =
  | { kind: 'not-found'; target: string }
  | { kind: 'permission-denied'; target: string }
  | { kind: 'busy'; target: string }
  | { kind: 'io'; target: string; message: string };

/**
 * A byte pipe to the boards: a serial port (USB-RS485 adapter) or a TCP socket (Kerong BU
 * Ethernet gateway). The bus owns framing, timing and retries; a transport only moves bytes.
 */
export interface Transport {
  /** Human description for messages, e.g. "/dev/ttyUSB0 at 19200 baud". */
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<Result<void, TransportError>>;
  write(bytes: Buffer): Promise<Result<void, TransportError>>;
  /** Drops bytes received but not yet read (stale replies). */
  flush(): Promise<void>;
  /** Changes the line speed (serial only; a gateway has its own setting). */
  setBaud(baud: number): Promise<Result<void, TransportError>>;
  close(): Promise<void>;
  onData(listener: (bytes: Buffer) => void): void;
  /** Called when the port closes without `close()` having been called (adapter pulled). */
  onLost(listener: (reason: string) => void): void;
}

/** Maps an OS error message to a transport error. */
export function classifyOpenError(target: string, message: string): TransportError {
  if (/ENOENT|No such file/i.test(message)) return { kind: 'not-found', target };
  if (/EACCES|Permission denied/i.test(message)) return { kind: 'permission-denied', target };
  if (/EBUSY|Cannot lock port|Resource temporarily unavailable/i.test(message)) {
    return { kind: 'busy', target };
  }
  if (/ECONNREFUSED|EHOSTUNREACH|ENOTFOUND/i.test(message)) return { kind: 'not-found', target };
  return { kind: 'io', target, message };
}

/** One line an installer can act on. */
export function describeTransportError(error: TransportError): string {
  switch (error.kind) {
    case 'not-found':
      return `${error.target} does not exist or does not answer. Is the adapter plugged in and the path right?`;
    case 'permission-denied':
      return `No permission to open ${error.target}. Add the user to the dialout group or install the udev rules from installers/.`;
    case 'busy':
      return `${error.target} is in use by another program (is the kiosk running?).`;
    case 'io':
      return `${error.target}: ${error.message}`;
  }
}
