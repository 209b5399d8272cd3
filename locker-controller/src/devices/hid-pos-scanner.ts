/**
 * Barcode / QR scanner in HID-POS mode (USB HID usage page 0x8C), read as raw input reports.
 *
 * Report layout (64 bytes), as node-hid delivers it on Linux/hidraw, where the report id of
 * a numbered report is byte 0. We are strict: a report without the id byte is rejected.
 *   byte 0      report id, 2
 *   byte 1      number of data bytes in this report, 0–56
 *   bytes 2–4   AIM symbology identifier, e.g. `]Q1` QR, `]E0` EAN-13, `]C0` Code 128
 *   bytes 5–60  data, zero padded
 *   byte 63     bit 0: more data follows in the next report (continuation)
 * A report shorter than 64 bytes has no byte 63 and so never announces a continuation.
 */

import { err, type Logger, ok, type Result, silentLogger } from '@amtomat/basics';
import { z } from 'zod';
import {
  type AdapterOptions,
  aimId,
  attach,
  decodeScanText,
  idleResetMsSchema,
  listenerSet,
  type TextRejectReason,
} from './shared.ts';
import type { HidDevice, ScanEvent, Scanner } from './types.ts';

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_REPORT_ID = 2;
export const HID_POS_REPORT_SIZE = 64;
export const HID_POS_MAX_CHUNK = 56;
export const HID_POS_DATA_OFFSET = 5;
export const HID_POS_MORE_INDEX = 63;

/** Why one report cannot be decoded. */
export type HidPosReportRejectReason = 'report-id' | 'length-byte' | 'truncated';

/** Why a scan is discarded instead of emitted (logged as `reason`). */
export type HidPosScanRejectReason =
  | HidPosReportRejectReason
  | TextRejectReason
  | 'empty'
  | 'too-long'
  | 'incomplete';

export interface HidPosChunk {
  /** '' when the three bytes are not an AIM identifier (e.g. zeros: the scanner sends none). */
  symbology: string;
  data: Uint8Array;
  more: boolean;
}

export function decodeHidPosReport(
  report: Uint8Array,
): Result<HidPosChunk, HidPosReportRejectReason> {
  if (report.length < 2) return err('truncated');
  if (report[0] !== HID_POS_REPORT_ID) return err('report-id');
  const length = report[1] ?? 0;
  if (length > HID_POS_MAX_CHUNK) return err('length-byte');
  if (report.length < HID_POS_DATA_OFFSET + length) return err('truncated');
  return ok({
    symbology: aimId(report.subarray(2, HID_POS_DATA_OFFSET)) ?? '',
    // A copy: the caller's buffer may be reused for the next report.
    data: new Uint8Array(report.subarray(HID_POS_DATA_OFFSET, HID_POS_DATA_OFFSET + length)),
    more: ((report[HID_POS_MORE_INDEX] ?? 0) & 1) === 1,
  });
}

export const hidPosScannerConfigSchema = z.object({
  /** Total data bytes of one scan, over all continued reports. */
  maxLength: z.int().min(1).max(1_048_576).default(4096),
  idleResetMs: idleResetMsSchema,
});

export type HidPosScannerOptions = z.input<typeof hidPosScannerConfigSchema> & AdapterOptions;

/** A scan being assembled from continued reports. */
interface PendingScan {
  symbology: string;
  chunks: Uint8Array[];
  length: number;
  lastAt: number;
}

/**
 * Emits one `ScanEvent` per complete scan. Malformed input is never emitted: it is logged
 * as `scanner.scan_rejected` with a reason and a byte count (never the content). A bad report
 * in the middle of a continued scan discards that scan.
 * Throws a ZodError when the configuration is invalid (a setup error, not a runtime one).
 */
export function createHidPosScanner(
  device: HidDevice,
  options: HidPosScannerOptions = {},
): Scanner {
  const { maxLength, idleResetMs } = hidPosScannerConfigSchema.parse(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const listeners = listenerSet<ScanEvent>(logger, 'scanner.listener_failed');
  const reject = rejecter(logger);
  let pending: PendingScan | undefined;

  const onReport = (report: Buffer) => {
    const at = now();
    if (pending && at - pending.lastAt > idleResetMs) pending = dropPending(pending, reject);
    const decoded = decodeHidPosReport(report);
    if (!decoded.ok) {
      // `length` is the report's size; `discarded` the bytes of a scan this report broke.
      const discarded = pending ? { discarded: pending.length } : {};
      reject(decoded.error, { length: report.length, ...discarded });
      pending = undefined;
      return;
    }
    const chunk = decoded.value;
    // Another symbology means the end of the pending scan was lost: this report starts anew.
    if (pending && pending.symbology !== chunk.symbology) pending = dropPending(pending, reject);
    const scan = pending ?? { symbology: chunk.symbology, chunks: [], length: 0, lastAt: at };
    scan.length += chunk.data.length;
    scan.lastAt = at;
    if (scan.length <= maxLength) scan.chunks.push(chunk.data);
    else scan.chunks = []; // over the limit: keep counting, stop keeping
    pending = chunk.more ? scan : undefined;
    if (!chunk.more) finish(scan, at);
  };

  const finish = (scan: PendingScan, at: number) => {
    const fields = { length: scan.length, symbology: scan.symbology };
    if (scan.length > maxLength) return reject('too-long', fields);
    if (scan.length === 0) return reject('empty', fields);
    const text = decodeScanText(Buffer.concat(scan.chunks));
    if (!text.ok) return reject(text.error, fields);
    listeners.emit({ text: text.value, symbology: scan.symbology, at });
  };

  const onError = (error: Error) => {
    logger.log('error', 'scanner.device_error', { source: 'hid-pos', error: error.message });
    pending = undefined;
  };

  const close = attach(device, onReport, onError, () => device.close());
  return {
    onScan: listeners.add,
    async close() {
      listeners.clear();
      pending = undefined;
      await close();
    },
  };
}

type Reject = (
  reason: HidPosScanRejectReason,
  fields: { length: number; symbology?: string; discarded?: number },
) => void;

function rejecter(logger: Logger): Reject {
  return (reason, fields) =>
    logger.log('warn', 'scanner.scan_rejected', { source: 'hid-pos', reason, ...fields });
}

function dropPending(scan: PendingScan, reject: Reject): undefined {
  reject('incomplete', { length: scan.length, symbology: scan.symbology });
  return undefined;
}
