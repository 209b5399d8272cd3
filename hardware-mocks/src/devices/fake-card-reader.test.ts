import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import type { CardEvent } from '../../../locker-controller/src/devices/index.ts';
import { createFakeCardReader, encodeBootKeyboardReports } from './fake-card-reader.ts';

describe('encodeBootKeyboardReports', () => {
  test('key down and key up per character, then Enter', () => {
    const reports = encodeBootKeyboardReports('1a');
    assert.deepEqual(
      reports.map((r) => r.toString('hex')),
      [
        '00001e0000000000',
        '0000000000000000',
        '0000040000000000',
        '0000000000000000',
        '0000280000000000',
        '0000000000000000',
      ],
    );
  });

  test('only digits and letters can be typed', () => {
    assert.throws(() => encodeBootKeyboardReports('1-2'), RangeError);
  });
});

describe('createFakeCardReader', () => {
  test('a tap arrives once, uppercase', () => {
    const logger = memoryLogger();
    let clock = 0;
    const fake = createFakeCardReader({ logger, now: () => clock });
    const cards: CardEvent[] = [];
    fake.reader.onCard((e) => cards.push(e));
    fake.tap('04a1b2c3');
    clock += 300;
    fake.tap('04a1b2c3'); // the card still lies on the reader
    assert.deepEqual(cards, [{ uid: '04A1B2C3', at: 0 }]);
    assert.deepEqual(logger.entries, []);
  });

  test('a uid with a letter beyond f is rejected by the real decoder', () => {
    const logger = memoryLogger();
    const fake = createFakeCardReader({ logger });
    const cards: CardEvent[] = [];
    fake.reader.onCard((e) => cards.push(e));
    fake.tap('12g4');
    assert.deepEqual(cards, []);
    assert.deepEqual(
      logger.entries.map((e) => e.fields.reason),
      ['key'],
    );
  });
});
