import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { SerialPort } from 'serialport';
import { openPtyPair } from '../../../hardware-mocks/src/pty/pty-pair.ts';
import {
  createCardFrameParser,
  createSerialCardReader,
  decodeSerialCardFrame,
  encodeSerialCardFrame,
  type SerialCardReaderOptions,
} from './serial-card-reader.ts';
import type { ByteSource, CardEvent } from './types.ts';

// Checked by hand: XOR of 0A 02 01 02 03 04 05 = 09; of 0A 02 1A 00 3F 5C E2 = 93.
const FRAME_A = Buffer.from('020a0201020304050903', 'hex');
const UID_A = '0102030405';
const FRAME_B = Buffer.from('020a021a003f5ce29303', 'hex');
const UID_B = '1A003F5CE2';

class Source extends EventEmitter implements ByteSource {
  closed = false;
  close(callback?: (error: Error | null) => void) {
    this.closed = true;
    callback?.(null);
  }
}

function setup(options: SerialCardReaderOptions = {}) {
  const source = new Source();
  const logger = memoryLogger();
  let clock = 10_000;
  const reader = createSerialCardReader(source, { ...options, logger, now: () => clock });
  const cards: CardEvent[] = [];
  reader.onCard((e) => cards.push(e));
  return {
    source,
    logger,
    reader,
    cards,
    uids: () => cards.map((e) => e.uid),
    send: (...chunks: Uint8Array[]) => {
      for (const c of chunks) source.emit('data', Buffer.from(c));
    },
    advance: (ms: number) => {
      clock += ms;
    },
    fields: () => logger.entries.map((e) => e.fields),
    assertNoUid: () => {
      const log = JSON.stringify(logger.entries);
      for (const uid of [UID_A, UID_B]) assert.ok(!log.toUpperCase().includes(uid));
    },
  };
}

describe('serial card frames', () => {
  test('encode byte-exact', () => {
    assert.deepEqual(encodeSerialCardFrame(new Uint8Array([1, 2, 3, 4, 5])), FRAME_A);
    assert.deepEqual(encodeSerialCardFrame(new Uint8Array([0x1a, 0, 0x3f, 0x5c, 0xe2])), FRAME_B);
    assert.deepEqual(
      encodeSerialCardFrame(new Uint8Array([1, 2, 3, 4, 5]), 0x01),
      Buffer.from('020a0101020304050a03', 'hex'),
    );
    assert.throws(() => encodeSerialCardFrame(new Uint8Array(4)), RangeError);
  });

  test('decode byte-exact, uppercase hex', () => {
    assert.deepEqual(decodeSerialCardFrame(FRAME_B), {
      ok: true,
      value: { uid: UID_B, cardType: 2 },
    });
  });

  test('decode rejects a bad XOR and bad framing', () => {
    const badXor = Buffer.from(FRAME_A);
    badXor[8] = 0x08;
    assert.deepEqual(decodeSerialCardFrame(badXor), { ok: false, error: 'checksum' });
    const badType = Buffer.from(FRAME_A);
    badType[2] = 0x03; // the type byte is covered by the XOR
    assert.deepEqual(decodeSerialCardFrame(badType), { ok: false, error: 'checksum' });
    for (const [index, value] of [
      [0, 0x03],
      [1, 0x0b],
      [9, 0x02],
    ] as const) {
      const bad = Buffer.from(FRAME_A);
      bad[index] = value;
      assert.deepEqual(decodeSerialCardFrame(bad), { ok: false, error: 'frame' });
    }
    assert.deepEqual(decodeSerialCardFrame(FRAME_A.subarray(0, 9)), { ok: false, error: 'frame' });
  });

  test('parser: byte by byte, and two frames in one chunk', () => {
    const parser = createCardFrameParser();
    const results = [...FRAME_A].flatMap((byte) => parser.push(new Uint8Array([byte])));
    assert.deepEqual(results, [{ ok: true, value: UID_A }]);
    assert.equal(parser.pending, 0);
    assert.deepEqual(parser.push(Buffer.concat([FRAME_A, FRAME_B])), [
      { ok: true, value: UID_A },
      { ok: true, value: UID_B },
    ]);
  });

  test('parser: resyncs after garbage that contains STX and after a torn frame', () => {
    const parser = createCardFrameParser();
    const torn = FRAME_B.subarray(0, 5);
    const input = Buffer.concat([Buffer.from([0xff, 0x02, 0x41, 0x02]), torn, FRAME_A]);
    assert.deepEqual(parser.push(input), [
      { ok: false, error: { reason: 'garbage', length: 9 } },
      { ok: true, value: UID_A },
    ]);
  });

  test('parser: holds back a partial frame, at most 9 bytes', () => {
    const parser = createCardFrameParser();
    assert.deepEqual(parser.push(FRAME_A.subarray(0, 9)), []);
    assert.equal(parser.pending, 9);
    assert.deepEqual(parser.push(FRAME_A.subarray(9)), [{ ok: true, value: UID_A }]);
    assert.deepEqual(parser.push(Buffer.from([0x41, 0x42, 0x02])), [
      { ok: false, error: { reason: 'garbage', length: 2 } },
    ]);
    assert.equal(parser.pending, 1);
  });
});

describe('createSerialCardReader', () => {
  test('a frame becomes a card event', () => {
    const s = setup();
    s.send(FRAME_B);
    assert.deepEqual(s.cards, [{ uid: UID_B, at: 10_000 }]);
    assert.deepEqual(s.logger.entries, []);
  });

  test('split frames and garbage', () => {
    const s = setup();
    s.send(Buffer.from([0x00, 0x13]), FRAME_A.subarray(0, 3), FRAME_A.subarray(3, 7));
    s.send(Buffer.concat([FRAME_A.subarray(7), Buffer.from([0x7f]), FRAME_B]));
    assert.deepEqual(s.uids(), [UID_A, UID_B]);
    assert.deepEqual(s.fields(), [
      { source: 'serial', reason: 'garbage', length: 2 },
      { source: 'serial', reason: 'garbage', length: 1 },
    ]);
  });

  test('a bad XOR is rejected with a logged reason, the next frame is read', () => {
    const s = setup();
    const bad = Buffer.from(FRAME_B);
    bad[8] = (bad[8] ?? 0) ^ 0x01;
    s.send(bad, FRAME_A);
    assert.deepEqual(s.uids(), [UID_A]);
    assert.deepEqual(s.logger.entries, [
      {
        level: 'warn',
        event: 'card_reader.read_rejected',
        fields: { source: 'serial', reason: 'checksum', length: 10 },
      },
    ]);
    s.assertNoUid();
  });

  test('debounce: a card lying on the reader is reported once', () => {
    const s = setup();
    for (let i = 0; i < 6; i++) {
      s.send(FRAME_A); // the reader repeats every 500 ms, for 3 s
      s.advance(500);
    }
    assert.deepEqual(s.uids(), [UID_A]);
    s.advance(1_500); // lifted, laid down again
    s.send(FRAME_A);
    assert.deepEqual(s.uids(), [UID_A, UID_A]);
  });

  test('debounce: another card is reported at once, and so is the first card after it', () => {
    const s = setup();
    s.send(FRAME_A, FRAME_B, FRAME_A);
    assert.deepEqual(s.uids(), [UID_A, UID_B, UID_A]);
  });

  test('repeatMs is configurable', () => {
    const s = setup({ repeatMs: 100 });
    s.send(FRAME_A);
    s.advance(100);
    s.send(FRAME_A);
    assert.deepEqual(s.uids(), [UID_A, UID_A]);
  });

  test('a partial frame followed by a late chunk is dropped as incomplete', () => {
    const s = setup();
    s.send(FRAME_A.subarray(0, 6));
    s.advance(2_000);
    s.send(FRAME_B);
    assert.deepEqual(s.uids(), [UID_B]);
    assert.deepEqual(s.fields(), [{ source: 'serial', reason: 'incomplete', length: 6 }]);
  });

  test('close closes the source; a source error is logged', async () => {
    const s = setup();
    s.source.emit('error', new Error('read EIO'));
    assert.equal(s.logger.entries[0]?.event, 'card_reader.device_error');
    await s.reader.close();
    assert.equal(s.source.closed, true);
    s.send(FRAME_A);
    assert.deepEqual(s.cards, []);
  });

  test('over a real pseudo-terminal pair', async () => {
    const pty = await openPtyPair();
    const host = new SerialPort({ path: pty.hostPath, baudRate: 9600, autoOpen: false });
    const device = new SerialPort({ path: pty.devicePath, baudRate: 9600, autoOpen: false });
    const logger = memoryLogger();
    const reader = createSerialCardReader(host, { logger });
    try {
      await Promise.all([open(host), open(device)]);
      const cards: string[] = [];
      const two = new Promise<void>((resolve) =>
        reader.onCard((e) => {
          cards.push(e.uid);
          if (cards.length === 2) resolve();
        }),
      );
      // Garbage, a split frame, a repeat (debounced), another card.
      await write(device, Buffer.concat([Buffer.from([0xff]), FRAME_A.subarray(0, 4)]));
      await write(device, Buffer.concat([FRAME_A.subarray(4), FRAME_A, FRAME_B]));
      await two;
      assert.deepEqual(cards, [UID_A, UID_B]);
      assert.deepEqual(
        logger.entries.map((e) => e.fields.reason),
        ['garbage'],
      );
    } finally {
      await reader.close();
      await closePort(device);
      await pty.close();
    }
    assert.equal(host.isOpen, false);
  });
});

function open(port: SerialPort): Promise<void> {
  return new Promise((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
}

function write(port: SerialPort, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    port.write(bytes, (e) => (e ? reject(e) : port.drain((d) => (d ? reject(d) : resolve())))),
  );
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}
