import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type {
  FrameParser,
  HostCommand,
  LockProtocol,
  ProtocolId,
  Reply,
} from '@amtomat/locker-controller/protocols';
import { PROTOCOLS } from '@amtomat/locker-controller/protocols';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from '../pty/pty-pair.ts';

const run = promisify(execFile);

/** Faults a test or a person can switch on while the simulator runs. */
export interface SimFaults {
  /** Boards that hear nothing and say nothing. */
  silentBoards: Set<number>;
  /** Extra time before each reply. */
  replyDelayMs: number;
  /** How many of the next replies leave with a broken checksum (Infinity: all). */
  corruptReplies: number;
  /** Replies dribble out in pieces with gaps, as through a slow converter. */
  splitFrames: boolean;
  /** Random bytes on the line before each reply. */
  garbageBetweenFrames: boolean;
  /** Locks whose bolt does not move on unlock, as "board:lock". */
  jammedLocks: Set<string>;
}

export interface SimDoor {
  open: boolean;
  itemPresent: boolean;
  unlocks: number;
}

export interface SimulatorOptions {
  protocol?: ProtocolId;
  /** Board addresses; a number n means n boards from the protocol's first address. */
  boards?: number | number[];
  locksPerBoard?: number;
  /** How a hook bit reads: `closed-is-1` (usual wiring) or `open-is-1`. */
  hookBit?: 'closed-is-1' | 'open-is-1';
  /**
   * The baud rate the boards listen at. When set, a frame counts only if the host side of
   * the line was set to that speed, as a real UART would hear garbage otherwise.
   */
  lineBaud?: number;
  /** Delay each reply by its transmission time at the line speed. */
  emulateLineTiming?: boolean;
  /** Folder for the pty links (default: a new temporary folder). */
  dir?: string;
}

export interface ReceivedCommand {
  command: HostCommand;
  /** performance.now() when the frame was complete at the board. */
  at: number;
  /** Whether the board sends a reply (a silent board does not); known once `idle()` resolves. */
  answered: boolean;
}

/**
 * Lock boards on the far end of a real pseudo-terminal pair. The kiosk side opens
 * `hostPath` like a USB-RS485 adapter; the simulator answers with the protocol's frames.
 * Doors open on unlock (unless jammed) and are closed by `closeDoor`, "a person closes
 * door 3".
 */
export class LockBoardSimulator {
  readonly protocol: LockProtocol;
  readonly faults: SimFaults = {
    silentBoards: new Set(),
    replyDelayMs: 0,
    corruptReplies: 0,
    splitFrames: false,
    garbageBetweenFrames: false,
    jammedLocks: new Set(),
  };
  readonly received: ReceivedCommand[] = [];
  private readonly doors = new Map<number, SimDoor[]>();
  private readonly options: SimulatorOptions;
  private readonly commandListeners = new Set<(command: ReceivedCommand) => void>();
  private readonly parser: FrameParser<HostCommand>;
  private pty: PtyPair | undefined;
  private port: SerialPort | undefined;
  private lineBaud: number | undefined;
  private replyChain: Promise<void> = Promise.resolve();
  private receiveChain: Promise<void> = Promise.resolve();

  private constructor(options: SimulatorOptions) {
    this.options = options;
    this.protocol = PROTOCOLS[options.protocol ?? 'kerong-cu16'];
    this.parser = this.protocol.createCommandParser();
    this.lineBaud = options.lineBaud;
    const locks = options.locksPerBoard ?? this.protocol.locksPerBoard;
    for (const board of boardAddresses(this.protocol, options.boards ?? 1)) {
      this.doors.set(
        board,
        Array.from({ length: locks }, () => ({ open: false, itemPresent: false, unlocks: 0 })),
      );
    }
  }

  static async start(options: SimulatorOptions = {}): Promise<LockBoardSimulator> {
    const simulator = new LockBoardSimulator(options);
    simulator.pty = await openPtyPair(options.dir);
    await simulator.attach();
    return simulator;
  }

  /** The device path the kiosk (or locker-diag) opens. */
  get hostPath(): string {
    if (!this.pty) throw new Error('simulator not started');
    return this.pty.hostPath;
  }

  get boards(): number[] {
    return [...this.doors.keys()];
  }

  door(board: number, lock: number): SimDoor {
    const door = this.doors.get(board)?.[lock - 1];
    if (!door) throw new RangeError(`no simulated lock ${lock} on board ${board}`);
    return door;
  }

  /** A person pushes the door shut. */
  closeDoor(board: number, lock: number): void {
    this.door(board, lock).open = false;
  }

  /** A door opens without an unlock command: forced, or a bolt that failed. */
  forceOpen(board: number, lock: number): void {
    this.door(board, lock).open = true;
  }

  setItem(board: number, lock: number, present: boolean): void {
    this.door(board, lock).itemPresent = present;
  }

  jam(board: number, lock: number, jammed = true): void {
    this.door(board, lock);
    if (jammed) this.faults.jammedLocks.add(`${board}:${lock}`);
    else this.faults.jammedLocks.delete(`${board}:${lock}`);
  }

  onCommand(listener: (command: ReceivedCommand) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  /**
   * Resolves when every frame that has reached the simulator is handled and its replies
   * are written to the line (a test on a simulated clock knows then that a reply it still
   * waits for is not coming).
   */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [this.receiveChain, this.replyChain];
      await Promise.all(chains);
      if (chains[0] === this.receiveChain && chains[1] === this.replyChain) return;
    }
  }

  /** The USB adapter is pulled: the device node disappears. */
  async unplug(): Promise<void> {
    await this.detach();
    await this.pty?.unplug();
  }

  async replug(): Promise<void> {
    await this.pty?.replug();
    await this.attach();
  }

  async stop(): Promise<void> {
    await this.detach();
    await this.pty?.close();
    this.pty = undefined;
  }

  private async attach(): Promise<void> {
    if (!this.pty) return;
    const port = new SerialPort({ path: this.pty.devicePath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((error) => (error ? reject(error) : resolve())),
    );
    port.on('error', () => {});
    // Frames are handled strictly in arrival order, even while a line-speed check awaits.
    port.on('data', (bytes: Buffer) => {
      this.receiveChain = this.receiveChain.then(() => this.receive(bytes)).catch(() => {});
    });
    this.parser.reset();
    this.port = port;
  }

  private async detach(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    // A write cut off by the unplug never calls back: start the chains afresh.
    this.replyChain = Promise.resolve();
    this.receiveChain = Promise.resolve();
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private async receive(bytes: Buffer): Promise<void> {
    for (const event of this.parser.push(bytes)) {
      if (event.kind !== 'frame') continue;
      const received = { command: event.value, at: performance.now(), answered: false };
      if (!(await this.hearsLineSpeed())) continue;
      this.received.push(received);
      for (const listener of this.commandListeners) listener(received);
      const replies = this.execute(event.value);
      received.answered = replies.length > 0;
      if (replies.length > 0) this.queueReplies(replies, event.raw.length);
    }
  }

  /** With `lineBaud` set: did the host set its side of the line to our speed? */
  private async hearsLineSpeed(): Promise<boolean> {
    if (this.lineBaud === undefined || !this.pty) return true;
    try {
      const { stdout } = await run('stty', ['-F', this.pty.hostPath, 'speed']);
      return Number(stdout.trim()) === this.lineBaud;
    } catch {
      return false;
    }
  }

  /** Applies a command to the simulated hardware; returns the replies to send. */
  private execute(command: HostCommand): Reply[] {
    if (command.kind === 'status-all') {
      return this.boards
        .filter((board) => !this.faults.silentBoards.has(board))
        .map((board) => ({ ...this.statusReply(board), broadcast: true }));
    }
    const { board } = command;
    if (!this.doors.has(board) || this.faults.silentBoards.has(board)) return [];
    switch (command.kind) {
      case 'status':
        return [this.statusReply(board)];
      case 'unlock':
        this.unlock(board, command.lock);
        return this.protocol.unlockReplies
          ? [{ kind: 'unlock-ack', board, lock: command.lock, answer: 'ok' }]
          : [];
      case 'unlock-all': {
        const locks = this.doors.get(board)?.length ?? 0;
        for (let lock = 1; lock <= locks; lock++) this.unlock(board, lock);
        return this.protocol.id === 'kerong-cu16' ? [this.statusReply(board)] : [];
      }
      case 'query-pulse':
        return [{ kind: 'pulse', board, pulseMs: 550 }];
      case 'set-pulse':
        return [{ kind: 'pulse', board, pulseMs: command.pulseMs }];
      case 'delayed-unlock':
        setTimeout(() => this.unlock(board, command.lock), command.delaySeconds * 1000).unref();
        return [
          {
            kind: 'delayed-unlock-ack',
            board,
            lock: command.lock,
            delaySeconds: command.delaySeconds,
          },
        ];
      case 'set-baud':
        setTimeout(() => {
          if (this.lineBaud !== undefined) this.lineBaud = command.baud;
        }, 50).unref();
        return [{ kind: 'baud-ack', board, baud: command.baud }];
      case 'firmware-version':
        return [{ kind: 'firmware-version', board, version: '1.1' }];
      case 'query-lock':
        return []; // the reply format of this query is undocumented
    }
  }

  private unlock(board: number, lock: number): void {
    const door = this.doors.get(board)?.[lock - 1];
    if (!door) return;
    door.unlocks++;
    if (!this.faults.jammedLocks.has(`${board}:${lock}`)) door.open = true;
  }

  private statusReply(board: number): Reply & { kind: 'status' } {
    const doors = this.doors.get(board) ?? [];
    const closedIsOne = (this.options.hookBit ?? 'closed-is-1') === 'closed-is-1';
    return {
      kind: 'status',
      status: {
        board,
        hooks: doors.map((door) => door.open !== closedIsOne),
        ...(this.protocol.hasItemSensors && { items: doors.map((door) => door.itemPresent) }),
      },
    };
  }

  private queueReplies(replies: Reply[], commandBytes: number): void {
    this.replyChain = this.replyChain
      .then(() => this.sendReplies(replies, commandBytes))
      .catch(() => {});
  }

  private async sendReplies(replies: Reply[], commandBytes: number): Promise<void> {
    const { faults } = this;
    if (faults.replyDelayMs > 0) await sleep(faults.replyDelayMs);
    // The command itself took its time on the wire before the board could act on it.
    let wireBytes = commandBytes;
    for (const reply of replies) {
      let frame = this.protocol.encodeReply(reply);
      if (faults.corruptReplies > 0) {
        faults.corruptReplies--;
        frame = Buffer.from(frame);
        frame[frame.length - 1]! ^= 0x5a; // the checksum or checksummed data: either way broken
      }
      if (faults.garbageBetweenFrames) frame = Buffer.concat([garbage(), frame]);
      if (this.options.emulateLineTiming) {
        wireBytes += frame.length;
        await sleep(transmissionMs(wireBytes, this.lineBaud ?? this.protocol.defaultBaud));
        wireBytes = 0;
      }
      if (faults.splitFrames) {
        for (let i = 0; i < frame.length; i += 3) {
          await this.write(frame.subarray(i, i + 3));
          await sleep(2);
        }
      } else {
        await this.write(frame);
      }
    }
  }

  private write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.write(bytes, () => port.drain(() => resolve())));
  }
}

/** 8N1: ten bit times per byte. */
export function transmissionMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}

function boardAddresses(protocol: LockProtocol, boards: number | number[]): number[] {
  if (Array.isArray(boards)) return boards;
  return Array.from({ length: boards }, (_, i) => protocol.minBoard + i);
}

function garbage(): Buffer {
  return Buffer.from(
    Array.from({ length: 1 + Math.floor(Math.random() * 6) }, () =>
      Math.floor(Math.random() * 256),
    ),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
