/**
 * Serial 125 kHz / 13.56 MHz card reader. Frame (10 bytes):
 *   02 0A TT U0 U1 U2 U3 U4 XX 03
 * STX, total frame length 0A, card type TT (02 in the vendor example), 5 uid bytes, XX, ETX.
 * Our reading of the vendor note: XX is the XOR of every byte between STX and XX, i.e.
 * bytes 1..7 (length, type and uid). The type byte is not checked: it names the card
 * technology and is covered by the XOR.
 */

import { err, ok, type Result, silentLogger } from '@amtomat/basics';
import { z } from 'zod';
import {
  type AdapterOptions,
  attach,
  closeByteSource,
  idleResetMsSchema,
  listenerSet,
  repeatFilter,
  repeatMsSchema,
} from './shared.ts';
import type { ByteSource, CardEvent, CardReader } from './types.ts';

export const CARD_FRAME_LENGTH = 10;
export const CARD_UID_LENGTH = 5;
export const CARD_TYPE_DEFAULT = 0x02;
const STX = 0x02;
const ETX = 0x03;
const XOR_INDEX = 8;

export type SerialCardFrameRejectReason = 'frame' | 'checksum';
/** Why bytes are discarded instead of reported (logged as `reason`). */
export type SerialCardRejectReason = SerialCardFrameRejectReason | 'garbage' | 'incomplete';

/** XOR of bytes 1..7 of a frame. */
function frameXor(frame: Uint8Array): number {
  let xor = 0;
  for (let i = 1; i < XOR_INDEX; i++) xor ^= frame[i] ?? 0;
  return xor;
}

/** Throws RangeError unless `uid` has 5 bytes: the fake and tests call it with constants. */
export function encodeSerialCardFrame(uid: Uint8Array, cardType = CARD_TYPE_DEFAULT): Buffer {
  if (uid.length !== CARD_UID_LENGTH)
    throw new RangeError(`uid must have ${CARD_UID_LENGTH} bytes`);
  const frame = Buffer.from([STX, CARD_FRAME_LENGTH, cardType, ...uid, 0, ETX]);
  frame[XOR_INDEX] = frameXor(frame);
  return frame;
}

/** One complete frame to its uid as uppercase hex. */
export function decodeSerialCardFrame(
  frame: Uint8Array,
): Result<{ uid: string; cardType: number }, SerialCardFrameRejectReason> {
  if (
    frame.length !== CARD_FRAME_LENGTH ||
    frame[0] !== STX ||
    frame[1] !== CARD_FRAME_LENGTH ||
    frame[CARD_FRAME_LENGTH - 1] !== ETX
  ) {
    return err('frame');
  }
  if (frameXor(frame) !== frame[XOR_INDEX]) return err('checksum');
  const uid = Buffer.from(frame.subarray(3, 3 + CARD_UID_LENGTH))
    .toString('hex')
    .toUpperCase();
  return ok({ uid, cardType: frame[2] ?? 0 });
}

export type CardFrameParseResult = Result<
  string,
  { reason: SerialCardRejectReason; length: number }
>;

/**
 * Streaming parser: feed chunks as they arrive, get one result per frame or per run of
 * discarded bytes, in order. A candidate frame must start with STX, LEN and end with ETX;
 * otherwise its first byte is garbage and the search resumes at the next STX, so a frame
 * that follows garbage or a torn frame is still found. At most 9 bytes are held back.
 */
export function createCardFrameParser(): {
  push(chunk: Uint8Array): CardFrameParseResult[];
  /** Bytes held back waiting for the rest of a frame. */
  readonly pending: number;
  reset(): void;
} {
  let held = new Uint8Array(0);
  return {
    push(chunk) {
      const bytes = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const { results, consumed } = scanFrames(bytes);
      held = new Uint8Array(bytes.subarray(consumed));
      return results;
    },
    get pending() {
      return held.length;
    },
    reset() {
      held = new Uint8Array(0);
    },
  };
}

function scanFrames(bytes: Uint8Array): { results: CardFrameParseResult[]; consumed: number } {
  const results: CardFrameParseResult[] = [];
  let garbage = 0;
  const flushGarbage = () => {
    if (garbage > 0) results.push(err({ reason: 'garbage', length: garbage }));
    garbage = 0;
  };
  let i = 0;
  while (i < bytes.length) {
    const fits = bytes.length - i >= CARD_FRAME_LENGTH;
    const lengthByte = bytes[i + 1];
    const startsFrame =
      bytes[i] === STX && (lengthByte === undefined || lengthByte === CARD_FRAME_LENGTH);
    if (startsFrame && !fits) break; // wait for the rest
    if (!startsFrame || bytes[i + CARD_FRAME_LENGTH - 1] !== ETX) {
      garbage++;
      i++;
      continue;
    }
    flushGarbage();
    const frame = decodeSerialCardFrame(bytes.subarray(i, i + CARD_FRAME_LENGTH));
    results.push(
      frame.ok ? ok(frame.value.uid) : err({ reason: frame.error, length: CARD_FRAME_LENGTH }),
    );
    i += CARD_FRAME_LENGTH;
  }
  flushGarbage();
  return { results, consumed: i };
}

export const serialCardReaderConfigSchema = z.object({
  /** The same uid again within this many ms of its last sighting is not reported again. */
  repeatMs: repeatMsSchema,
  idleResetMs: idleResetMsSchema,
});

export type SerialCardReaderOptions = z.input<typeof serialCardReaderConfigSchema> & AdapterOptions;

/**
 * Emits one `CardEvent` per card presented. Bad frames and garbage are logged as
 * `card_reader.read_rejected` with a reason and a byte count (never the uid).
 * Throws a ZodError when the configuration is invalid (a setup error, not a runtime one).
 */
export function createSerialCardReader(
  source: ByteSource,
  options: SerialCardReaderOptions = {},
): CardReader {
  const { repeatMs, idleResetMs } = serialCardReaderConfigSchema.parse(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const listeners = listenerSet<CardEvent>(logger, 'card_reader.listener_failed');
  const isNew = repeatFilter(repeatMs);
  const parser = createCardFrameParser();
  let lastAt = 0;

  const reject = (reason: SerialCardRejectReason, length: number) =>
    logger.log('warn', 'card_reader.read_rejected', { source: 'serial', reason, length });

  const onData = (chunk: Buffer) => {
    const at = now();
    if (parser.pending > 0 && at - lastAt > idleResetMs) {
      reject('incomplete', parser.pending);
      parser.reset();
    }
    lastAt = at;
    for (const result of parser.push(chunk)) {
      if (!result.ok) reject(result.error.reason, result.error.length);
      else if (isNew(result.value, at)) listeners.emit({ uid: result.value, at });
    }
  };

  const onError = (error: Error) => {
    logger.log('error', 'card_reader.device_error', { source: 'serial', error: error.message });
    parser.reset();
  };

  const close = attach(source, onData, onError, () => closeByteSource(source));
  return {
    onCard: listeners.add,
    async close() {
      listeners.clear();
      await close();
    },
  };
}
