import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { createHidPosScanner, decodeHidPosReport } from './hid-pos-scanner.ts';
import type { HidDevice, ScanEvent } from './types.ts';

/** A 64-byte HID-POS report built by hand, so the decoder is checked against the layout. */
function report(
  data: Uint8Array | string,
  opts: { id?: number; length?: number; symbology?: string; more?: boolean; size?: number } = {},
): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  const out = Buffer.alloc(opts.size ?? 64);
  out[0] = opts.id ?? 2;
  out[1] = opts.length ?? bytes.length;
  Buffer.from(opts.symbology ?? ']Q1', 'latin1').copy(out, 2);
  bytes.copy(out, 5);
  if (out.length > 63) out[63] = opts.more ? 1 : 0;
  return out;
}

class Device extends EventEmitter implements HidDevice {
  closed = false;
  async close() {
    this.closed = true;
  }
}

function setup(options: { maxLength?: number } = {}) {
  const device = new Device();
  const logger = memoryLogger();
  let clock = 1_000;
  const scanner = createHidPosScanner(device, { ...options, logger, now: () => clock });
  const scans: ScanEvent[] = [];
  scanner.onScan((e) => scans.push(e));
  return {
    device,
    logger,
    scanner,
    scans,
    send: (...reports: Buffer[]) => {
      for (const r of reports) device.emit('data', r);
    },
    advance: (ms: number) => {
      clock += ms;
    },
    reasons: () => logger.entries.map((e) => e.fields.reason),
  };
}

describe('decodeHidPosReport', () => {
  test('decodes a QR report byte-exact', () => {
    const bytes = new Uint8Array(64);
    bytes.set([0x02, 0x05, 0x5d, 0x51, 0x31, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    const result = decodeHidPosReport(bytes);
    assert.deepEqual(result, {
      ok: true,
      value: {
        symbology: ']Q1',
        data: new Uint8Array([0x48, 0x65, 0x6c, 0x6c, 0x6f]),
        more: false,
      },
    });
  });

  test('reads the continuation flag from bit 0 of byte 63 only', () => {
    const moreOf = (r: Buffer) => {
      const result = decodeHidPosReport(r);
      return result.ok ? result.value.more : undefined;
    };
    assert.equal(moreOf(report('abc', { more: true })), true);
    const other = report('abc');
    other[63] = 0x02; // another bit: no continuation
    assert.equal(moreOf(other), false);
    other[63] = 0x03;
    assert.equal(moreOf(other), true);
  });

  test('a report shorter than 64 bytes has no continuation', () => {
    const result = decodeHidPosReport(report('abc', { size: 8 }));
    assert.ok(result.ok);
    assert.equal(result.value.more, false);
    assert.deepEqual(result.value.data, new Uint8Array([0x61, 0x62, 0x63]));
  });

  test('symbology: EAN-13, Code 128, and none (zeros)', () => {
    const ean = decodeHidPosReport(report('4006381333931', { symbology: ']E0' }));
    assert.ok(ean.ok);
    assert.equal(ean.value.symbology, ']E0');
    const code128 = decodeHidPosReport(report('X', { symbology: ']C0' }));
    assert.ok(code128.ok);
    assert.equal(code128.value.symbology, ']C0');
    const none = decodeHidPosReport(report('X', { symbology: '\0\0\0' }));
    assert.ok(none.ok);
    assert.equal(none.value.symbology, '');
  });

  test('a full chunk of 56 bytes', () => {
    const data = Buffer.alloc(56, 0x41);
    const result = decodeHidPosReport(report(data));
    assert.ok(result.ok);
    assert.deepEqual(result.value.data, new Uint8Array(data));
  });

  test('data is a copy, not a view of the report', () => {
    const r = report('abc');
    const result = decodeHidPosReport(r);
    r[5] = 0x7a;
    assert.ok(result.ok);
    assert.equal(result.value.data[0], 0x61);
  });

  test('rejects a wrong report id, a length byte over 56 and truncated reports', () => {
    assert.deepEqual(decodeHidPosReport(report('abc', { id: 1 })), {
      ok: false,
      error: 'report-id',
    });
    assert.deepEqual(decodeHidPosReport(report('abc', { length: 57 })), {
      ok: false,
      error: 'length-byte',
    });
    assert.deepEqual(decodeHidPosReport(report('abc', { length: 10, size: 14 })), {
      ok: false,
      error: 'truncated',
    });
    assert.deepEqual(decodeHidPosReport(new Uint8Array([2])), { ok: false, error: 'truncated' });
    assert.deepEqual(decodeHidPosReport(new Uint8Array(0)), { ok: false, error: 'truncated' });
  });
});

describe('createHidPosScanner', () => {
  test('emits one scan per report with text, symbology and time', () => {
    const s = setup();
    s.send(report('ABHOLUNG-4711', { symbology: ']Q1' }));
    assert.deepEqual(s.scans, [{ text: 'ABHOLUNG-4711', symbology: ']Q1', at: 1_000 }]);
    assert.deepEqual(s.logger.entries, []);
  });

  test('assembles continued reports, also across a multi-byte character', () => {
    const s = setup();
    // 'ä' is 2 bytes in UTF-8: 55 'x' + 'ä' puts its bytes in two reports.
    const text = `${'x'.repeat(55)}ä${'y'.repeat(60)}`;
    const bytes = Buffer.from(text, 'utf8');
    s.send(
      report(bytes.subarray(0, 56), { more: true }),
      report(bytes.subarray(56, 112), { more: true }),
      report(bytes.subarray(112)),
    );
    assert.equal(s.scans.length, 1);
    assert.equal(s.scans[0]?.text, text);
  });

  test('tab is allowed', () => {
    const s = setup();
    s.send(report('a\tb'));
    assert.equal(s.scans[0]?.text, 'a\tb');
  });

  const secret = 'SECRET-CODE';
  const rejections: [string, () => Buffer[], string][] = [
    ['wrong report id', () => [report(secret, { id: 3 })], 'report-id'],
    ['length byte over 56', () => [report(secret, { length: 60 })], 'length-byte'],
    ['report shorter than claimed', () => [report(secret, { length: 20, size: 16 })], 'truncated'],
    ['empty scan', () => [report('')], 'empty'],
    ['control character', () => [report(`${secret}\x1b[2J`)], 'control-character'],
    ['C1 control character', () => [report(`${secret}\u0085`)], 'control-character'],
    ['NUL inside the data', () => [report(`${secret}\0`)], 'control-character'],
    ['invalid UTF-8', () => [report(Buffer.from([0x53, 0xff, 0xfe]))], 'encoding'],
  ];
  for (const [name, reports, reason] of rejections) {
    test(`rejects ${name}: nothing emitted, reason logged, no content`, () => {
      const s = setup();
      s.send(...reports());
      assert.deepEqual(s.scans, []);
      assert.deepEqual(s.reasons(), [reason]);
      assert.equal(s.logger.entries[0]?.event, 'scanner.scan_rejected');
      assert.equal(s.logger.entries[0]?.level, 'warn');
      assert.ok(!JSON.stringify(s.logger.entries).includes(secret));
    });
  }

  test('rejects a scan over maxLength (total over all reports) and logs its length', () => {
    const s = setup({ maxLength: 100 });
    const bytes = Buffer.alloc(112, 0x41);
    s.send(report(bytes.subarray(0, 56), { more: true }), report(bytes.subarray(56)));
    assert.equal(s.scans.length, 0);
    assert.deepEqual(s.logger.entries, [
      {
        level: 'warn',
        event: 'scanner.scan_rejected',
        fields: { source: 'hid-pos', reason: 'too-long', length: 112, symbology: ']Q1' },
      },
    ]);
    s.send(report('next'));
    assert.equal(s.scans[0]?.text, 'next');
  });

  test('exactly maxLength is accepted', () => {
    const s = setup({ maxLength: 56 });
    s.send(report(Buffer.alloc(56, 0x42)));
    assert.equal(s.scans[0]?.text.length, 56);
  });

  test('a malformed report in the middle of a continued scan discards that scan', () => {
    const s = setup();
    s.send(
      report('first part ', { more: true }),
      report('broken', { id: 5 }),
      report('last part'), // belongs to the discarded scan, but looks like a whole one
      report('whole'),
    );
    assert.deepEqual(
      s.scans.map((e) => e.text),
      ['last part', 'whole'],
    );
    assert.deepEqual(s.logger.entries[0]?.fields, {
      source: 'hid-pos',
      reason: 'report-id',
      length: 64,
      discarded: 11,
    });
  });

  test('a continued scan whose end never comes is dropped when the next report is late', () => {
    const s = setup();
    s.send(report('orphan', { more: true }));
    s.advance(5_000);
    s.send(report('fresh'));
    assert.deepEqual(
      s.scans.map((e) => e.text),
      ['fresh'],
    );
    assert.deepEqual(s.reasons(), ['incomplete']);
  });

  test('a change of symbology mid-scan starts a new scan', () => {
    const s = setup();
    s.send(
      report('orphan', { more: true, symbology: ']Q1' }),
      report('4006381333931', { symbology: ']E0' }),
    );
    assert.deepEqual(s.scans, [{ text: '4006381333931', symbology: ']E0', at: 1_000 }]);
    assert.deepEqual(s.reasons(), ['incomplete']);
  });

  test('a device error is logged and drops the partial scan', () => {
    const s = setup();
    s.send(report('part', { more: true }));
    s.device.emit('error', new Error('could not read from HID device'));
    s.send(report('new'));
    assert.deepEqual(
      s.scans.map((e) => e.text),
      ['new'],
    );
    assert.equal(s.logger.entries[0]?.event, 'scanner.device_error');
  });

  test('unsubscribe, throwing listeners, close', async () => {
    const s = setup();
    const seen: string[] = [];
    s.scanner.onScan(() => {
      throw new Error('listener bug SECRET');
    });
    const off = s.scanner.onScan((e) => seen.push(e.text));
    s.send(report('one'));
    off();
    s.send(report('two'));
    assert.deepEqual(seen, ['one']);
    assert.equal(s.scans.length, 2);
    assert.deepEqual(s.reasons(), ['listener-threw', 'listener-threw']);
    assert.ok(!JSON.stringify(s.logger.entries).includes('SECRET'));

    await s.scanner.close();
    await s.scanner.close();
    assert.equal(s.device.closed, true);
    assert.equal(s.device.listenerCount('data'), 0);
    assert.equal(s.device.listenerCount('error'), 0);
  });

  test('invalid configuration throws at construction', () => {
    assert.throws(() => createHidPosScanner(new Device(), { maxLength: 0 }));
    assert.throws(() => createHidPosScanner(new Device(), { maxLength: 1.5 }));
  });
});
