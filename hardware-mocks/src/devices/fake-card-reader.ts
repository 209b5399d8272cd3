import {
  BOOT_KEYBOARD_REPORT_SIZE,
  type CardReader,
  createHidCardReader,
  type HidCardReaderOptions,
  KEY_ENTER,
} from '../../../locker-controller/src/devices/index.ts';
import { FakeHidDevice } from './fake-hid-device.ts';

/** Usage id of a digit or letter (letters beyond a–f let tests type invalid uids). */
function usageOf(char: string): number {
  const lower = char.toLowerCase();
  if (lower >= '1' && lower <= '9') return 0x1e + Number(lower) - 1;
  if (lower === '0') return 0x27;
  if (lower >= 'a' && lower <= 'z') return 0x04 + lower.charCodeAt(0) - 0x61;
  throw new RangeError('the fake reader types only digits and letters');
}

function keyReport(usage: number): Buffer {
  const report = Buffer.alloc(BOOT_KEYBOARD_REPORT_SIZE);
  report[2] = usage;
  return report;
}

/** Boot-keyboard reports typing `text` and Enter: key down, then key up (zeros), per key. */
export function encodeBootKeyboardReports(text: string): Buffer[] {
  const usages = [...text].map(usageOf);
  return [...usages, KEY_ENTER].flatMap((usage) => [
    keyReport(usage),
    Buffer.alloc(BOOT_KEYBOARD_REPORT_SIZE),
  ]);
}

export interface FakeCardReader {
  reader: CardReader;
  device: FakeHidDevice;
  /** Presents a card: the reader types `uid` and Enter through the real report decoder. */
  tap(uid: string): void;
}

export function createFakeCardReader(options: HidCardReaderOptions = {}): FakeCardReader {
  const device = new FakeHidDevice();
  const reader = createHidCardReader(device, options);
  return {
    reader,
    device,
    tap(uid) {
      for (const report of encodeBootKeyboardReports(uid)) device.emitReport(report);
    },
  };
}
