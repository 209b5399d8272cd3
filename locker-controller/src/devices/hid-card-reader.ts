/**
 * Card reader that presents itself as a USB boot keyboard and "types" the uid plus Enter.
 * We read its raw 8-byte input reports through hidraw/node-hid instead of typed text, so
 * keyboard focus and layout do not matter:
 *   [modifiers, reserved, key1, key2, key3, key4, key5, key6]
 * Keys are HID usage ids: 1E–27 digits 1–9, 0; 04–09 a–f (hex readers); 28 Enter.
 * A key counts when it first appears in a report (held keys repeat in every report; a
 * report of zeros is key-up). Modifiers are ignored (shift+a is still hex digit A).
 */

import { silentLogger } from '@amtomat/basics';
import { z } from 'zod';
import {
  type AdapterOptions,
  attach,
  idleResetMsSchema,
  listenerSet,
  repeatFilter,
  repeatMsSchema,
} from './shared.ts';
import type { CardEvent, CardReader, HidDevice } from './types.ts';

export const BOOT_KEYBOARD_REPORT_SIZE = 8;
export const KEY_ENTER = 0x28;
export const MAX_UID_CHARS = 32;

/** Why a uid is discarded instead of reported (logged as `reason`). */
export type HidCardRejectReason = 'report-length' | 'key' | 'too-long' | 'empty' | 'incomplete';

/** A usage id as an uppercase hex character, or undefined for any other key. */
export function keyToHexChar(usage: number): string | undefined {
  if (usage >= 0x1e && usage <= 0x26) return String(usage - 0x1e + 1);
  if (usage === 0x27) return '0';
  if (usage >= 0x04 && usage <= 0x09) return String.fromCharCode(0x41 + usage - 0x04);
  return undefined;
}

/** Keys pressed in `report` that were not pressed in `previous`, in report order. */
export function newKeys(report: Uint8Array, previous: ReadonlySet<number>): number[] {
  return [...report.subarray(2, BOOT_KEYBOARD_REPORT_SIZE)].filter(
    (key) => key !== 0 && !previous.has(key),
  );
}

export const hidCardReaderConfigSchema = z.object({
  /** The same uid again within this many ms of its last sighting is not reported again. */
  repeatMs: repeatMsSchema,
  idleResetMs: idleResetMsSchema,
});

export type HidCardReaderOptions = z.input<typeof hidCardReaderConfigSchema> & AdapterOptions;

/** The uid being typed. */
interface Typing {
  chars: string;
  /** Characters typed, counting those beyond the limit. */
  length: number;
  /** First invalid reason seen; the uid is rejected when Enter comes. */
  invalid: HidCardRejectReason | undefined;
  lastAt: number;
}

/**
 * Emits one `CardEvent` per card presented. Bad input is logged as
 * `card_reader.read_rejected` with a reason and a length (never the uid).
 * Throws a ZodError when the configuration is invalid (a setup error, not a runtime one).
 */
export function createHidCardReader(
  device: HidDevice,
  options: HidCardReaderOptions = {},
): CardReader {
  const { repeatMs, idleResetMs } = hidCardReaderConfigSchema.parse(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const listeners = listenerSet<CardEvent>(logger, 'card_reader.listener_failed');
  const isNew = repeatFilter(repeatMs);
  let pressed: ReadonlySet<number> = new Set();
  let typing: Typing | undefined;

  const reject = (reason: HidCardRejectReason, length: number) =>
    logger.log('warn', 'card_reader.read_rejected', { source: 'hid', reason, length });

  const onReport = (report: Buffer) => {
    const at = now();
    if (typing && at - typing.lastAt > idleResetMs) {
      reject('incomplete', typing.length);
      typing = undefined;
    }
    if (report.length !== BOOT_KEYBOARD_REPORT_SIZE) {
      reject('report-length', report.length);
      typing = undefined;
      pressed = new Set();
      return;
    }
    for (const key of newKeys(report, pressed)) onKey(key, at);
    pressed = new Set(report.subarray(2).filter((key) => key !== 0));
  };

  const onKey = (key: number, at: number) => {
    if (key === KEY_ENTER) {
      finish(typing, at);
      typing = undefined;
      return;
    }
    typing ??= { chars: '', length: 0, invalid: undefined, lastAt: at };
    typing.lastAt = at;
    typing.length++;
    const char = keyToHexChar(key);
    if (char === undefined) typing.invalid ??= 'key';
    else if (typing.length > MAX_UID_CHARS) typing.invalid ??= 'too-long';
    else typing.chars += char;
  };

  const finish = (uid: Typing | undefined, at: number) => {
    if (uid === undefined) return reject('empty', 0);
    if (uid.invalid) return reject(uid.invalid, uid.length);
    if (isNew(uid.chars, at)) listeners.emit({ uid: uid.chars, at });
  };

  const onError = (error: Error) => {
    logger.log('error', 'card_reader.device_error', { source: 'hid', error: error.message });
    typing = undefined;
    pressed = new Set();
  };

  const close = attach(device, onReport, onError, () => device.close());
  return {
    onCard: listeners.add,
    async close() {
      listeners.clear();
      await close();
    },
  };
}
