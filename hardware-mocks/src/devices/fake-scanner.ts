import {
  createHidPosScanner,
  HID_POS_DATA_OFFSET,
  HID_POS_MAX_CHUNK,
  HID_POS_MORE_INDEX,
  HID_POS_REPORT_ID,
  HID_POS_REPORT_SIZE,
  type HidPosScannerOptions,
  type Scanner,
} from '../../../locker-controller/src/devices/index.ts';
import { FakeHidDevice } from './fake-hid-device.ts';

/**
 * The HID-POS reports a scanner sends for one scan: 64-byte reports of up to 56 data bytes,
 * every one but the last flagged "more data follows". `symbology` is a 3-character AIM id,
 * or '' for a scanner that sends none (zeros).
 */
export function encodeHidPosReports(text: string, symbology: string): Buffer[] {
  const id = Buffer.from(symbology, 'latin1');
  if (id.length !== 0 && id.length !== 3) throw new RangeError('symbology must have 3 characters');
  const data = Buffer.from(text, 'utf8');
  const reports: Buffer[] = [];
  for (let start = 0; start === 0 || start < data.length; start += HID_POS_MAX_CHUNK) {
    const chunk = data.subarray(start, start + HID_POS_MAX_CHUNK);
    const report = Buffer.alloc(HID_POS_REPORT_SIZE);
    report[0] = HID_POS_REPORT_ID;
    report[1] = chunk.length;
    id.copy(report, 2);
    chunk.copy(report, HID_POS_DATA_OFFSET);
    report[HID_POS_MORE_INDEX] = start + HID_POS_MAX_CHUNK < data.length ? 1 : 0;
    reports.push(report);
  }
  return reports;
}

export interface FakeScanner {
  scanner: Scanner;
  device: FakeHidDevice;
  /** Sends the reports of one scan; the real HID-POS decoder turns them into a scan event. */
  scan(text: string, symbology?: string): void;
}

export function createFakeScanner(options: HidPosScannerOptions = {}): FakeScanner {
  const device = new FakeHidDevice();
  const scanner = createHidPosScanner(device, options);
  return {
    scanner,
    device,
    scan(text, symbology = ']Q1') {
      for (const report of encodeHidPosReports(text, symbology)) device.emitReport(report);
    },
  };
}
