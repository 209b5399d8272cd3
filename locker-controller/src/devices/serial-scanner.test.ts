import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { SerialPort } from 'serialport';
import { openPtyPair } from '../../../hardware-mocks/src/pty/pty-pair.ts';
import { createSerialScanner, type SerialScannerOptions } from './serial-scanner.ts';
import type { ByteSource, ScanEvent } from './types.ts';

class Source extends EventEmitter implements ByteSource {
  closed = false;
  close(callback?: (error: Error | null) => void) {
    this.closed = true;
    callback?.(null);
  }
}

function setup(options: SerialScannerOptions = {}) {
  const source = new Source();
  const logger = memoryLogger();
  let clock = 5_000;
  const scanner = createSerialScanner(source, { ...options, logger, now: () => clock });
  const scans: ScanEvent[] = [];
  scanner.onScan((e) => scans.push(e));
  return {
    source,
    logger,
    scanner,
    scans,
    texts: () => scans.map((e) => e.text),
    send: (...chunks: (string | Buffer)[]) => {
      for (const c of chunks) source.emit('data', typeof c === 'string' ? Buffer.from(c) : c);
    },
    advance: (ms: number) => {
      clock += ms;
    },
    reasons: () => logger.entries.map((e) => e.fields.reason),
  };
}

describe('createSerialScanner', () => {
  test('a line ended by CR becomes a scan with unknown symbology', () => {
    const s = setup();
    s.send('ABHOLUNG-4711\r');
    assert.deepEqual(s.scans, [{ text: 'ABHOLUNG-4711', symbology: '', at: 5_000 }]);
  });

  test('a scan split across chunks, several scans in one chunk', () => {
    const s = setup();
    s.send('AB', 'HOL', 'UNG\rSECOND\nTHI', 'RD\r\n');
    assert.deepEqual(s.texts(), ['ABHOLUNG', 'SECOND', 'THIRD']);
    assert.deepEqual(s.logger.entries, []);
  });

  test('default: CR LF makes one scan, empty lines are ignored without a log', () => {
    const s = setup();
    s.send('one\r\n\r\n\n\rtwo\r\n');
    assert.deepEqual(s.texts(), ['one', 'two']);
    assert.deepEqual(s.logger.entries, []);
  });

  test("suffix 'cr': LF is not a terminator, so it is a control character", () => {
    const s = setup({ suffix: 'cr' });
    s.send('ok\r', 'bad\nline\r');
    assert.deepEqual(s.texts(), ['ok']);
    assert.deepEqual(s.reasons(), ['control-character']);
  });

  test("suffix 'lf': a CR inside the line is rejected", () => {
    const s = setup({ suffix: 'lf' });
    s.send('ok\n', 'bad\r\n');
    assert.deepEqual(s.texts(), ['ok']);
    assert.deepEqual(s.reasons(), ['control-character']);
  });

  test("suffix 'crlf': CR LF ends a scan, a bare LF is a wrong terminator", () => {
    const s = setup({ suffix: 'crlf' });
    s.send('ok\r', '\n', 'bare\n', 'bare cr\r inside\r\n', 'again\r\n');
    assert.deepEqual(s.texts(), ['ok', 'again']);
    assert.deepEqual(s.reasons(), ['terminator', 'control-character']);
  });

  test('AIM prefix: symbology split off the text', () => {
    const s = setup({ aimPrefix: true });
    s.send(']E04006381333931\r', ']Q1https://example.org/a?b=1\r');
    assert.deepEqual(s.scans, [
      { text: '4006381333931', symbology: ']E0', at: 5_000 },
      { text: 'https://example.org/a?b=1', symbology: ']Q1', at: 5_000 },
    ]);
  });

  test('AIM prefix missing or alone is rejected', () => {
    const s = setup({ aimPrefix: true });
    s.send('4006381333931\r', ']Q1\r', ']E\r');
    assert.deepEqual(s.scans, []);
    assert.deepEqual(s.reasons(), ['symbology', 'empty', 'symbology']);
    assert.ok(!JSON.stringify(s.logger.entries).includes('4006381333931'));
  });

  test('a line over maxLength is discarded up to the next terminator', () => {
    const s = setup({ maxLength: 10 });
    s.send('0123456789\r', 'SECRET-', 'TOO-LONG-', 'LINE\rnext\r');
    assert.deepEqual(s.texts(), ['0123456789', 'next']);
    assert.deepEqual(s.logger.entries, [
      {
        level: 'warn',
        event: 'scanner.scan_rejected',
        fields: { source: 'serial', reason: 'too-long', length: 20 },
      },
    ]);
  });

  test('maxLength counts the text only, not the AIM id or the CR of CR LF', () => {
    const s = setup({ maxLength: 4, aimPrefix: true, suffix: 'crlf' });
    s.send(']C0abcd\r\n', ']C0abcde\r\n');
    assert.deepEqual(s.texts(), ['abcd']);
    assert.deepEqual(s.reasons(), ['too-long']);
  });

  test('control characters are rejected, tab is allowed, UTF-8 is decoded', () => {
    const s = setup();
    s.send('SECRET\x1b[0m\r', 'a\tb\r', 'Grüße\r', Buffer.from([0x53, 0xc3, 0x0d]));
    assert.deepEqual(s.texts(), ['a\tb', 'Grüße']);
    assert.deepEqual(s.reasons(), ['control-character', 'encoding']);
    assert.ok(!JSON.stringify(s.logger.entries).includes('SECRET'));
  });

  test('a multi-byte character split across chunks', () => {
    const s = setup();
    const bytes = Buffer.from('Grüße\r');
    s.send(bytes.subarray(0, 3), bytes.subarray(3));
    assert.deepEqual(s.texts(), ['Grüße']);
  });

  test('a partial line followed by a late chunk is dropped as incomplete', () => {
    const s = setup();
    s.send('torn');
    s.advance(3_000);
    s.send('fresh\r');
    assert.deepEqual(s.texts(), ['fresh']);
    assert.deepEqual(s.reasons(), ['incomplete']);
  });

  test('a source error is logged; close closes the source once', async () => {
    const s = setup();
    s.send('part');
    s.source.emit('error', new Error('read EIO'));
    s.send('new\r');
    assert.deepEqual(s.texts(), ['new']);
    assert.equal(s.logger.entries[0]?.event, 'scanner.device_error');
    await Promise.all([s.scanner.close(), s.scanner.close()]);
    assert.equal(s.source.closed, true);
    assert.equal(s.source.listenerCount('data'), 0);
  });

  test('invalid configuration throws at construction', () => {
    assert.throws(() => createSerialScanner(new Source(), { maxLength: -1 }));
    // @ts-expect-error: not a suffix
    assert.throws(() => createSerialScanner(new Source(), { suffix: 'tab' }));
  });

  test('over a real pseudo-terminal pair', async () => {
    const pty = await openPtyPair();
    const host = new SerialPort({ path: pty.hostPath, baudRate: 9600, autoOpen: false });
    const device = new SerialPort({ path: pty.devicePath, baudRate: 9600, autoOpen: false });
    const scanner = createSerialScanner(host, { aimPrefix: true, suffix: 'crlf' });
    try {
      await Promise.all([open(host), open(device)]);
      const scans: ScanEvent[] = [];
      const two = new Promise<void>((resolve) =>
        scanner.onScan((e) => {
          scans.push(e);
          if (scans.length === 2) resolve();
        }),
      );
      await write(device, ']Q1https://amt-o-mat.example/p/');
      await write(device, 'A1B2\r\n]E04006381333931\r\n');
      await two;
      assert.deepEqual(
        scans.map(({ text, symbology }) => ({ text, symbology })),
        [
          { text: 'https://amt-o-mat.example/p/A1B2', symbology: ']Q1' },
          { text: '4006381333931', symbology: ']E0' },
        ],
      );
    } finally {
      await scanner.close();
      await closePort(device);
      await pty.close();
    }
    assert.equal(host.isOpen, false);
  });
});

function open(port: SerialPort): Promise<void> {
  return new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
}

function write(port: SerialPort, text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    port.write(text, (e) => (e ? reject(e) : port.drain((d) => (d ? reject(d) : resolve())))),
  );
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}
