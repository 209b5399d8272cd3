import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROTOCOL_IDS, PROTOCOLS } from './index.ts';
import {
  ALL_KINDS,
  checksumIndex,
  mulberry32,
  randomCommand,
  randomReply,
  show,
} from './test-support.ts';
import type {
  FrameParser,
  HostCommand,
  HostCommandKind,
  LockProtocol,
  ParseEvent,
  ProtocolId,
  Reply,
} from './types.ts';

/**
 * Byte-exact examples from /work/shared/HARDWARE.md (vendor documents), plus round trips,
 * single-bit corruption and range checks for the four lock-board codecs.
 */

const cu16 = PROTOCOLS['kerong-cu16'];
const cu48 = PROTOCOLS['kerong-cu48'];
const cu12 = PROTOCOLS['kerong-cu12'];
const g8a = PROTOCOLS['generic-8a'];

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** `count` hook/item bits with exactly the listed (1-based) locks set. */
function bitsSet(count: number, locks: readonly number[]): boolean[] {
  return Array.from({ length: count }, (_, i) => locks.includes(i + 1));
}

function locksSet(bits: readonly boolean[] | undefined): number[] {
  return (bits ?? []).flatMap((bit, i) => (bit ? [i + 1] : []));
}

function frames<T>(events: ParseEvent<T>[]): { value: T; raw: Buffer }[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [{ value: e.value, raw: e.raw }] : []));
}

/** The vendor's checksum rule, written independently of the codecs. */
function vendorChecksumOk(id: ProtocolId, bytes: Buffer): boolean {
  const sum = (b: Iterable<number>) => [...b].reduce((a, x) => a + x, 0) & 0xff;
  const xor = (b: Iterable<number>) => [...b].reduce((a, x) => a ^ x, 0);
  const last = bytes[bytes.length - 1];
  switch (id) {
    case 'generic-8a':
      return xor(bytes.subarray(0, -1)) === last;
    case 'kerong-cu12':
      // `02 ADDR LOCK CMD ASK LEN 03 SUM DATA…`: SUM covers STX..ETX and the data.
      return sum([...bytes.subarray(0, 7), ...bytes.subarray(8)]) === bytes[7];
    case 'kerong-cu16':
      if (bytes[0] === 0xf5) {
        // Firmware framing `F5 B6 ADDR LEN 5F SUM DATA…`.
        return sum([...bytes.subarray(0, 5), ...bytes.subarray(6)]) === bytes[5];
      }
      return sum(bytes.subarray(0, -1)) === last;
    case 'kerong-cu48':
      return sum(bytes.subarray(0, -1)) === last;
  }
}

interface CommandExample {
  protocol: LockProtocol;
  command: HostCommand;
  hex: string;
}

interface ReplyExample {
  protocol: LockProtocol;
  reply: Reply;
  hex: string;
  /** What the example means, in the vendor document's words. */
  meaning: string;
}

const COMMAND_EXAMPLES: CommandExample[] = [
  { protocol: cu16, command: { kind: 'status', board: 0 }, hex: '02 00 30 03 35' },
  { protocol: cu16, command: { kind: 'status', board: 1 }, hex: '02 10 30 03 45' },
  { protocol: cu16, command: { kind: 'unlock', board: 0, lock: 1 }, hex: '02 00 31 03 36' },
  { protocol: cu16, command: { kind: 'unlock', board: 0, lock: 3 }, hex: '02 02 31 03 38' },
  { protocol: cu16, command: { kind: 'unlock', board: 1, lock: 3 }, hex: '02 12 31 03 48' },
  { protocol: cu16, command: { kind: 'status-all' }, hex: '02 F0 32 03 27' },
  { protocol: cu16, command: { kind: 'unlock-all', board: 0 }, hex: '02 00 33 03 38' },
  {
    protocol: cu16,
    command: { kind: 'set-pulse', board: 0, pulseMs: 1000 },
    hex: '02 00 37 00 64 03 A0',
  },
  {
    protocol: cu16,
    command: { kind: 'delayed-unlock', board: 0, lock: 1, delaySeconds: 1 },
    hex: '02 00 39 01 03 3F',
  },
  {
    protocol: cu16,
    command: { kind: 'set-baud', board: 0, baud: 19200 },
    hex: '02 00 40 01 03 46',
  },
  { protocol: cu16, command: { kind: 'firmware-version', board: 0 }, hex: 'F5 B6 00 00 5F 0A' },
  { protocol: cu48, command: { kind: 'status', board: 0 }, hex: '02 00 00 50 03 55' },
  { protocol: cu48, command: { kind: 'unlock', board: 0, lock: 1 }, hex: '02 00 00 51 03 56' },
  { protocol: cu48, command: { kind: 'unlock-all', board: 0 }, hex: '02 00 30 51 03 86' },
  { protocol: cu12, command: { kind: 'status', board: 0 }, hex: '02 00 00 80 00 00 03 85' },
  {
    protocol: cu12,
    command: { kind: 'unlock', board: 0, lock: 3 },
    hex: '02 00 02 81 00 00 03 88',
  },
  { protocol: g8a, command: { kind: 'unlock', board: 1, lock: 1 }, hex: '8A 01 01 11 9B' },
  { protocol: g8a, command: { kind: 'query-lock', board: 1, lock: 1 }, hex: '80 01 01 33 B3' },
  { protocol: g8a, command: { kind: 'status', board: 1 }, hex: '80 01 00 33 B2' },
  { protocol: g8a, command: { kind: 'unlock-all', board: 1 }, hex: '8A 01 00 11 9A' },
];

/** An 8A query-all reply built by hand from `80 BB S17-24 S9-16 S1-8 33 XOR`. */
function reply8a(board: number, s17to24: number, s9to16: number, s1to8: number): string {
  const bytes = [0x80, board, s17to24, s9to16, s1to8, 0x33];
  let xor = 0;
  for (const byte of bytes) xor ^= byte;
  return show(Buffer.from([...bytes, xor]));
}

const REPLY_EXAMPLES: ReplyExample[] = [
  {
    protocol: cu16,
    hex: '02 00 35 01 00 01 00 03 3C',
    meaning: 'board 0: lock 1 hook set, lock 1 item present',
    reply: {
      kind: 'status',
      status: { board: 0, hooks: bitsSet(16, [1]), items: bitsSet(16, [1]) },
    },
  },
  {
    protocol: cu16,
    hex: '02 00 36 00 03 01 00 03 3F',
    meaning: 'status-all frame for board 0: hooks of locks 9 and 10, item of lock 1',
    reply: {
      kind: 'status',
      broadcast: true,
      status: { board: 0, hooks: bitsSet(16, [9, 10]), items: bitsSet(16, [1]) },
    },
  },
  {
    protocol: cu16,
    hex: '02 00 38 00 00 00 64 03 A1',
    meaning: 'unlock pulse of board 0 is 1000 ms',
    reply: { kind: 'pulse', board: 0, pulseMs: 1000 },
  },
  {
    protocol: cu16,
    hex: '02 00 39 01 00 00 01 03 40',
    meaning: 'delayed unlock of board 0 lock 1 after 1 s acknowledged',
    reply: { kind: 'delayed-unlock-ack', board: 0, lock: 1, delaySeconds: 1 },
  },
  {
    protocol: cu16,
    hex: '02 00 40 01 00 00 01 03 47',
    meaning: 'board 0 baud set to 19200',
    reply: { kind: 'baud-ack', board: 0, baud: 19200 },
  },
  {
    protocol: cu16,
    hex: 'F5 B6 00 02 5F 0E 01 01',
    meaning: 'firmware version 1.1',
    reply: { kind: 'firmware-version', board: 0, version: '1.1' },
  },
  {
    protocol: cu48,
    hex: '02 00 00 65 07 00 00 00 00 C0 03 31',
    meaning: 'locks 1, 2, 3, 47, 48 locked',
    reply: { kind: 'status', status: { board: 0, hooks: bitsSet(48, [1, 2, 3, 47, 48]) } },
  },
  {
    protocol: cu12,
    hex: '02 00 00 80 10 02 03 99 02 00',
    meaning: 'board 0 ok: lock 2 hook set',
    reply: { kind: 'status', status: { board: 0, hooks: bitsSet(12, [2]) } },
  },
  {
    protocol: cu12,
    hex: '02 00 02 81 10 00 03 98',
    meaning: 'unlock of board 0 lock 3 ok',
    reply: { kind: 'unlock-ack', board: 0, lock: 3, answer: 'ok' },
  },
  {
    protocol: g8a,
    hex: reply8a(0x01, 0x01, 0x00, 0x01),
    meaning: 'board 1: locks 1 and 17 set',
    reply: { kind: 'status', status: { board: 1, hooks: bitsSet(24, [1, 17]) } },
  },
  {
    protocol: g8a,
    hex: reply8a(0x10, 0x80, 0x01, 0x80),
    meaning: 'board 16: locks 8, 9 and 24 set',
    reply: { kind: 'status', status: { board: 16, hooks: bitsSet(24, [8, 9, 24]) } },
  },
];

function describeCommand(c: HostCommand): string {
  return Object.entries(c)
    .map(([k, v]) => (k === 'kind' ? v : `${k}=${v}`))
    .join(' ');
}

describe('vendor examples (HARDWARE.md)', () => {
  test('every example satisfies its vendor checksum rule', () => {
    for (const { protocol, hex: h } of [...COMMAND_EXAMPLES, ...REPLY_EXAMPLES]) {
      assert.ok(vendorChecksumOk(protocol.id, hex(h)), `${protocol.id} ${h}`);
    }
  });

  test('the hand-built 8A reply has the XOR the rule gives', () => {
    // 80 ^ 01 ^ 01 ^ 00 ^ 01 ^ 33 = B2
    assert.equal(reply8a(0x01, 0x01, 0x00, 0x01), '80 01 01 00 01 33 b2');
  });

  for (const { protocol, command, hex: h } of COMMAND_EXAMPLES) {
    const name = `${protocol.id} ${describeCommand(command)}`;
    test(`${name}: encodes to ${h}`, () => {
      assert.deepEqual(show(protocol.encodeCommand(command)), show(hex(h)));
    });
    test(`${name}: command parser decodes ${h}`, () => {
      const events = protocol.createCommandParser().push(hex(h));
      assert.deepEqual(events, [{ kind: 'frame', value: command, raw: hex(h) }]);
    });
  }

  for (const { protocol, reply, hex: h, meaning } of REPLY_EXAMPLES) {
    test(`${protocol.id} reply ${h} decodes as ${meaning}`, () => {
      const events = protocol.createReplyParser().push(hex(h));
      assert.deepEqual(events, [{ kind: 'frame', value: reply, raw: hex(h) }]);
    });
    test(`${protocol.id} reply ${h} is what encodeReply makes of ${meaning}`, () => {
      assert.deepEqual(show(protocol.encodeReply(reply)), show(hex(h)));
    });
  }

  test('decoded meanings spelled out', () => {
    const decode = (p: LockProtocol, h: string) => {
      const [event] = p.createReplyParser().push(hex(h));
      assert.ok(event?.kind === 'frame', h);
      return event.value;
    };
    const cu48Status = decode(cu48, '02 00 00 65 07 00 00 00 00 C0 03 31');
    assert.ok(cu48Status.kind === 'status');
    assert.equal(cu48Status.status.hooks.length, 48);
    assert.deepEqual(locksSet(cu48Status.status.hooks), [1, 2, 3, 47, 48]);

    const cu16Status = decode(cu16, '02 00 35 01 00 01 00 03 3C');
    assert.ok(cu16Status.kind === 'status');
    assert.equal(cu16Status.broadcast, undefined);
    assert.deepEqual(locksSet(cu16Status.status.hooks), [1]);
    assert.deepEqual(locksSet(cu16Status.status.items), [1]);

    const cu16All = decode(cu16, '02 00 36 00 03 01 00 03 3F');
    assert.ok(cu16All.kind === 'status');
    assert.equal(cu16All.broadcast, true);
    assert.deepEqual(locksSet(cu16All.status.hooks), [9, 10]);
    assert.deepEqual(locksSet(cu16All.status.items), [1]);

    assert.deepEqual(decode(cu16, '02 00 38 00 00 00 64 03 A1'), {
      kind: 'pulse',
      board: 0,
      pulseMs: 1000,
    });
    assert.deepEqual(decode(cu16, 'F5 B6 00 02 5F 0E 01 01'), {
      kind: 'firmware-version',
      board: 0,
      version: '1.1',
    });

    const cu12Status = decode(cu12, '02 00 00 80 10 02 03 99 02 00');
    assert.ok(cu12Status.kind === 'status');
    assert.deepEqual(locksSet(cu12Status.status.hooks), [2]);

    const s8a = decode(g8a, '80 01 01 00 01 33 B2');
    assert.ok(s8a.kind === 'status');
    assert.equal(s8a.status.board, 1);
    assert.deepEqual(locksSet(s8a.status.hooks), [1, 17]);
  });

  test('a CU16 status-all answer is one frame per board, in order', () => {
    const stream = Buffer.concat([
      hex('02 00 36 00 03 01 00 03 3F'),
      cu16.encodeReply({
        kind: 'status',
        broadcast: true,
        status: { board: 1, hooks: bitsSet(16, [16]), items: bitsSet(16, []) },
      }),
    ]);
    const got = frames(cu16.createReplyParser().push(stream)).map((f) => f.value);
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map((r) => (r.kind === 'status' ? [r.status.board, locksSet(r.status.hooks)] : r)),
      [
        [0, [9, 10]],
        [1, [16]],
      ],
    );
  });
});

describe('single-bit corruption of every example', () => {
  const examples = [
    ...COMMAND_EXAMPLES.map((e) => ({ ...e, side: 'command' as const })),
    ...REPLY_EXAMPLES.map((e) => ({ ...e, side: 'reply' as const })),
  ];
  for (const example of examples) {
    const { protocol, side } = example;
    const original = hex(example.hex);
    const parser = (): FrameParser<unknown> =>
      side === 'command' ? protocol.createCommandParser() : protocol.createReplyParser();
    const value: unknown = side === 'command' ? example.command : example.reply;

    test(`${protocol.id} ${side} ${example.hex}`, () => {
      let flips = 0;
      for (let i = 0; i < original.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const flipped = Buffer.from(original);
          flipped[i]! ^= 1 << bit;
          const where = `byte ${i} bit ${bit}: ${show(flipped)}`;
          flips++;

          // A single flipped bit can never leave a sum8/xor8 checksum valid.
          assert.equal(vendorChecksumOk(protocol.id, flipped), false, where);

          // Alone: rejected (a bad-checksum report or nothing), never decoded.
          const events = parser().push(flipped);
          assert.deepEqual(frames(events), [], where);
          for (const event of events) {
            assert.ok(flipped.includes(event.raw), `${where}: reported bytes not in the input`);
          }
          if (i === checksumIndex(protocol.id, original)) {
            assert.deepEqual(events, [{ kind: 'bad-checksum', raw: flipped }], where);
          }

          // Followed by the intact frame: exactly the intact frame comes out.
          const after = parser().push(Buffer.concat([flipped, original]));
          assert.deepEqual(frames(after), [{ value, raw: original }], where);
        }
      }
      assert.equal(flips, original.length * 8);
    });
  }
});

describe('round trips', () => {
  for (const id of PROTOCOL_IDS) {
    const p = PROTOCOLS[id];
    test(`${id}: encodeCommand → command parser`, () => {
      const rng = mulberry32(0xc0ffee ^ id.length);
      for (let i = 0; i < 500; i++) {
        const command = randomCommand(rng, p);
        const bytes = p.encodeCommand(command);
        assert.ok(vendorChecksumOk(id, bytes), show(bytes));
        const events = p.createCommandParser().push(bytes);
        assert.deepEqual(events, [{ kind: 'frame', value: command, raw: bytes }], show(bytes));
      }
    });
    test(`${id}: encodeReply → reply parser`, () => {
      const rng = mulberry32(0xbadcafe ^ id.length);
      for (let i = 0; i < 500; i++) {
        const reply = randomReply(rng, p);
        const bytes = p.encodeReply(reply);
        assert.ok(vendorChecksumOk(id, bytes), show(bytes));
        const events = p.createReplyParser().push(bytes);
        assert.deepEqual(events, [{ kind: 'frame', value: reply, raw: bytes }], show(bytes));
      }
    });
  }

  test('kerong-cu16: every board/lock address round-trips', () => {
    for (let board = 0; board <= 9; board++) {
      for (let lock = 1; lock <= 16; lock++) {
        const command: HostCommand = { kind: 'unlock', board, lock };
        const bytes = cu16.encodeCommand(command);
        assert.equal(bytes[1], board * 16 + lock - 1);
        assert.deepEqual(frames(cu16.createCommandParser().push(bytes)), [
          { value: command, raw: bytes },
        ]);
      }
    }
  });

  test('kerong-cu16: a set-pulse whose first five bytes look like a query-pulse', () => {
    // `02 A 37 03 S` with S = sum is a complete query-pulse; a set-pulse of 0x03SS units
    // starts with the same five bytes. Received whole, it must stay a set-pulse.
    for (let board = 0; board <= 9; board++) {
      const units = 0x0300 | ((0x02 + board * 16 + 0x37 + 0x03) & 0xff);
      const command: HostCommand = { kind: 'set-pulse', board, pulseMs: units * 10 };
      const bytes = cu16.encodeCommand(command);
      assert.deepEqual(show(bytes.subarray(3, 5)), show(Buffer.from([0x03, units & 0xff])));
      assert.deepEqual(cu16.createCommandParser().push(bytes), [
        { kind: 'frame', value: command, raw: bytes },
      ]);
    }
    // …and a real query-pulse is still answered at once, without waiting for more bytes.
    const query = hex('02 00 37 03 3C');
    assert.deepEqual(frames(cu16.createCommandParser().push(query)), [
      { value: { kind: 'query-pulse', board: 0 }, raw: query },
    ]);
  });
});

// --- ranges and unsupported commands ------------------------------------------------------

const EXPECTED_SUPPORT: Record<ProtocolId, readonly HostCommandKind[]> = {
  'kerong-cu16': [
    'status',
    'status-all',
    'unlock',
    'unlock-all',
    'query-pulse',
    'set-pulse',
    'delayed-unlock',
    'set-baud',
    'firmware-version',
  ],
  'kerong-cu48': ['status', 'unlock', 'unlock-all'],
  'kerong-cu12': ['status', 'unlock', 'unlock-all'],
  'generic-8a': ['status', 'query-lock', 'unlock', 'unlock-all'],
};

describe('ranges and capabilities', () => {
  for (const id of PROTOCOL_IDS) {
    const p = PROTOCOLS[id];

    test(`${id}: supports() matches the vendor document and encode agrees`, () => {
      const rng = mulberry32(7);
      for (const kind of ALL_KINDS) {
        const expected = EXPECTED_SUPPORT[id].includes(kind);
        assert.equal(p.supports(kind), expected, kind);
        const command = randomCommand(rng, p, kind);
        if (expected) assert.doesNotThrow(() => p.encodeCommand(command), kind);
        else assert.throws(() => p.encodeCommand(command), Error, kind);
      }
    });

    test(`${id}: out-of-range board and lock throw RangeError`, () => {
      const badBoards = [p.minBoard - 1, p.maxBoard + 1, 1.5, Number.NaN];
      const badLocks = [0, p.locksPerBoard + 1, 2.5];
      for (const board of badBoards) {
        assert.throws(() => p.encodeCommand({ kind: 'status', board }), RangeError, `${board}`);
        assert.throws(() => p.encodeCommand({ kind: 'unlock', board, lock: 1 }), RangeError);
        assert.throws(() => p.encodeCommand({ kind: 'unlock-all', board }), RangeError);
        assert.throws(
          () =>
            p.encodeReply({
              kind: 'status',
              status: { board, hooks: bitsSet(p.locksPerBoard, []) },
            }),
          RangeError,
        );
      }
      for (const lock of badLocks) {
        assert.throws(
          () => p.encodeCommand({ kind: 'unlock', board: p.minBoard, lock }),
          RangeError,
          `lock ${lock}`,
        );
      }
      // The edges themselves are fine.
      for (const board of [p.minBoard, p.maxBoard]) {
        for (const lock of [1, p.locksPerBoard]) {
          assert.doesNotThrow(() => p.encodeCommand({ kind: 'unlock', board, lock }));
        }
      }
    });
  }

  test('kerong-cu16: baud, pulse and delay ranges', () => {
    assert.throws(() => cu16.encodeCommand({ kind: 'set-baud', board: 0, baud: 4800 }), RangeError);
    assert.throws(
      () => cu16.encodeCommand({ kind: 'set-baud', board: 0, baud: 38400 }),
      RangeError,
    );
    assert.throws(() => cu16.encodeReply({ kind: 'baud-ack', board: 0, baud: 4800 }), RangeError);
    const bauds = [9600, 19200, 57600, 115200];
    bauds.forEach((baud, code) => {
      assert.equal(cu16.encodeCommand({ kind: 'set-baud', board: 0, baud })[3], code);
    });
    for (const pulseMs of [0, 5, 655360, Number.NaN]) {
      assert.throws(
        () => cu16.encodeCommand({ kind: 'set-pulse', board: 0, pulseMs }),
        RangeError,
        `${pulseMs}`,
      );
    }
    for (const delaySeconds of [-1, 251, 0.5]) {
      assert.throws(
        () => cu16.encodeCommand({ kind: 'delayed-unlock', board: 0, lock: 1, delaySeconds }),
        RangeError,
      );
    }
    assert.throws(
      () => cu16.encodeCommand({ kind: 'delayed-unlock', board: 0, lock: 17, delaySeconds: 1 }),
      RangeError,
    );
    assert.throws(() => cu16.encodeCommand({ kind: 'firmware-version', board: 10 }), RangeError);
  });

  test('kerong-cu12: unlock-ack lock range', () => {
    assert.throws(
      () => cu12.encodeReply({ kind: 'unlock-ack', board: 0, lock: 13, answer: 'ok' }),
      RangeError,
    );
    assert.throws(
      () => cu12.encodeReply({ kind: 'unlock-ack', board: 16, lock: 1, answer: 'ok' }),
      RangeError,
    );
  });

  test('replies a protocol does not send throw on encode', () => {
    const others: Reply[] = [
      { kind: 'unlock-ack', board: 1, lock: 1, answer: 'ok' },
      { kind: 'nak', board: 1, answer: 'failed' },
      { kind: 'pulse', board: 1, pulseMs: 1000 },
      { kind: 'delayed-unlock-ack', board: 1, lock: 1, delaySeconds: 1 },
      { kind: 'baud-ack', board: 1, baud: 19200 },
      { kind: 'firmware-version', board: 1, version: '1.1' },
    ];
    const sends: Record<ProtocolId, readonly Reply['kind'][]> = {
      'kerong-cu16': ['pulse', 'delayed-unlock-ack', 'baud-ack', 'firmware-version'],
      'kerong-cu48': [],
      'kerong-cu12': ['unlock-ack', 'nak'],
      'generic-8a': [],
    };
    for (const id of PROTOCOL_IDS) {
      for (const reply of others) {
        const encode = () => PROTOCOLS[id].encodeReply(reply);
        if (sends[id].includes(reply.kind)) assert.doesNotThrow(encode, `${id} ${reply.kind}`);
        else assert.throws(encode, Error, `${id} ${reply.kind}`);
      }
    }
  });
});
