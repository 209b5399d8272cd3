import { bitsOf, bytesOf, inRange, xor8 } from './checksum.ts';
import { createStreamParser } from './stream-parser.ts';
import type { HostCommand, HostCommandKind, LockProtocol, Reply } from './types.ts';

/**
 * The generic "8A" vending/locker board: 5-byte host frames, checksum = XOR of the bytes
 * before it. Unlock `8A BB LL 11 X`, query `80 BB LL 33 X` (LL 00 = all locks). The
 * query-all reply is `80 BB S17-24 S9-16 S1-8 33 X`. What a status bit means depends on
 * the wiring: the site's polarity setting says it (calibrated at commissioning).
 */
const UNLOCK = { head: 0x8a, command: 0x11 } as const;
const QUERY = { head: 0x80, command: 0x33 } as const;
const LOCKS = 24;

const boardAddress = (board: number) => inRange('board', board, 1, 16);
const lockNumber = (lock: number) => inRange('lock', lock, 1, LOCKS);

function withXor(bytes: number[]): Buffer {
  return Buffer.from([...bytes, xor8(bytes)]);
}

function encodeCommand(command: HostCommand): Buffer {
  switch (command.kind) {
    case 'status':
      return withXor([QUERY.head, boardAddress(command.board), 0x00, QUERY.command]);
    case 'query-lock':
      return withXor([
        QUERY.head,
        boardAddress(command.board),
        lockNumber(command.lock),
        QUERY.command,
      ]);
    case 'unlock':
      return withXor([
        UNLOCK.head,
        boardAddress(command.board),
        lockNumber(command.lock),
        UNLOCK.command,
      ]);
    case 'unlock-all':
      return withXor([UNLOCK.head, boardAddress(command.board), 0x00, UNLOCK.command]);
    default:
      throw new RangeError(`generic-8a has no ${command.kind} command`);
  }
}

function encodeReply(reply: Reply): Buffer {
  if (reply.kind !== 'status') throw new RangeError(`generic-8a sends no ${reply.kind}`);
  const [s1, s2, s3] = bytesOf(reply.status.hooks, 3);
  return withXor([QUERY.head, boardAddress(reply.status.board), s3!, s2!, s1!, QUERY.command]);
}

const SUPPORTED: ReadonlySet<HostCommandKind> = new Set([
  'status',
  'query-lock',
  'unlock',
  'unlock-all',
]);

export const generic8a: LockProtocol = {
  id: 'generic-8a',
  defaultBaud: 9600,
  bauds: [9600, 19200],
  minBoard: 1,
  maxBoard: 16,
  locksPerBoard: LOCKS,
  hasItemSensors: false,
  unlockReplies: false,
  supports: (kind) => SUPPORTED.has(kind),
  encodeCommand,
  encodeReply,
  createReplyParser: () =>
    createStreamParser<Reply>({
      startBytes: [QUERY.head],
      maxLength: 7,
      probe(buffer, start) {
        if (buffer.length < start + 7) return { kind: 'need-more' };
        const frame = buffer.subarray(start, start + 7);
        const board = frame[1]!;
        if (frame[5] !== QUERY.command || board < 1 || board > 16) return { kind: 'invalid' };
        if (xor8(frame.subarray(0, 6)) !== frame[6]) return { kind: 'bad-checksum', length: 7 };
        const hooks = bitsOf([frame[4]!, frame[3]!, frame[2]!], LOCKS);
        return { kind: 'frame', length: 7, value: { kind: 'status', status: { board, hooks } } };
      },
    }),
  createCommandParser: () =>
    createStreamParser<HostCommand>({
      startBytes: [QUERY.head, UNLOCK.head],
      maxLength: 5,
      probe(buffer, start) {
        if (buffer.length < start + 5) return { kind: 'need-more' };
        const [head, board, lock, command] = buffer.subarray(start, start + 4);
        const isUnlock = head === UNLOCK.head && command === UNLOCK.command;
        const isQuery = head === QUERY.head && command === QUERY.command;
        if ((!isUnlock && !isQuery) || board! < 1 || board! > 16 || lock! > LOCKS) {
          return { kind: 'invalid' };
        }
        if (xor8(buffer.subarray(start, start + 4)) !== buffer[start + 4]) {
          return { kind: 'bad-checksum', length: 5 };
        }
        const value: HostCommand = isUnlock
          ? lock === 0
            ? { kind: 'unlock-all', board: board! }
            : { kind: 'unlock', board: board!, lock: lock! }
          : lock === 0
            ? { kind: 'status', board: board! }
            : { kind: 'query-lock', board: board!, lock: lock! };
        return { kind: 'frame', length: 5, value };
      },
    }),
};
