import { bitsOf, bytesOf, inRange, sum8 } from './checksum.ts';
import { createStreamParser, type FrameProbe } from './stream-parser.ts';
import { encodeStxFrame, probeStxFrame, STX } from './stx-frame.ts';
import type { HostCommand, HostCommandKind, LockProtocol, Reply } from './types.ts';

/**
 * Kerong KR-CU16 (also KU16/DS16): `02 ADDR CMD [DATA] 03 SUM`, ADDR = board << 4 | lock-1.
 * The board does not answer an unlock: the host confirms by polling status.
 * Firmware version uses its own framing `F5 B6 ADDR LEN CMD SUM DATA`, where SUM covers
 * every other byte including the data that follows it.
 */
const CMD = {
  status: 0x30,
  unlock: 0x31,
  statusAll: 0x32,
  unlockAll: 0x33,
  statusReply: 0x35,
  statusAllReply: 0x36,
  pulse: 0x37,
  pulseReply: 0x38,
  delayedUnlock: 0x39,
  baud: 0x40,
} as const;
const ALL_BOARDS = 0xf0;
const FIRMWARE = { head: [0xf5, 0xb6], command: 0x5f } as const;
const BAUD_CODES = [9600, 19200, 57600, 115200] as const;
const LOCKS = 16;

const commandDataLengths: Record<number, readonly number[]> = {
  [CMD.status]: [0],
  [CMD.unlock]: [0],
  [CMD.statusAll]: [0],
  [CMD.unlockAll]: [0],
  [CMD.pulse]: [0, 2],
  [CMD.delayedUnlock]: [1],
  [CMD.baud]: [1],
};
const replyDataLengths: Record<number, readonly number[]> = {
  [CMD.statusReply]: [4],
  [CMD.statusAllReply]: [4],
  [CMD.pulseReply]: [4],
  [CMD.delayedUnlock]: [4],
  [CMD.baud]: [4],
};

const address = (board: number, lock = 1) =>
  (inRange('board', board, 0, 9) << 4) | (inRange('lock', lock, 1, LOCKS) - 1);

function encodeCommand(command: HostCommand): Buffer {
  switch (command.kind) {
    case 'status':
      return encodeStxFrame([address(command.board), CMD.status]);
    case 'status-all':
      return encodeStxFrame([ALL_BOARDS, CMD.statusAll]);
    case 'unlock':
      return encodeStxFrame([address(command.board, command.lock), CMD.unlock]);
    case 'unlock-all':
      return encodeStxFrame([address(command.board), CMD.unlockAll]);
    case 'query-pulse':
      return encodeStxFrame([address(command.board), CMD.pulse]);
    case 'set-pulse': {
      const units = Math.round(inRange('pulse ms', command.pulseMs, 10, 655350) / 10);
      return encodeStxFrame([address(command.board), CMD.pulse], [units >> 8, units & 0xff]);
    }
    case 'delayed-unlock':
      return encodeStxFrame(
        [address(command.board, command.lock), CMD.delayedUnlock],
        [inRange('delay seconds', command.delaySeconds, 0, 250)],
      );
    case 'set-baud':
      return encodeStxFrame([address(command.board), CMD.baud], [baudCode(command.baud)]);
    case 'firmware-version':
      return encodeFirmwareFrame(address(command.board) >> 4, []);
    case 'query-lock':
      throw new RangeError('kerong-cu16 has no single-lock query');
  }
}

function baudCode(baud: number): number {
  const code = BAUD_CODES.indexOf(baud as (typeof BAUD_CODES)[number]);
  if (code < 0) throw new RangeError(`baud ${baud} not one of ${BAUD_CODES.join(', ')}`);
  return code;
}

function encodeFirmwareFrame(board: number, data: readonly number[]): Buffer {
  const head = [...FIRMWARE.head, board, data.length, FIRMWARE.command];
  return Buffer.from([...head, sum8([...head, ...data]), ...data]);
}

function probeFirmware(buffer: Buffer, start: number): FrameProbe<{ board: number; data: Buffer }> {
  if (buffer.length < start + 6) return { kind: 'need-more' };
  if (buffer[start + 1] !== FIRMWARE.head[1] || buffer[start + 4] !== FIRMWARE.command) {
    return { kind: 'invalid' };
  }
  const dataLength = buffer[start + 3]!;
  if (dataLength > 8) return { kind: 'invalid' };
  const length = 6 + dataLength;
  if (buffer.length < start + length) return { kind: 'need-more' };
  const head = buffer.subarray(start, start + 5);
  const data = buffer.subarray(start + 6, start + length);
  if (sum8([...head, ...data]) !== buffer[start + 5]) return { kind: 'bad-checksum', length };
  return { kind: 'frame', length, value: { board: buffer[start + 2]!, data: Buffer.from(data) } };
}

function decodeReply(header: Buffer, data: Buffer): Reply | undefined {
  const board = header[0]! >> 4;
  if (board > 9) return undefined;
  const lock = (header[0]! & 0x0f) + 1;
  switch (header[1]) {
    case CMD.statusReply:
    case CMD.statusAllReply:
      return {
        kind: 'status',
        status: { board, hooks: bitsOf(data, LOCKS), items: bitsOf(data.subarray(2), LOCKS) },
        ...(header[1] === CMD.statusAllReply && { broadcast: true }),
      };
    case CMD.pulseReply:
      return { kind: 'pulse', board, pulseMs: ((data[2]! << 8) | data[3]!) * 10 };
    case CMD.delayedUnlock:
      return { kind: 'delayed-unlock-ack', board, lock, delaySeconds: data[0]! };
    case CMD.baud: {
      const baud = BAUD_CODES[data[0]!];
      return baud === undefined ? undefined : { kind: 'baud-ack', board, baud };
    }
    default:
      return undefined;
  }
}

function decodeCommand(header: Buffer, data: Buffer): HostCommand | undefined {
  const board = header[0]! >> 4;
  const lock = (header[0]! & 0x0f) + 1;
  if (header[0] === ALL_BOARDS)
    return header[1] === CMD.statusAll ? { kind: 'status-all' } : undefined;
  if (board > 9) return undefined;
  switch (header[1]) {
    case CMD.status:
      return { kind: 'status', board };
    case CMD.unlock:
      return { kind: 'unlock', board, lock };
    case CMD.unlockAll:
      return { kind: 'unlock-all', board };
    case CMD.pulse:
      return data.length === 0
        ? { kind: 'query-pulse', board }
        : { kind: 'set-pulse', board, pulseMs: ((data[0]! << 8) | data[1]!) * 10 };
    case CMD.delayedUnlock:
      return { kind: 'delayed-unlock', board, lock, delaySeconds: data[0]! };
    case CMD.baud: {
      const baud = BAUD_CODES[data[0]!];
      return baud === undefined ? undefined : { kind: 'set-baud', board, baud };
    }
    default:
      return undefined;
  }
}

function encodeReply(reply: Reply): Buffer {
  switch (reply.kind) {
    case 'status': {
      const { board, hooks, items = [] } = reply.status;
      return encodeStxFrame(
        [address(board), reply.broadcast ? CMD.statusAllReply : CMD.statusReply],
        [...bytesOf(hooks, 2), ...bytesOf(items, 2)],
      );
    }
    case 'pulse': {
      const units = Math.round(reply.pulseMs / 10);
      return encodeStxFrame(
        [address(reply.board), CMD.pulseReply],
        [0, 0, units >> 8, units & 0xff],
      );
    }
    // The vendor examples echo the value in the first and last data byte.
    case 'delayed-unlock-ack':
      return encodeStxFrame(
        [address(reply.board, reply.lock), CMD.delayedUnlock],
        [reply.delaySeconds, 0, 0, reply.delaySeconds],
      );
    case 'baud-ack': {
      const code = baudCode(reply.baud);
      return encodeStxFrame([address(reply.board), CMD.baud], [code, 0, 0, code]);
    }
    case 'firmware-version':
      return encodeFirmwareFrame(reply.board, reply.version.split('.').map(Number));
    case 'unlock-ack':
    case 'nak':
      throw new RangeError(`kerong-cu16 sends no ${reply.kind}`);
  }
}

function createParser<T>(
  dataLengths: Record<number, readonly number[]>,
  decode: (header: Buffer, data: Buffer) => T | undefined,
  decodeFirmware: (board: number, data: Buffer) => T | undefined,
) {
  return createStreamParser<T>({
    startBytes: [STX, FIRMWARE.head[0]],
    maxLength: 14,
    probe(buffer, start) {
      if (buffer[start] === STX) {
        const probe = probeStxFrame(buffer, start, 2, (c) => dataLengths[c], decode);
        if (probe.kind !== 'frame') return probe;
        // Data lengths are tried shortest first, and a query-pulse `02 A 37 03 S` is also the
        // start of a set-pulse of 03SS units: prefer a longer frame that is complete and valid.
        const longer = (c: number) => dataLengths[c]?.filter((n) => n + 5 > probe.length);
        const other = probeStxFrame(buffer, start, 2, longer, decode);
        return other.kind === 'frame' ? other : probe;
      }
      const probe = probeFirmware(buffer, start);
      if (probe.kind !== 'frame') return probe;
      const value = decodeFirmware(probe.value.board, probe.value.data);
      return value === undefined ? { kind: 'invalid' } : { ...probe, value };
    },
  });
}

const SUPPORTED: ReadonlySet<HostCommandKind> = new Set<HostCommandKind>([
  'status',
  'status-all',
  'unlock',
  'unlock-all',
  'query-pulse',
  'set-pulse',
  'delayed-unlock',
  'set-baud',
  'firmware-version',
]);

export const kerongCu16: LockProtocol = {
  id: 'kerong-cu16',
  defaultBaud: 19200,
  bauds: BAUD_CODES,
  minBoard: 0,
  maxBoard: 9,
  locksPerBoard: LOCKS,
  hasItemSensors: true,
  unlockReplies: false,
  supports: (kind) => SUPPORTED.has(kind),
  encodeCommand,
  encodeReply,
  createReplyParser: () =>
    createParser(replyDataLengths, decodeReply, (board, data) =>
      data.length > 0
        ? { kind: 'firmware-version', board, version: [...data].join('.') }
        : undefined,
    ),
  createCommandParser: () =>
    createParser(commandDataLengths, decodeCommand, (board, data) =>
      data.length === 0 ? { kind: 'firmware-version', board } : undefined,
    ),
};
