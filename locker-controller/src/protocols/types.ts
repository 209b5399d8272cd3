/**
 * The shape every lock-board protocol shares. Codecs are pure: bytes in, typed values out.
 * Lock numbers are 1-based, as printed on the boards; board numbers are bus addresses.
 */
export type ProtocolId = 'kerong-cu16' | 'kerong-cu48' | 'kerong-cu12' | 'generic-8a';

/** Raw sensor bits of one board, index 0 = lock 1, before any polarity correction. */
export interface BoardStatus {
  board: number;
  /** Hook (door) switch bit per lock. */
  hooks: boolean[];
  /** Infrared item-present bit per lock, where the board reports it. */
  items?: boolean[];
}

/** Commands the host sends. Not every protocol has every command (see `supports`). */
export type HostCommand =
  | { kind: 'status'; board: number }
  | { kind: 'status-all' }
  | { kind: 'unlock'; board: number; lock: number }
  | { kind: 'unlock-all'; board: number }
  | { kind: 'query-pulse'; board: number }
  | { kind: 'set-pulse'; board: number; pulseMs: number }
  | { kind: 'delayed-unlock'; board: number; lock: number; delaySeconds: number }
  | { kind: 'set-baud'; board: number; baud: number }
  | { kind: 'firmware-version'; board: number }
  | { kind: 'query-lock'; board: number; lock: number };

export type HostCommandKind = HostCommand['kind'];

/** Board answer codes of protocols that acknowledge commands (CU12). */
export type BoardAnswer = 'ok' | 'failed' | 'timeout' | 'unknown-command' | 'checksum-error';

/** Replies a board sends. */
export type Reply =
  /** `broadcast`: the answer to a status-all command (a frame per board). */
  | { kind: 'status'; status: BoardStatus; broadcast?: boolean }
  | { kind: 'unlock-ack'; board: number; lock: number; answer: BoardAnswer }
  | { kind: 'nak'; board: number; answer: BoardAnswer }
  | { kind: 'pulse'; board: number; pulseMs: number }
  | { kind: 'delayed-unlock-ack'; board: number; lock: number; delaySeconds: number }
  | { kind: 'baud-ack'; board: number; baud: number }
  | { kind: 'firmware-version'; board: number; version: string };

/** What a streaming parser hands back for each frame-shaped thing it finds. */
export type ParseEvent<T> =
  | { kind: 'frame'; value: T; raw: Buffer }
  /** Well-formed frame whose checksum does not match: reported, never decoded. */
  | { kind: 'bad-checksum'; raw: Buffer };

export interface FrameParser<T> {
  /** Feed bytes as they arrive; returns what the bytes completed. */
  push(chunk: Uint8Array): ParseEvent<T>[];
  /** Forget partial input (after a flush or timeout). */
  reset(): void;
  /** Bytes skipped as garbage since creation. */
  readonly discardedBytes: number;
}

export interface LockProtocol {
  readonly id: ProtocolId;
  readonly defaultBaud: number;
  /** Baud rates a board of this kind may be set to. */
  readonly bauds: readonly number[];
  readonly minBoard: number;
  readonly maxBoard: number;
  readonly locksPerBoard: number;
  readonly hasItemSensors: boolean;
  /** False where the board is silent after an unlock and the host must poll to confirm. */
  readonly unlockReplies: boolean;
  supports(kind: HostCommandKind): boolean;
  /** Throws RangeError on out-of-range addresses: callers validate configuration first. */
  encodeCommand(command: HostCommand): Buffer;
  createReplyParser(): FrameParser<Reply>;
  /** The board side, for the simulator. */
  createCommandParser(): FrameParser<HostCommand>;
  encodeReply(reply: Reply): Buffer;
}
