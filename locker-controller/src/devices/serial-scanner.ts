/**
 * Barcode / QR scanner in USB-serial (CDC) mode: each scan is a line of bytes ended by the
 * scanner's configured suffix, optionally preceded by the 3-byte AIM symbology identifier.
 * Bytes arrive in arbitrary chunks: a scan may span chunks and a chunk may hold several scans.
 */

import { silentLogger } from '@amtomat/basics';
import { z } from 'zod';
import {
  type AdapterOptions,
  aimId,
  attach,
  closeByteSource,
  decodeScanText,
  idleResetMsSchema,
  listenerSet,
  type TextRejectReason,
} from './shared.ts';
import type { ByteSource, ScanEvent, Scanner } from './types.ts';

const CR = 0x0d;
const LF = 0x0a;
const AIM_LENGTH = 3;

/** Why a line is discarded instead of emitted (logged as `reason`). */
export type SerialScanRejectReason =
  | TextRejectReason
  | 'too-long'
  | 'empty'
  | 'symbology'
  | 'terminator'
  | 'incomplete';

export const serialScannerConfigSchema = z.object({
  /** The scanner's configured suffix; unset: CR or LF ends a scan (a CR LF pair makes one). */
  suffix: z.enum(['cr', 'lf', 'crlf']).optional(),
  /** The scanner is configured to transmit the AIM identifier before the data. */
  aimPrefix: z.boolean().default(false),
  /** Bytes of scanned text, without AIM identifier and suffix. */
  maxLength: z.int().min(1).max(1_048_576).default(4096),
  idleResetMs: idleResetMsSchema,
});

export type SerialScannerOptions = z.input<typeof serialScannerConfigSchema> & AdapterOptions;
type SerialScannerConfig = z.output<typeof serialScannerConfigSchema>;

/**
 * Emits one `ScanEvent` per line. Empty lines are ignored; other bad lines are logged as
 * `scanner.scan_rejected` with a reason and a byte count (never the content). A line over
 * the limit is dropped up to the next terminator without keeping its bytes.
 * Throws a ZodError when the configuration is invalid (a setup error, not a runtime one).
 */
export function createSerialScanner(
  source: ByteSource,
  options: SerialScannerOptions = {},
): Scanner {
  const config = serialScannerConfigSchema.parse(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const listeners = listenerSet<ScanEvent>(logger, 'scanner.listener_failed');
  const isEnd = terminatorTest(config.suffix);
  // Room for the text plus what surrounds it on the line.
  const limit =
    config.maxLength + (config.aimPrefix ? AIM_LENGTH : 0) + (config.suffix === 'crlf' ? 1 : 0);
  const line = new Uint8Array(limit);
  let length = 0; // bytes seen on the current line, possibly more than kept
  let lastAt = 0;

  const reject = (reason: SerialScanRejectReason, lineLength: number) =>
    logger.log('warn', 'scanner.scan_rejected', { source: 'serial', reason, length: lineLength });

  const onData = (chunk: Buffer) => {
    const at = now();
    if (length > 0 && at - lastAt > config.idleResetMs) {
      reject('incomplete', length);
      length = 0;
    }
    lastAt = at;
    for (const byte of chunk) {
      if (isEnd(byte)) {
        const scan = parseLine(line.subarray(0, Math.min(length, limit)), length, config);
        length = 0;
        if (scan === undefined) continue;
        if (scan.ok) listeners.emit({ ...scan.value, at });
        else reject(scan.error, scan.length);
        continue;
      }
      if (length < limit) line[length] = byte;
      length++;
    }
  };

  const onError = (error: Error) => {
    logger.log('error', 'scanner.device_error', { source: 'serial', error: error.message });
    length = 0;
  };

  const close = attach(source, onData, onError, () => closeByteSource(source));
  return {
    onScan: listeners.add,
    async close() {
      listeners.clear();
      await close();
    },
  };
}

function terminatorTest(suffix: SerialScannerConfig['suffix']): (byte: number) => boolean {
  if (suffix === 'cr') return (byte) => byte === CR;
  if (suffix === undefined) return (byte) => byte === CR || byte === LF;
  return (byte) => byte === LF; // 'lf', and 'crlf' whose CR is checked in parseLine
}

type LineResult =
  | { ok: true; value: { text: string; symbology: string } }
  | { ok: false; error: SerialScanRejectReason; length: number };

/** One line without its terminator; `seen` may exceed `kept.length` for an overlong line. */
function parseLine(
  kept: Uint8Array,
  seen: number,
  config: SerialScannerConfig,
): LineResult | undefined {
  const fail = (error: SerialScanRejectReason): LineResult => ({ ok: false, error, length: seen });
  if (seen > kept.length) return fail('too-long');
  let bytes = kept;
  if (config.suffix === 'crlf') {
    if (bytes.length === 0) return undefined;
    if (bytes[bytes.length - 1] !== CR) return fail('terminator');
    bytes = bytes.subarray(0, -1);
  }
  if (bytes.length === 0) return undefined; // empty line: the LF of a CR LF pair, or noise
  let symbology = '';
  if (config.aimPrefix) {
    const id = aimId(bytes.subarray(0, AIM_LENGTH));
    if (id === undefined) return fail('symbology');
    symbology = id;
    bytes = bytes.subarray(AIM_LENGTH);
    if (bytes.length === 0) return fail('empty');
  }
  const text = decodeScanText(bytes);
  return text.ok ? { ok: true, value: { text: text.value, symbology } } : fail(text.error);
}
