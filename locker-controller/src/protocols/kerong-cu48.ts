import { bitsOf, bytesOf, inRange } from './checksum.ts';
import { createStreamParser } from './stream-parser.ts';
import { encodeStxFrame, probeStxFrame, STX } from './stx-frame.ts';
import type { HostCommand, HostCommandKind, LockProtocol, Reply } from './types.ts';

/**
 * Kerong KR-CU48: `02 ADDR LOCK CMD [DATA] 03 SUM`, 48 locks per board, no item sensors.
 * Silent after an unlock. Some firmware variants use other command bytes: probe first.
 */
const CMD = { status: 0x50, unlock: 0x51, statusReply: 0x65 } as const;
const ALL_LOCKS = 0x30;
const LOCKS = 48;

const board = (value: number) => inRange('board', value, 0, 9);
const lockIndex = (lock: number) => inRange('lock', lock, 1, LOCKS) - 1;

function encodeCommand(command: HostCommand): Buffer {
  switch (command.kind) {
    case 'status':
      return encodeStxFrame([board(command.board), 0x00, CMD.status]);
    case 'unlock':
      return encodeStxFrame([board(command.board), lockIndex(command.lock), CMD.unlock]);
    case 'unlock-all':
      return encodeStxFrame([board(command.board), ALL_LOCKS, CMD.unlock]);
    default:
      throw new RangeError(`kerong-cu48 has no ${command.kind} command`);
  }
}

function encodeReply(reply: Reply): Buffer {
  if (reply.kind !== 'status') throw new RangeError(`kerong-cu48 sends no ${reply.kind}`);
  const { status } = reply;
  return encodeStxFrame([board(status.board), 0x00, CMD.statusReply], bytesOf(status.hooks, 6));
}

const replyDataLengths = (command: number) => (command === CMD.statusReply ? [6] : undefined);
const commandDataLengths = (command: number) =>
  command === CMD.status || command === CMD.unlock ? [0] : undefined;

function decodeReply(header: Buffer, data: Buffer): Reply | undefined {
  const address = header[0]!;
  if (address > 9) return undefined;
  return { kind: 'status', status: { board: address, hooks: bitsOf(data, LOCKS) } };
}

function decodeCommand(header: Buffer): HostCommand | undefined {
  const [address, lock, command] = [header[0]!, header[1]!, header[2]!];
  if (address > 9) return undefined;
  if (command === CMD.status) return { kind: 'status', board: address };
  if (lock === ALL_LOCKS) return { kind: 'unlock-all', board: address };
  return lock < LOCKS ? { kind: 'unlock', board: address, lock: lock + 1 } : undefined;
}

const SUPPORTED: ReadonlySet<HostCommandKind> = new Set(['status', 'unlock', 'unlock-all']);

export const kerongCu48: LockProtocol = {
  id: 'kerong-cu48',
  defaultBaud: 19200,
  bauds: [9600, 19200, 57600, 115200],
  minBoard: 0,
  maxBoard: 9,
  locksPerBoard: LOCKS,
  hasItemSensors: false,
  unlockReplies: false,
  supports: (kind) => SUPPORTED.has(kind),
  encodeCommand,
  encodeReply,
  createReplyParser: () =>
    createStreamParser({
      startBytes: [STX],
      maxLength: 12,
      probe: (buffer, start) => probeStxFrame(buffer, start, 3, replyDataLengths, decodeReply),
    }),
  createCommandParser: () =>
    createStreamParser({
      startBytes: [STX],
      maxLength: 6,
      probe: (buffer, start) => probeStxFrame(buffer, start, 3, commandDataLengths, decodeCommand),
    }),
};
