import {
  type Clock,
  err,
  type Logger,
  ok,
  type Result,
  silentLogger,
  systemClock,
} from '@amtomat/basics';
import type { FrameParser, HostCommand, LockProtocol, Reply } from '../protocols/types.ts';
import type { Transport, TransportError } from './transport.ts';

export type BusError =
  /** Nothing usable came back, after every retry. */
  | { kind: 'timeout'; attempts: number }
  /** Only corrupted replies came back (noise on the line, wrong baud). */
  | { kind: 'bad-checksum'; attempts: number }
  /** The port is closed: adapter unplugged or not yet reopened. */
  | { kind: 'port-closed' }
  | { kind: 'write-failed'; message: string };

/** `reopening`: the adapter went away and the bus is trying to open it again. */
export type BusState = 'open' | 'reopening' | 'closed';

export interface BusStats {
  commands: number;
  /** Frames handed to the transport (every attempt of a command is one). */
  frames: number;
  retries: number;
  timeouts: number;
  badChecksums: number;
  strayFrames: number;
}

export interface BusOptions {
  protocol: LockProtocol;
  transport: Transport;
  /** Reply timeout per attempt. */
  timeoutMs?: number;
  /** Further attempts after the first. */
  retries?: number;
  /** Backoff for reopening a lost port; `false`: report and stay closed. */
  reopen?: { initialMs?: number; maxMs?: number } | false;
  logger?: Logger;
  clock?: Clock;
}

/**
 * One RS-485 bus: one command at a time, input flushed before each command, a reply
 * timeout with retries, and every outcome a typed value. When the port is lost the bus
 * reopens it with exponential backoff and says so through `onStateChange`.
 */
export interface Bus {
  readonly protocol: LockProtocol;
  readonly description: string;
  readonly state: BusState;
  readonly stats: Readonly<BusStats>;
  /** A command is queued or running. */
  readonly busy: boolean;
  /** A command's frame is out and its reply timeout runs (on the injected clock). */
  readonly awaitingReply: boolean;
  /**
   * Opens the port. With `keepTrying`, a failure leaves the bus `reopening` with backoff,
   * as after a lost adapter (the kiosk starts even when an adapter is missing).
   */
  open(options?: { keepTrying?: boolean }): Promise<Result<void, TransportError>>;
  /** Sends a command and waits for the first reply `match` accepts. */
  request<T>(
    command: HostCommand,
    match: (reply: Reply) => T | undefined,
    options?: { timeoutMs?: number; retries?: number },
  ): Promise<Result<T, BusError>>;
  /** Sends a command that has no reply (an unlock on CU16/CU48). */
  send(command: HostCommand): Promise<Result<void, BusError>>;
  setBaud(baud: number): Promise<Result<void, TransportError>>;
  onStateChange(listener: (state: BusState, reason?: string) => void): () => void;
  close(): Promise<void>;
}

type Attempt<T> = { kind: 'value'; value: T } | { kind: 'silent' } | { kind: 'corrupt' } | BusError;

export function createBus(options: BusOptions): Bus {
  const { protocol, transport } = options;
  const timeoutMs = options.timeoutMs ?? 300;
  const retries = options.retries ?? 2;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const reopen =
    options.reopen === false ? undefined : { initialMs: 250, maxMs: 5000, ...options.reopen };
  const parser: FrameParser<Reply> = protocol.createReplyParser();
  const stats: BusStats = {
    commands: 0,
    frames: 0,
    retries: 0,
    timeouts: 0,
    badChecksums: 0,
    strayFrames: 0,
  };
  const stateListeners = new Set<(state: BusState, reason?: string) => void>();
  let state: BusState = 'closed';
  let queueTail: Promise<unknown> = Promise.resolve();
  let queued = 0;
  let awaitingReply = false;
  let onEvent: ((event: ReturnType<FrameParser<Reply>['push']>[number]) => void) | undefined;
  let onPortLost: (() => void) | undefined;
  /** The one running reopen loop, if any: a second port-lost must not start another. */
  let reopenAbort: AbortController | undefined;
  let closedByCaller = false;

  transport.onData((bytes) => {
    for (const event of parser.push(bytes)) {
      if (event.kind === 'bad-checksum') stats.badChecksums++;
      if (onEvent) onEvent(event);
      else if (event.kind === 'frame') stats.strayFrames++;
    }
  });
  transport.onLost((reason) => {
    onPortLost?.();
    logger.log('warn', 'bus.port_lost', { port: transport.description, reason });
    keepReopening(reason);
  });

  function setState(next: BusState, reason?: string) {
    if (state === next) return;
    state = next;
    for (const listener of stateListeners) listener(next, reason);
  }

  function keepReopening(reason: string) {
    if (closedByCaller || !reopen) return setState('closed', reason);
    setState('reopening', reason);
    if (!reopenAbort) void reopenWithBackoff(reopen.initialMs, reopen.maxMs);
  }

  async function reopenWithBackoff(initialMs: number, maxMs: number) {
    const controller = new AbortController();
    reopenAbort = controller;
    const { signal } = controller;
    let delay = initialMs;
    let lastError = '';
    try {
      while (!signal.aborted) {
        await clock.sleep(delay * (0.8 + Math.random() * 0.4), signal);
        if (signal.aborted) return;
        const opened = await transport.open();
        // close() may have run while the port was opening: do not leave it open behind it.
        if (signal.aborted) {
          if (opened.ok) await transport.close();
          return;
        }
        if (opened.ok) {
          logger.log('info', 'bus.port_reopened', { port: transport.description });
          setState('open');
          return;
        }
        if (opened.error.kind !== lastError) {
          lastError = opened.error.kind;
          logger.log('warn', 'bus.reopen_failed', {
            port: transport.description,
            error: lastError,
          });
        }
        delay = Math.min(maxMs, delay * 2);
      }
    } finally {
      if (reopenAbort === controller) reopenAbort = undefined;
    }
  }

  /** Runs jobs strictly one after another. */
  function serialized<T>(job: () => Promise<T>): Promise<T> {
    queued++;
    const run = queueTail.then(job).finally(() => queued--);
    queueTail = run.catch(() => undefined);
    return run;
  }

  function attempt<T>(frame: Buffer, match: (reply: Reply) => T | undefined, waitMs: number) {
    return new Promise<Attempt<T>>((resolve) => {
      let sawCorrupt = false;
      // The reply timeout runs on the injected clock, so a test's simulated time decides it.
      const timeout = new AbortController();
      const finish = (outcome: Attempt<T>) => {
        if (timeout.signal.aborted) return; // already decided; must not touch a later attempt
        timeout.abort();
        awaitingReply = false;
        onEvent = undefined;
        onPortLost = undefined;
        resolve(outcome);
      };
      void clock
        .sleep(waitMs, timeout.signal)
        .then(() => finish(sawCorrupt ? { kind: 'corrupt' } : { kind: 'silent' }));
      awaitingReply = true;
      stats.frames++;
      onEvent = (event) => {
        if (event.kind === 'bad-checksum') {
          sawCorrupt = true;
          return;
        }
        const value = match(event.value);
        if (value !== undefined) finish({ kind: 'value', value });
      };
      onPortLost = () => finish({ kind: 'port-closed' });
      void transport.write(frame).then((written) => {
        if (!written.ok) finish(writeError(written.error));
      });
    });
  }

  function writeError(error: TransportError): BusError {
    return transport.isOpen
      ? { kind: 'write-failed', message: error.kind }
      : { kind: 'port-closed' };
  }

  async function flushInput() {
    await transport.flush();
    parser.reset();
  }

  return {
    protocol,
    get description() {
      return `${protocol.id} on ${transport.description}`;
    },
    get state() {
      return state;
    },
    stats,
    get busy() {
      return queued > 0;
    },
    get awaitingReply() {
      return awaitingReply;
    },
    async open({ keepTrying = false } = {}) {
      closedByCaller = false;
      const opened = await transport.open();
      if (opened.ok) setState('open');
      else if (keepTrying) keepReopening(opened.error.kind);
      return opened;
    },
    request(command, match, requestOptions = {}) {
      const frame = protocol.encodeCommand(command);
      const attempts = 1 + (requestOptions.retries ?? retries);
      return serialized(async () => {
        stats.commands++;
        let corrupt = false;
        for (let i = 0; i < attempts; i++) {
          if (!transport.isOpen) return err({ kind: 'port-closed' } as const);
          if (i > 0) stats.retries++;
          await flushInput();
          const outcome = await attempt(frame, match, requestOptions.timeoutMs ?? timeoutMs);
          if (outcome.kind === 'value') return ok(outcome.value);
          if (outcome.kind === 'corrupt') corrupt = true;
          else if (outcome.kind !== 'silent') return err(outcome);
        }
        stats.timeouts++;
        return err(corrupt ? { kind: 'bad-checksum', attempts } : { kind: 'timeout', attempts });
      });
    },
    send(command) {
      const frame = protocol.encodeCommand(command);
      return serialized(async () => {
        stats.commands++;
        if (!transport.isOpen) return err({ kind: 'port-closed' } as const);
        await flushInput();
        stats.frames++;
        const written = await transport.write(frame);
        return written.ok ? ok(undefined) : err(writeError(written.error));
      });
    },
    setBaud: (baud) => serialized(() => transport.setBaud(baud)),
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    async close() {
      closedByCaller = true;
      reopenAbort?.abort();
      await serialized(() => transport.close());
      setState('closed');
    },
  };
}

/** One line for a person: what the bus error means. */
export function describeBusError(error: BusError): string {
  switch (error.kind) {
    case 'timeout':
      return `no answer after ${error.attempts} attempts`;
    case 'bad-checksum':
      return `only corrupted answers after ${error.attempts} attempts (noise on the line or wrong baud rate)`;
    case 'port-closed':
      return 'the serial port is closed (adapter unplugged?)';
    case 'write-failed':
      return `writing to the port failed (${error.message})`;
  }
}
