/** Small pieces the device adapters share. Internal to this folder (not re-exported). */

import { err, type Logger, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import type { ByteSource } from './types.ts';

/** Options every adapter takes besides its own configuration. */
export interface AdapterOptions {
  logger?: Logger;
  /** Clock in ms since the epoch; tests pass a simulated one. */
  now?: () => number;
}

/**
 * A partial scan or uid older than this (ms without new bytes) when more data arrives is
 * discarded: its end was lost (reader unplugged mid-scan, dropped Enter), and gluing it to
 * the next scan would produce a wrong value.
 */
export const idleResetMsSchema = z.int().min(1).max(60_000).default(1000);

/** Listeners of one event type. A throwing listener is logged and does not stop the others. */
export function listenerSet<E>(logger: Logger, event: string) {
  const listeners = new Set<(e: E) => void>();
  return {
    add(listener: (e: E) => void): () => void {
      const own = (e: E) => listener(e); // own wrapper: adding the same function twice works
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
    emit(e: E): void {
      for (const listener of [...listeners]) {
        try {
          listener(e);
        } catch (error) {
          // The name only: a message could quote the uid or barcode.
          logger.log('error', event, { reason: 'listener-threw', error: errorName(error) });
        }
      }
    },
    clear(): void {
      listeners.clear();
    },
  };
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/**
 * Readers repeat a card's uid while it lies on them: report a uid unless it is the uid seen
 * last and was seen less than `repeatMs` ago. Every sighting restarts the window, so a card
 * left on the reader is reported once, and once more after it was lifted for `repeatMs`.
 */
export function repeatFilter(repeatMs: number): (uid: string, at: number) => boolean {
  let last: { uid: string; seenAt: number } | undefined;
  return (uid, at) => {
    const isRepeat = last !== undefined && last.uid === uid && at - last.seenAt < repeatMs;
    last = { uid, seenAt: at };
    return !isRepeat;
  };
}

export const repeatMsSchema = z.int().min(0).max(60_000).default(1500);

export type TextRejectReason = 'encoding' | 'control-character';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Scanned bytes as text: valid UTF-8 without control characters (tab allowed). */
export function decodeScanText(bytes: Uint8Array): Result<string, TextRejectReason> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return err('encoding');
  }
  return hasControlCharacter(text) ? err('control-character') : ok(text);
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const AIM_ID = /^\][A-Za-z][0-9A-Za-z]$/;

/** Three bytes as an AIM symbology identifier (`]` + code letter + modifier), or undefined. */
export function aimId(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 3) return undefined;
  const id = String.fromCharCode(...bytes);
  return AIM_ID.test(id) ? id : undefined;
}

/** What `ByteSource` and `HidDevice` have in common. */
interface DeviceEvents {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Subscribes to a device's data and errors. The returned close detaches and closes the
 * device once; errors on close are swallowed (an already closed port is the state we
 * wanted). The error listener stays until the close finished: an unheard 'error' throws.
 */
export function attach(
  device: DeviceEvents,
  onData: (chunk: Buffer) => void,
  onError: (error: Error) => void,
  closeDevice: () => Promise<void>,
): () => Promise<void> {
  device.on('data', onData);
  device.on('error', onError);
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      device.off('data', onData);
      await closeDevice().catch(() => {});
      device.off('error', onError);
    })();
    return closing;
  };
}

/** SerialPort reports closing a port that is not open as an error: that is fine here. */
export function closeByteSource(source: ByteSource): Promise<void> {
  return new Promise((resolve) => source.close(() => resolve()));
}
