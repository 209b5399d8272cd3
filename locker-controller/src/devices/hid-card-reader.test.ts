import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import {
  createHidCardReader,
  type HidCardReaderOptions,
  keyToHexChar,
  newKeys,
} from './hid-card-reader.ts';
import type { CardEvent, HidDevice } from './types.ts';

const ENTER = 0x28;
const UP = [0, 0, 0, 0, 0, 0, 0, 0];

/** Boot-keyboard report: modifiers, reserved, up to six keys. */
const keys = (...usages: number[]) => [0, 0, ...usages, ...Array(6 - usages.length).fill(0)];

/** Usage ids of '0'–'9' and 'a'–'f', written out so the test does not share the decoder's math. */
const USAGE: Record<string, number> = {
  '1': 0x1e,
  '2': 0x1f,
  '3': 0x20,
  '4': 0x21,
  '5': 0x22,
  '6': 0x23,
  '7': 0x24,
  '8': 0x25,
  '9': 0x26,
  '0': 0x27,
  a: 0x04,
  b: 0x05,
  c: 0x06,
  d: 0x07,
  e: 0x08,
  f: 0x09,
};

/** Key down and key up per character, then Enter. */
function typed(text: string): number[][] {
  return [...[...text].map((c) => USAGE[c] ?? 0x2c), ENTER].flatMap((u) => [keys(u), UP]);
}

class Device extends EventEmitter implements HidDevice {
  closed = false;
  async close() {
    this.closed = true;
  }
}

function setup(options: HidCardReaderOptions = {}) {
  const device = new Device();
  const logger = memoryLogger();
  let clock = 20_000;
  const reader = createHidCardReader(device, { ...options, logger, now: () => clock });
  const cards: CardEvent[] = [];
  reader.onCard((e) => cards.push(e));
  return {
    device,
    logger,
    reader,
    cards,
    uids: () => cards.map((e) => e.uid),
    send: (...reports: number[][]) => {
      for (const r of reports) device.emit('data', Buffer.from(r));
    },
    advance: (ms: number) => {
      clock += ms;
    },
    fields: () => logger.entries.map((e) => e.fields),
  };
}

describe('boot keyboard decoding', () => {
  test('usage ids to hex characters', () => {
    const expected = '1234567890ABCDEF';
    const usages = [0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 4, 5, 6, 7, 8, 9];
    assert.equal(usages.map((u) => keyToHexChar(u)).join(''), expected);
    for (const other of [0, 1, 0x0a, 0x1d, 0x28, 0x2c, 0x59, 0xe1]) {
      assert.equal(keyToHexChar(other), undefined);
    }
  });

  test('new keys are those not pressed in the previous report, in order', () => {
    assert.deepEqual(newKeys(new Uint8Array(keys(0x1e, 0x1f)), new Set()), [0x1e, 0x1f]);
    assert.deepEqual(newKeys(new Uint8Array(keys(0x1e, 0x1f)), new Set([0x1e])), [0x1f]);
    assert.deepEqual(newKeys(new Uint8Array(UP), new Set([0x1e])), []);
  });
});

describe('createHidCardReader', () => {
  test('a typed uid and Enter become one card event, uppercase', () => {
    const s = setup();
    s.send(...typed('04a1b2c3d4e5f6'));
    assert.deepEqual(s.cards, [{ uid: '04A1B2C3D4E5F6', at: 20_000 }]);
    assert.deepEqual(s.logger.entries, []);
  });

  test('decimal readers: digits only', () => {
    const s = setup();
    s.send(...typed('0012345678'));
    assert.deepEqual(s.uids(), ['0012345678']);
  });

  test('a key held over several reports counts once; the same key after key-up counts again', () => {
    const s = setup();
    s.send(keys(0x1e), keys(0x1e), keys(0x1e), UP, keys(0x1e), UP, keys(ENTER), UP);
    assert.deepEqual(s.uids(), ['11']);
  });

  test('rollover without key-up: keys count as they appear', () => {
    const s = setup();
    // 1 down; 2 down while 1 held; 1 up; 3 down while 2 held; Enter.
    s.send(keys(0x1e), keys(0x1e, 0x1f), keys(0x1f), keys(0x1f, 0x20), keys(0x20, ENTER), UP);
    assert.deepEqual(s.uids(), ['123']);
  });

  test('two new keys in one report count in report order', () => {
    const s = setup();
    s.send(keys(0x20, 0x1e), UP, keys(ENTER));
    assert.deepEqual(s.uids(), ['31']);
  });

  test('modifiers and the reserved byte are ignored', () => {
    const s = setup();
    const shiftA = keys(0x04);
    shiftA[0] = 0x02;
    shiftA[1] = 0xff;
    s.send(shiftA, UP, keys(ENTER));
    assert.deepEqual(s.uids(), ['A']);
  });

  const secret = '5ec0de';
  test('another key rejects the uid: nothing emitted, reason logged, no uid', () => {
    const s = setup();
    s.send(...typed(`${secret}x`)); // 'x' is typed as space (0x2c)
    s.send(...typed('abc'));
    assert.deepEqual(s.uids(), ['ABC']);
    assert.deepEqual(s.fields(), [{ source: 'hid', reason: 'key', length: 7 }]);
    assert.ok(!JSON.stringify(s.logger.entries).toUpperCase().includes(secret.toUpperCase()));
  });

  test('a uid of 32 characters is accepted, 33 rejected', () => {
    const s = setup();
    s.send(...typed('1'.repeat(32)));
    s.send(...typed('2'.repeat(33)));
    assert.deepEqual(s.uids(), ['1'.repeat(32)]);
    assert.deepEqual(s.logger.entries, [
      {
        level: 'warn',
        event: 'card_reader.read_rejected',
        fields: { source: 'hid', reason: 'too-long', length: 33 },
      },
    ]);
  });

  test('Enter alone is an empty uid', () => {
    const s = setup();
    s.send(keys(ENTER), UP);
    assert.deepEqual(s.cards, []);
    assert.deepEqual(s.fields(), [{ source: 'hid', reason: 'empty', length: 0 }]);
  });

  test('a report that is not 8 bytes discards the uid being typed', () => {
    const s = setup();
    s.send(keys(0x1e), UP, [1, 0, 0, 0x1f, 0, 0, 0, 0, 0], keys(0x20), UP, keys(ENTER));
    assert.deepEqual(s.uids(), ['3']);
    assert.deepEqual(s.fields(), [{ source: 'hid', reason: 'report-length', length: 9 }]);
  });

  test('a uid whose Enter never came is dropped when the next key is late', () => {
    const s = setup();
    s.send(keys(0x1e), UP, keys(0x1f), UP);
    s.advance(5_000);
    s.send(...typed('abc'));
    assert.deepEqual(s.uids(), ['ABC']);
    assert.deepEqual(s.fields(), [{ source: 'hid', reason: 'incomplete', length: 2 }]);
  });

  test('debounce: repeats while the card lies on the reader are reported once', () => {
    const s = setup();
    for (let i = 0; i < 5; i++) {
      s.send(...typed('abcd'));
      s.advance(1_000);
    }
    assert.deepEqual(s.uids(), ['ABCD']);
    s.advance(1_500);
    s.send(...typed('abcd'));
    s.send(...typed('1234'));
    assert.deepEqual(s.uids(), ['ABCD', 'ABCD', '1234']);
  });

  test('a device error is logged and resets; close closes the device', async () => {
    const s = setup();
    s.send(keys(0x1e));
    s.device.emit('error', new Error('could not read from HID device'));
    s.send(keys(0x1f), UP, keys(ENTER), UP);
    assert.deepEqual(s.uids(), ['2']);
    assert.equal(s.logger.entries[0]?.event, 'card_reader.device_error');
    await s.reader.close();
    assert.equal(s.device.closed, true);
    assert.equal(s.device.listenerCount('data'), 0);
  });
});
