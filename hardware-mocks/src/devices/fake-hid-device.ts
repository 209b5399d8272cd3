import { EventEmitter } from 'node:events';
import type { HidDevice } from '../../../locker-controller/src/devices/index.ts';

/**
 * A HID device in memory: tests and the demo push input reports into it. It behaves like
 * node-hid's HIDAsync: 'data' and 'error' events, nothing delivered after `close()`, and an
 * 'error' without a listener throws (as with any EventEmitter).
 */
export class FakeHidDevice extends EventEmitter implements HidDevice {
  closed = false;

  /** Delivers one input report; ignored once closed. */
  emitReport(report: Buffer): void {
    if (!this.closed) this.emit('data', report);
  }

  /** Reports a device failure, e.g. a read error after the device was unplugged. */
  fail(error: Error): void {
    if (!this.closed) this.emit('error', error);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }
}
