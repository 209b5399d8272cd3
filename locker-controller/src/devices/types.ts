/**
 * Ports for the input devices. Flows depend on `CardReader` and `Scanner` only; the
 * adapters in this folder read raw HID reports or serial bytes (never typed text from the
 * OS), so keyboard focus plays no part.
 */

export interface CardEvent {
  /** Uppercase hex (decimal readers deliver digits, which are hex digits too). */
  uid: string;
  /** ms since the epoch. */
  at: number;
}

export interface ScanEvent {
  text: string;
  /** AIM symbology identifier such as `]Q1` (QR), `]E0` (EAN-13), `]C0` (Code 128); '' if unknown. */
  symbology: string;
  /** ms since the epoch. */
  at: number;
}

export interface CardReader {
  /** Returns a function that removes the listener. */
  onCard(listener: (e: CardEvent) => void): () => void;
  /** Stops reading and closes the underlying device; safe to call twice. */
  close(): Promise<void>;
}

export interface Scanner {
  /** Returns a function that removes the listener. */
  onScan(listener: (e: ScanEvent) => void): () => void;
  /** Stops reading and closes the underlying device; safe to call twice. */
  close(): Promise<void>;
}

/**
 * A stream of bytes from a serial device. A `serialport` `SerialPort` satisfies it as is;
 * tests use an EventEmitter. 'error' is part of it because an EventEmitter without an
 * 'error' listener throws, which would take the whole service down on a USB hiccup.
 */
export interface ByteSource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  close(callback?: (error: Error | null) => void): void;
}

/**
 * An open HID device delivering input reports. A node-hid 3 `HIDAsync` satisfies it as is
 * (see `openHidDevice`); tests inject a fake. On Linux (hidraw) node-hid delivers the
 * report id as byte 0 for devices with numbered reports and no id byte otherwise.
 */
export interface HidDevice {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (report: Buffer) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<void>;
}
