import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import type { ScanEvent } from '../../../locker-controller/src/devices/index.ts';
import { createFakeScanner, encodeHidPosReports } from './fake-scanner.ts';

describe('encodeHidPosReports', () => {
  test('one short scan: a single 64-byte report, byte-exact', () => {
    const [report, ...rest] = encodeHidPosReports('Hi', ']Q1');
    const expected = Buffer.alloc(64);
    expected.set([0x02, 0x02, 0x5d, 0x51, 0x31, 0x48, 0x69]);
    assert.deepEqual(report, expected);
    assert.deepEqual(rest, []);
  });

  test('150 bytes: chunks of 56, 56, 38, continuation on all but the last', () => {
    const reports = encodeHidPosReports('x'.repeat(150), ']C0');
    assert.deepEqual(
      reports.map((r) => [r.length, r[1], r[63]]),
      [
        [64, 56, 1],
        [64, 56, 1],
        [64, 38, 0],
      ],
    );
    assert.equal(reports[2]?.subarray(2, 5).toString('latin1'), ']C0');
  });

  test('exactly 56 bytes need one report; empty text one empty report', () => {
    assert.equal(encodeHidPosReports('y'.repeat(56), ']Q1').length, 1);
    const [empty] = encodeHidPosReports('', '');
    assert.deepEqual(empty, Buffer.concat([Buffer.from([2]), Buffer.alloc(63)]));
  });

  test('a symbology that is not 3 characters is refused', () => {
    assert.throws(() => encodeHidPosReports('x', ']Q'), RangeError);
  });
});

describe('createFakeScanner', () => {
  test('a scan of 150 characters arrives whole, through the real decoder', () => {
    const logger = memoryLogger();
    const fake = createFakeScanner({ logger, now: () => 42 });
    const scans: ScanEvent[] = [];
    fake.scanner.onScan((e) => scans.push(e));
    const text = `https://amt-o-mat.example/abholung?code=${'Z'.repeat(110)}`;
    assert.equal(text.length, 150);
    fake.scan(text);
    assert.deepEqual(scans, [{ text, symbology: ']Q1', at: 42 }]);
    assert.deepEqual(logger.entries, []);
  });

  test('multi-byte text and another symbology', () => {
    const fake = createFakeScanner();
    const scans: ScanEvent[] = [];
    fake.scanner.onScan((e) => scans.push(e));
    const text = 'Müller-Lüdenscheidt '.repeat(5);
    fake.scan(text, ']d2');
    assert.deepEqual(
      scans.map(({ text, symbology }) => ({ text, symbology })),
      [{ text, symbology: ']d2' }],
    );
  });

  test('close closes the fake device', async () => {
    const fake = createFakeScanner();
    await fake.scanner.close();
    assert.equal(fake.device.closed, true);
  });
});
