import { bitsOf, bytesOf, inRange, sum8 } from './checksum.ts';
import { createStreamParser, type FrameProbe } from './stream-parser.ts';
import { ETX, STX } from './stx-frame.ts';
import type { BoardAnswer, HostCommand, HostCommandKind, LockProtocol, Reply } from './types.ts';

/**
 * Kerong KR-CU12: `02 ADDR LOCK CMD ASK DATALEN 03 SUM DATA…`. The data comes after the
 * checksum, and the checksum covers STX..ETX plus the data. Replies carry an answer code
 * (ASK), so an unlock is acknowledged; the door is still confirmed by polling.
 */
const CMD = { status: 0x80, unlock: 0x81 } as const;
const ALL_LOCKS = 0x0c;
const LOCKS = 12;
const MAX_DATA = 16;
const ANSWERS: Record<number, BoardAnswer> = {
  16: 'ok',
  17: 'failed',
  18: 'timeout',
  19: 'unknown-command',
  20: 'checksum-error',
};
const ASK_CODES = Object.fromEntries(
  Object.entries(ANSWERS).map(([code, answer]) => [answer, Number(code)]),
) as Record<BoardAnswer, number>;

interface Cu12Frame {
  address: number;
  lock: number;
  command: number;
  ask: number;
  data: Buffer;
}

function encodeFrame(frame: Omit<Cu12Frame, 'data'>, data: readonly number[] = []): Buffer {
  const head = [STX, frame.address, frame.lock, frame.command, frame.ask, data.length, ETX];
  return Buffer.from([...head, sum8([...head, ...data]), ...data]);
}

function probeFrame(buffer: Buffer, start: number): FrameProbe<Cu12Frame> {
  if (buffer.length < start + 8) return { kind: 'need-more' };
  const dataLength = buffer[start + 5]!;
  if (buffer[start + 6] !== ETX || dataLength > MAX_DATA) return { kind: 'invalid' };
  const length = 8 + dataLength;
  if (buffer.length < start + length) return { kind: 'need-more' };
  const head = buffer.subarray(start, start + 7);
  const data = buffer.subarray(start + 8, start + length);
  if (sum8([...head, ...data]) !== buffer[start + 7]) return { kind: 'bad-checksum', length };
  const [address, lock, command, ask] = [head[1]!, head[2]!, head[3]!, head[4]!];
  return { kind: 'frame', length, value: { address, lock, command, ask, data: Buffer.from(data) } };
}

const boardAddress = (board: number) => inRange('board', board, 0, 15);
const lockIndex = (lock: number) => inRange('lock', lock, 1, LOCKS) - 1;

function encodeCommand(command: HostCommand): Buffer {
  switch (command.kind) {
    case 'status':
      return encodeFrame({
        address: boardAddress(command.board),
        lock: 0,
        command: CMD.status,
        ask: 0,
      });
    case 'unlock':
      return encodeFrame({
        address: boardAddress(command.board),
        lock: lockIndex(command.lock),
        command: CMD.unlock,
        ask: 0,
      });
    case 'unlock-all':
      return encodeFrame({
        address: boardAddress(command.board),
        lock: ALL_LOCKS,
        command: CMD.unlock,
        ask: 0,
      });
    default:
      throw new RangeError(`kerong-cu12 has no ${command.kind} command`);
  }
}

function encodeReply(reply: Reply): Buffer {
  switch (reply.kind) {
    case 'status':
      return encodeFrame(
        { address: boardAddress(reply.status.board), lock: 0, command: CMD.status, ask: 0x10 },
        bytesOf(reply.status.hooks, 2),
      );
    case 'unlock-ack':
      return encodeFrame({
        address: boardAddress(reply.board),
        lock: lockIndex(reply.lock),
        command: CMD.unlock,
        ask: ASK_CODES[reply.answer],
      });
    case 'nak':
      return encodeFrame({
        address: boardAddress(reply.board),
        lock: 0,
        command: CMD.status,
        ask: ASK_CODES[reply.answer],
      });
    default:
      throw new RangeError(`kerong-cu12 sends no ${reply.kind}`);
  }
}

function decodeReply(frame: Cu12Frame): Reply | undefined {
  const answer = ANSWERS[frame.ask];
  if (!answer || frame.address > 15) return undefined;
  if (frame.command === CMD.unlock && frame.lock < LOCKS) {
    return { kind: 'unlock-ack', board: frame.address, lock: frame.lock + 1, answer };
  }
  if (frame.command !== CMD.status) return undefined;
  if (answer !== 'ok') return { kind: 'nak', board: frame.address, answer };
  return { kind: 'status', status: { board: frame.address, hooks: bitsOf(frame.data, LOCKS) } };
}

function decodeCommand(frame: Cu12Frame): HostCommand | undefined {
  if (frame.ask !== 0 || frame.address > 15) return undefined;
  if (frame.command === CMD.status) return { kind: 'status', board: frame.address };
  if (frame.command !== CMD.unlock) return undefined;
  if (frame.lock === ALL_LOCKS) return { kind: 'unlock-all', board: frame.address };
  return frame.lock < LOCKS
    ? { kind: 'unlock', board: frame.address, lock: frame.lock + 1 }
    : undefined;
}

function parser<T>(decode: (frame: Cu12Frame) => T | undefined) {
  return createStreamParser<T>({
    startBytes: [STX],
    maxLength: 8 + MAX_DATA,
    probe(buffer, start) {
      const probe = probeFrame(buffer, start);
      if (probe.kind !== 'frame') return probe;
      const value = decode(probe.value);
      return value === undefined ? { kind: 'invalid' } : { ...probe, value };
    },
  });
}

const SUPPORTED: ReadonlySet<HostCommandKind> = new Set(['status', 'unlock', 'unlock-all']);

export const kerongCu12: LockProtocol = {
  id: 'kerong-cu12',
  defaultBaud: 19200,
  bauds: [9600, 19200, 57600, 115200],
  minBoard: 0,
  maxBoard: 15,
  locksPerBoard: LOCKS,
  hasItemSensors: false,
  unlockReplies: true,
  supports: (kind) => SUPPORTED.has(kind),
  encodeCommand,
  encodeReply,
  createReplyParser: () => parser(decodeReply),
  createCommandParser: () => parser(decodeCommand),
};
