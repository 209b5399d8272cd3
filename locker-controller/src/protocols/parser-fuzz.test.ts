import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sum8 } from './checksum.ts';
import { PROTOCOL_IDS, PROTOCOLS } from './index.ts';
import { createStreamParser, type FrameSpec } from './stream-parser.ts';
import {
  checksumIndex,
  int,
  mulberry32,
  pick,
  type Rng,
  randomCommand,
  randomReply,
  show,
} from './test-support.ts';
import type {
  FrameParser,
  HostCommand,
  LockProtocol,
  ParseEvent,
  ProtocolId,
  Reply,
} from './types.ts';

/**
 * Seeded fuzzing of every protocol's reply and command parser: random valid frames between
 * random garbage, fed in random chunk sizes, must come out exactly, in order, and nothing
 * else may come out as a frame.
 */

// --- protocol facts the garbage is built from (HARDWARE.md) -------------------------------

/** Bytes a frame of this protocol may start with, for stray-start garbage. */
const START_BYTES: Record<ProtocolId, readonly number[]> = {
  'kerong-cu16': [0x02, 0xf5],
  'kerong-cu48': [0x02],
  'kerong-cu12': [0x02],
  'generic-8a': [0x80, 0x8a],
};
/** Other framing bytes (ETX, second header byte, command bytes). */
const FRAMING_BYTES: Record<ProtocolId, readonly number[]> = {
  'kerong-cu16': [0x03, 0xb6, 0x5f, 0x30, 0x35, 0x37, 0x39],
  'kerong-cu48': [0x03, 0x50, 0x51, 0x65, 0x30],
  'kerong-cu12': [0x03, 0x80, 0x81, 0x10, 0x00],
  'generic-8a': [0x33, 0x11, 0x00, 0x01],
};

/** Longer than any frame of any of the four protocols. */
const WINDOW = 32;

interface Side<T> {
  name: 'reply' | 'command';
  protocol: LockProtocol;
  createParser(): FrameParser<T>;
  random(rng: Rng): { value: T; bytes: Buffer };
}

function sides(p: LockProtocol): [Side<Reply>, Side<HostCommand>] {
  return [
    {
      name: 'reply',
      protocol: p,
      createParser: () => p.createReplyParser(),
      random(rng) {
        const value = randomReply(rng, p);
        return { value, bytes: p.encodeReply(value) };
      },
    },
    {
      name: 'command',
      protocol: p,
      createParser: () => p.createCommandParser(),
      random(rng) {
        const value = randomCommand(rng, p);
        return { value, bytes: p.encodeCommand(value) };
      },
    },
  ];
}

// --- stream building ----------------------------------------------------------------------

interface Stream<T> {
  bytes: Buffer;
  frames: { value: T; raw: Buffer; at: number }[];
  /** Frames with a corrupted checksum byte whose framing is intact. */
  corrupted: { raw: Buffer; at: number }[];
  garbageBytes: number;
}

function garbage<T>(rng: Rng, side: Side<T>): Buffer {
  const id = side.protocol.id;
  const target = int(rng, 0, 20);
  const out: number[] = [];
  while (out.length < target) {
    const r = rng();
    if (r < 0.4) out.push(int(rng, 0, 255));
    else if (r < 0.6) out.push(pick(rng, START_BYTES[id]));
    else if (r < 0.75) out.push(pick(rng, FRAMING_BYTES[id]));
    else {
      // A truncated piece of a valid frame: its head, or a piece from the middle.
      const { bytes } = side.random(rng);
      const from = rng() < 0.7 ? 0 : int(rng, 1, bytes.length - 1);
      const to = int(rng, from + 1, bytes.length - 1);
      out.push(...bytes.subarray(from, Math.max(from + 1, to)));
    }
  }
  return Buffer.from(out.slice(0, target));
}

function corrupt(rng: Rng, id: ProtocolId, frame: Buffer): Buffer {
  const bad = Buffer.from(frame);
  bad[checksumIndex(id, frame)]! ^= int(rng, 1, 255);
  return bad;
}

function buildStream<T>(rng: Rng, side: Side<T>): Stream<T> {
  const parts: Buffer[] = [];
  const stream: Stream<T> = { bytes: Buffer.alloc(0), frames: [], corrupted: [], garbageBytes: 0 };
  let at = 0;
  const add = (bytes: Buffer) => {
    parts.push(bytes);
    at += bytes.length;
  };
  const count = int(rng, 1, 8);
  for (let i = 0; i <= count; i++) {
    const junk = garbage(rng, side);
    stream.garbageBytes += junk.length;
    add(junk);
    if (rng() < 0.2) {
      const bad = corrupt(rng, side.protocol.id, side.random(rng).bytes);
      // Framing intact: on its own, the parser reports exactly this frame as bad.
      const alone = side.createParser().push(bad);
      if (alone.length === 1 && alone[0]!.kind === 'bad-checksum' && alone[0]!.raw.equals(bad)) {
        stream.corrupted.push({ raw: bad, at });
      }
      add(bad);
    }
    if (i === count) break;
    const { value, bytes } = side.random(rng);
    stream.frames.push({ value, raw: bytes, at });
    add(bytes);
  }
  // A tail without start bytes lets every candidate still waiting at the end complete, so
  // a corrupted frame inside a waiting candidate's span is reached and reported too.
  const starts = START_BYTES[side.protocol.id];
  const tail = Array.from({ length: WINDOW }, () => int(rng, 0, 255)).filter(
    (b) => !starts.includes(b),
  );
  stream.garbageBytes += tail.length;
  add(Buffer.from(tail));
  stream.bytes = Buffer.concat(parts);
  return stream;
}

/**
 * True if the stream holds a valid frame anywhere but at the planted frames' starts, or a
 * planted frame that the bytes after it would turn into a different one. Garbage can form a
 * real frame by chance; such a stream is ambiguous and is rebuilt (and counted). The check
 * asks only whether a frame starts at a position (a fresh parser's first probe), never how
 * the parser resynchronises.
 */
function ambiguous<T>(side: Side<T>, stream: Stream<T>): boolean {
  const planted = new Map(stream.frames.map((f) => [f.at, f.raw]));
  const starts = new Set(START_BYTES[side.protocol.id]);
  for (let at = 0; at < stream.bytes.length; at++) {
    if (!starts.has(stream.bytes[at]!)) continue;
    const window = stream.bytes.subarray(at, at + WINDOW);
    const first = side.createParser().push(window)[0];
    const raw = planted.get(at);
    if (raw) {
      if (first?.kind !== 'frame' || !first.raw.equals(raw)) return true;
    } else if (first?.kind === 'frame' && first.raw.equals(window.subarray(0, first.raw.length))) {
      return true;
    }
  }
  return false;
}

function feed<T>(rng: Rng, parser: FrameParser<T>, bytes: Buffer): ParseEvent<T>[] {
  const events: ParseEvent<T>[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = int(rng, 1, 32);
    events.push(...parser.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return events;
}

// --- the fuzz -----------------------------------------------------------------------------

const STREAMS = 1000;

function fuzz<T>(side: Side<T>, seed: number): void {
  const rng = mulberry32(seed);
  let rebuilt = 0;
  let framesChecked = 0;
  let corruptedChecked = 0;
  let garbageBytes = 0;
  for (let n = 0; n < STREAMS; n++) {
    let stream = buildStream(rng, side);
    while (ambiguous(side, stream)) {
      rebuilt++;
      stream = buildStream(rng, side);
    }
    const parser = side.createParser();
    const events = feed(rng, parser, stream.bytes);
    const where = `${side.protocol.id} ${side.name} stream ${n}: ${show(stream.bytes)}`;

    const got = events.flatMap((e) => (e.kind === 'frame' ? [{ value: e.value, raw: e.raw }] : []));
    const want = stream.frames.map(({ value, raw }) => ({ value, raw }));
    assert.deepEqual(got, want, where);

    // Every corrupted frame with intact framing is reported, in order.
    const bad = events.flatMap((e) => (e.kind === 'bad-checksum' ? [e.raw] : []));
    let next = 0;
    for (const { raw } of stream.corrupted) {
      while (next < bad.length && !bad[next]!.equals(raw)) next++;
      assert.ok(next < bad.length, `${where}: bad-checksum ${show(raw)} not reported`);
      next++;
    }
    // Every reported bad frame really is in the stream.
    for (const raw of bad) assert.ok(stream.bytes.includes(raw), where);

    // Every byte is either part of an emitted frame or counted as discarded.
    parser.reset();
    const frameBytes = got.reduce((sum, f) => sum + f.raw.length, 0);
    assert.equal(parser.discardedBytes + frameBytes, stream.bytes.length, where);

    framesChecked += want.length;
    corruptedChecked += stream.corrupted.length;
    garbageBytes += stream.garbageBytes;
  }
  // The generator must really exercise the parser, and rebuilding must stay rare.
  assert.ok(framesChecked > STREAMS * 3, `only ${framesChecked} frames`);
  assert.ok(corruptedChecked > STREAMS / 4, `only ${corruptedChecked} corrupted frames`);
  assert.ok(garbageBytes > STREAMS * 40, `only ${garbageBytes} garbage bytes`);
  assert.ok(rebuilt < STREAMS / 50, `${rebuilt} of ${STREAMS} streams were ambiguous`);
}

describe('parser fuzz: random frames in random garbage, random chunks', () => {
  PROTOCOL_IDS.forEach((id, i) => {
    const [reply, command] = sides(PROTOCOLS[id]);
    test(`${id} reply parser`, () => fuzz(reply, 0x5eed0000 + i * 2));
    test(`${id} command parser`, () => fuzz(command, 0x5eed0000 + i * 2 + 1));
  });
});

describe('stray start bytes before real frames', () => {
  for (const id of PROTOCOL_IDS) {
    const both: Side<unknown>[] = sides(PROTOCOLS[id]);
    for (const side of both) {
      test(`${id} ${side.name} parser`, () => {
        const rng = mulberry32(0x57a7 + id.length);
        let skipped = 0;
        for (let n = 0; n < 200; n++) {
          const { value, bytes } = side.random(rng);
          const stray = Buffer.from(
            Array.from({ length: int(rng, 1, 3) }, () => pick(rng, START_BYTES[id])),
          );
          const stream: Stream<unknown> = {
            bytes: Buffer.concat([stray, bytes]),
            frames: [{ value, raw: bytes, at: stray.length }],
            corrupted: [],
            garbageBytes: stray.length,
          };
          if (ambiguous(side, stream)) {
            skipped++;
            continue;
          }
          const where = show(stream.bytes);
          const whole = side.createParser();
          const byByte = side.createParser();
          const results = [
            { parser: whole, events: whole.push(stream.bytes) },
            {
              parser: byByte,
              events: [...stream.bytes].flatMap((b) => byByte.push(Buffer.from([b]))),
            },
          ];
          for (const { parser, events } of results) {
            const got = events.flatMap((e) => (e.kind === 'frame' ? [e] : []));
            assert.deepEqual(got, [{ kind: 'frame', value, raw: bytes }], where);
            assert.equal(parser.discardedBytes, stray.length, where);
          }
        }
        assert.ok(skipped < 4, `${skipped} ambiguous cases`);
      });
    }
  }
});

// --- createStreamParser itself ------------------------------------------------------------

/** A toy protocol: `AA LEN PAYLOAD… SUM`, LEN ≤ 8, SUM = sum8 of everything before it. */
const TOY: FrameSpec<number[]> = {
  startBytes: [0xaa],
  maxLength: 11,
  probe(buffer, start) {
    if (buffer.length < start + 2) return { kind: 'need-more' };
    const length = buffer[start + 1]! + 3;
    if (length > 11) return { kind: 'invalid' };
    if (buffer.length < start + length) return { kind: 'need-more' };
    if (sum8(buffer.subarray(start, start + length - 1)) !== buffer[start + length - 1]) {
      return { kind: 'bad-checksum', length };
    }
    return { kind: 'frame', length, value: [...buffer.subarray(start + 2, start + length - 1)] };
  },
};

function toyFrame(payload: number[]): Buffer {
  const body = [0xaa, payload.length, ...payload];
  return Buffer.from([...body, sum8(body)]);
}

describe('createStreamParser', () => {
  test('a stray start byte right before a real frame', () => {
    const parser = createStreamParser(TOY);
    const frame = toyFrame([0x10, 0x20]);
    assert.deepEqual(parser.push(Buffer.concat([Buffer.from([0xaa]), frame])), [
      { kind: 'frame', value: [0x10, 0x20], raw: frame },
    ]);
    assert.equal(parser.discardedBytes, 1);
  });

  test('a waiting candidate is abandoned when a complete valid frame follows', () => {
    const parser = createStreamParser(TOY);
    // `AA 05` announces 8 bytes; a complete 4-byte frame arrives inside that span.
    const frame = toyFrame([0x42]);
    assert.deepEqual(parser.push(Buffer.from([0xaa, 0x05])), []);
    assert.deepEqual(parser.push(frame.subarray(0, 3)), []);
    assert.equal(parser.discardedBytes, 0, 'nothing is dropped while the frame is incomplete');
    assert.deepEqual(parser.push(frame.subarray(3)), [
      { kind: 'frame', value: [0x42], raw: frame },
    ]);
    assert.equal(parser.discardedBytes, 2);
    // The parser is clean afterwards: the next frame decodes on its own.
    const next = toyFrame([1, 2, 3]);
    assert.deepEqual(parser.push(next), [{ kind: 'frame', value: [1, 2, 3], raw: next }]);
  });

  test('a corrupted frame between an abandoned candidate and a later frame is reported', () => {
    const parser = createStreamParser(TOY);
    const bad = toyFrame([0x42]);
    bad[3]! ^= 0x01;
    const good = toyFrame([0x43]);
    // `AA 08` waits for 11 bytes; after 10 the good frame is complete and the wait abandoned.
    const events = parser.push(Buffer.concat([Buffer.from([0xaa, 0x08]), bad, good]));
    assert.deepEqual(events, [
      { kind: 'bad-checksum', raw: bad },
      { kind: 'frame', value: [0x43], raw: good },
    ]);
    assert.equal(parser.discardedBytes, 2 + bad.length);
  });

  test('a waiting candidate that completes validly is a frame', () => {
    const parser = createStreamParser(TOY);
    const frame = toyFrame([0xaa, 0x01, 0x07]);
    for (const byte of frame.subarray(0, -1))
      assert.deepEqual(parser.push(Buffer.from([byte])), []);
    assert.deepEqual(parser.push(frame.subarray(-1)), [
      { kind: 'frame', value: [0xaa, 0x01, 0x07], raw: frame },
    ]);
    assert.equal(parser.discardedBytes, 0);
  });

  test('reset() drops partial input', () => {
    const parser = createStreamParser(TOY);
    const frame = toyFrame([0x01, 0x02, 0x03]);
    assert.deepEqual(parser.push(frame.subarray(0, 4)), []);
    parser.reset();
    assert.equal(parser.discardedBytes, 4);
    assert.deepEqual(parser.push(frame.subarray(4)), [], 'the tail alone is no frame');
    assert.equal(parser.discardedBytes, frame.length);
    assert.deepEqual(parser.push(frame), [{ kind: 'frame', value: [1, 2, 3], raw: frame }]);
    assert.equal(parser.discardedBytes, frame.length);
  });

  test('discardedBytes counts garbage, not frames', () => {
    const parser = createStreamParser(TOY);
    const frame = toyFrame([0x55]);
    assert.deepEqual(parser.push(Buffer.from([0x00, 0x11, 0x22])), []);
    assert.equal(parser.discardedBytes, 3);
    assert.equal(parser.push(frame).length, 1);
    assert.equal(parser.discardedBytes, 3);
    const events = parser.push(Buffer.concat([Buffer.from([0x44]), frame, Buffer.from([0x55])]));
    assert.deepEqual(events, [{ kind: 'frame', value: [0x55], raw: frame }]);
    assert.equal(parser.discardedBytes, 5);
  });

  test('a bad checksum is reported, skipped, and the next frame still found', () => {
    const parser = createStreamParser(TOY);
    const good = toyFrame([0x01, 0x02]);
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 0x01;
    assert.deepEqual(parser.push(Buffer.concat([bad, good])), [
      { kind: 'bad-checksum', raw: bad },
      { kind: 'frame', value: [1, 2], raw: good },
    ]);
    assert.equal(parser.discardedBytes, bad.length);
  });
});
