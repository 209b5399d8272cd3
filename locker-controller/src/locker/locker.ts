import {
  type Clock,
  err,
  type Logger,
  ok,
  type Result,
  silentLogger,
  systemClock,
} from '@amtomat/basics';
import { type Bus, type BusError, createBus } from '../bus/bus.ts';
import { serialTransport } from '../bus/serial-transport.ts';
import { tcpTransport } from '../bus/tcp-transport.ts';
import type { Transport, TransportError } from '../bus/transport.ts';
import { PROTOCOLS } from '../protocols/index.ts';
import type { BoardStatus } from '../protocols/types.ts';
import {
  type BusConfig,
  type CompartmentConfig,
  type LockerConfig,
  type LockerConfigInput,
  lockerConfigSchema,
} from './config.ts';
import type { DoorEvent, DoorState, UnlockFailure, UnlockSuccess } from './events.ts';

export interface LockerDeps {
  logger?: Logger;
  clock?: Clock;
  /** Builds the transport of a bus; tests may inject their own. */
  transportFor?: (bus: BusConfig) => Transport;
}

/**
 * The compartments of one terminal across one or more buses: unlock with confirmation and
 * a door monitor that polls every board, fast while a door is open or an unlock runs and
 * slow when all is quiet.
 */
export interface Locker {
  readonly config: LockerConfig;
  /** Opens every bus (a missing adapter keeps being retried) and starts monitoring. */
  start(): Promise<{ bus: string; error: TransportError }[]>;
  stop(): Promise<void>;
  /**
   * Resolves when the door is seen open by polling, or with the reason it is not.
   * `onSent` runs as soon as the unlock command has left (for intent → act → confirm).
   */
  unlock(
    label: string,
    options?: { onSent?: () => void },
  ): Promise<Result<UnlockSuccess, UnlockFailure>>;
  door(label: string): DoorState | undefined;
  /** Resolves once every board has been polled (answered or not) since `start`. */
  polledOnce(): Promise<void>;
  boards(): { bus: string; board: number; online: boolean | undefined }[];
  onEvent(listener: (event: DoorEvent) => void): () => void;
  bus(id: string): Bus | undefined;
}

interface DoorTrack extends DoorState {
  config: CompartmentConfig;
  leftOpenReported: boolean;
}

interface BoardTrack {
  online: boolean | undefined;
  failures: number;
}

interface BusRun {
  id: string;
  bus: Bus;
  /** board → compartments wired to it */
  boards: Map<number, DoorTrack[]>;
  boardTracks: Map<number, BoardTrack>;
  wake: AbortController;
  loop: Promise<void> | undefined;
  firstCycle: PromiseWithResolvers<void>;
}

export function createLocker(
  input: LockerConfigInput | LockerConfig,
  deps: LockerDeps = {},
): Locker {
  const config = lockerConfigSchema.parse(input);
  const { timing } = config;
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const listeners = new Set<(event: DoorEvent) => void>();
  const doors = new Map<string, DoorTrack>();
  const runs = new Map<string, BusRun>();
  /** Compartments with an unlock in progress: their opening is expected. */
  const expecting = new Set<string>();
  let running = false;

  for (const busConfig of config.buses) {
    const protocol = PROTOCOLS[busConfig.protocol];
    const transport =
      deps.transportFor?.(busConfig) ?? defaultTransport(busConfig, protocol.defaultBaud);
    const bus = createBus({
      protocol,
      transport,
      timeoutMs: busConfig.timeoutMs,
      retries: busConfig.retries,
      logger,
      clock,
    });
    const run: BusRun = {
      id: busConfig.id,
      bus,
      boards: new Map(),
      boardTracks: new Map(),
      wake: new AbortController(),
      loop: undefined,
      firstCycle: Promise.withResolvers<void>(),
    };
    bus.onStateChange((state) => {
      if (state !== 'open' && running) {
        for (const board of run.boards.keys()) boardFailed(run, board, 'port-closed', true);
      }
      wake(run);
    });
    runs.set(busConfig.id, run);
  }
  for (const compartment of config.compartments) {
    const track: DoorTrack = {
      config: compartment,
      open: undefined,
      itemPresent: undefined,
      openSince: undefined,
      boardOnline: undefined,
      leftOpenReported: false,
    };
    doors.set(compartment.label, track);
    const run = runs.get(compartment.bus)!;
    const onBoard = run.boards.get(compartment.board) ?? [];
    onBoard.push(track);
    run.boards.set(compartment.board, onBoard);
    run.boardTracks.set(compartment.board, { online: undefined, failures: 0 });
  }

  function emit(event: DoorEvent) {
    for (const listener of listeners) listener(event);
  }

  function wake(run: BusRun) {
    run.wake.abort();
    run.wake = new AbortController();
  }

  async function pollBoard(run: BusRun, board: number): Promise<Result<BoardStatus, BusError>> {
    const result = await run.bus.request({ kind: 'status', board }, (reply) =>
      reply.kind === 'status' && reply.status.board === board ? reply.status : undefined,
    );
    if (result.ok) {
      boardAnswered(run, board);
      applyStatus(run.boards.get(board) ?? [], result.value);
    } else {
      boardFailed(run, board, result.error.kind, false);
    }
    return result;
  }

  function boardAnswered(run: BusRun, board: number) {
    const track = run.boardTracks.get(board)!;
    track.failures = 0;
    if (track.online === true) return;
    track.online = true;
    for (const door of run.boards.get(board) ?? []) door.boardOnline = true;
    logger.log('info', 'locker.board_online', { bus: run.id, board });
    emit({ type: 'board-online', bus: run.id, board, at: clock.now() });
  }

  function boardFailed(run: BusRun, board: number, reason: BusError['kind'], now: boolean) {
    const track = run.boardTracks.get(board)!;
    track.failures++;
    if (track.online === false) return;
    if (!now && track.failures < timing.offlineAfterFailures) return;
    track.online = false;
    for (const door of run.boards.get(board) ?? []) door.boardOnline = false;
    logger.log('warn', 'locker.board_offline', { bus: run.id, board, reason });
    emit({ type: 'board-offline', bus: run.id, board, reason, at: clock.now() });
  }

  function applyStatus(tracks: DoorTrack[], status: BoardStatus) {
    const at = clock.now();
    for (const door of tracks) {
      const { label, lock, polarity, hasItemSensor } = door.config;
      const hookBit = status.hooks[lock - 1] ?? false;
      const open = polarity === 'normal' ? !hookBit : hookBit;
      const present = hasItemSensor ? status.items?.[lock - 1] : undefined;
      if (present !== undefined && present !== door.itemPresent) {
        if (door.itemPresent !== undefined) {
          emit({ type: 'item-present-changed', compartment: label, present, at });
        }
        door.itemPresent = present;
      }
      // After the sensor: whoever hears "closed" reads the item state of the same poll.
      if (open !== door.open) doorChanged(door, open, at);
    }
  }

  function doorChanged(door: DoorTrack, open: boolean, at: number) {
    const label = door.config.label;
    const firstSight = door.open === undefined;
    door.open = open;
    if (open) {
      door.openSince = at;
      door.leftOpenReported = false;
      if (expecting.has(label)) emit({ type: 'opened', compartment: label, at, cause: 'unlock' });
      else if (firstSight) emit({ type: 'opened', compartment: label, at, cause: 'found-open' });
      else {
        logger.log('warn', 'locker.forced_open', { compartment: label });
        emit({ type: 'forced-open', compartment: label, at });
      }
    } else if (!firstSight) {
      const openForMs = door.openSince === undefined ? null : at - door.openSince;
      door.openSince = undefined;
      emit({ type: 'closed', compartment: label, at, openForMs });
    }
  }

  function checkLeftOpen(run: BusRun) {
    const now = clock.now();
    for (const tracks of run.boards.values()) {
      for (const door of tracks) {
        if (!door.open || door.leftOpenReported || door.openSince === undefined) continue;
        const openForMs = now - door.openSince;
        if (openForMs < timing.leftOpenMs) continue;
        door.leftOpenReported = true;
        logger.log('warn', 'locker.left_open', { compartment: door.config.label, openForMs });
        emit({ type: 'left-open', compartment: door.config.label, at: now, openForMs });
      }
    }
  }

  function busIsBusy(run: BusRun): boolean {
    for (const tracks of run.boards.values()) {
      for (const door of tracks) if (door.open || expecting.has(door.config.label)) return true;
    }
    return false;
  }

  async function monitor(run: BusRun) {
    while (running) {
      if (run.bus.state === 'open') {
        try {
          for (const board of run.boards.keys()) {
            if (!running) return;
            // A failed poll is counted inside pollBoard (board-offline after a few).
            void (await pollBoard(run, board));
          }
          checkLeftOpen(run);
        } catch (error) {
          // A bug must not end door monitoring for good: log it and poll again.
          logger.log('error', 'locker.monitor_failed', { bus: run.id, error: String(error) });
        }
      }
      run.firstCycle.resolve(); // every board polled once, or the port is not there
      const gap =
        run.bus.state === 'open' && busIsBusy(run) ? timing.fastPollMs : timing.idlePollMs;
      await clock.sleep(gap, run.wake.signal);
    }
  }

  async function confirmOpen(
    run: BusRun,
    door: DoorTrack,
    onSent: () => void,
  ): Promise<Result<UnlockSuccess, UnlockFailure>> {
    const { label, board, lock } = door.config;
    const wasOpen = door.open === true;
    const unlock = { kind: 'unlock', board, lock } as const;
    if (run.bus.protocol.unlockReplies) {
      const ack = await run.bus.request(unlock, (reply) =>
        reply.kind === 'unlock-ack' && reply.board === board && reply.lock === lock
          ? reply
          : undefined,
      );
      if (!ack.ok) return err(failureOf(ack.error));
      if (ack.value.answer !== 'ok')
        return err({ kind: 'board-refused', answer: ack.value.answer });
    } else {
      const sent = await run.bus.send(unlock);
      if (!sent.ok) return err(failureOf(sent.error));
    }
    onSent();
    const deadline = clock.now() + timing.confirmTimeoutMs;
    let lastPoll: Result<BoardStatus, BusError> | undefined;
    do {
      lastPoll = await pollBoard(run, board);
      if (door.open) return ok({ compartment: label, openedAt: clock.now(), wasOpen });
      await clock.sleep(Math.max(timing.fastPollMs, 10));
    } while (clock.now() < deadline);
    if (lastPoll && !lastPoll.ok) return err(failureOf(lastPoll.error));
    return err({ kind: 'jammed' });
  }

  return {
    config,
    async start() {
      running = true;
      const failures: { bus: string; error: TransportError }[] = [];
      for (const run of runs.values()) {
        const opened = await run.bus.open({ keepTrying: true });
        if (!opened.ok) {
          logger.log('warn', 'locker.bus_open_failed', { bus: run.id, error: opened.error.kind });
          failures.push({ bus: run.id, error: opened.error });
        }
        run.loop = monitor(run);
      }
      return failures;
    },
    async stop() {
      running = false;
      for (const run of runs.values()) wake(run);
      await Promise.all([...runs.values()].map((run) => run.loop));
      await Promise.all([...runs.values()].map((run) => run.bus.close()));
    },
    async unlock(label, { onSent = () => {} } = {}) {
      const door = doors.get(label);
      if (!door) return err({ kind: 'unknown-compartment' });
      const run = runs.get(door.config.bus)!;
      if (run.bus.state !== 'open') return err({ kind: 'port-closed' });
      expecting.add(label);
      wake(run);
      try {
        const result = await confirmOpen(run, door, onSent);
        logger.log(result.ok ? 'info' : 'warn', 'locker.unlock', {
          compartment: label,
          outcome: result.ok ? 'opened' : result.error.kind,
        });
        return result;
      } finally {
        expecting.delete(label);
      }
    },
    async polledOnce() {
      await Promise.all([...runs.values()].map((run) => run.firstCycle.promise));
    },
    door(label) {
      const door = doors.get(label);
      if (!door) return undefined;
      const { open, itemPresent, openSince, boardOnline } = door;
      return { open, itemPresent, openSince, boardOnline };
    },
    boards() {
      return [...runs.values()].flatMap((run) =>
        [...run.boardTracks].map(([board, track]) => ({
          bus: run.id,
          board,
          online: track.online,
        })),
      );
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    bus: (id) => runs.get(id)?.bus,
  };
}

function failureOf(error: BusError): UnlockFailure {
  return error.kind === 'port-closed'
    ? { kind: 'port-closed' }
    : { kind: 'board-silent', detail: error.kind };
}

function defaultTransport(bus: BusConfig, defaultBaud: number): Transport {
  return bus.transport.kind === 'serial'
    ? serialTransport(bus.transport.path, bus.transport.baud ?? defaultBaud)
    : tcpTransport(bus.transport.host, bus.transport.port);
}
