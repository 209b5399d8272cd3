/**
 * locker-diag: the installer's tool for lock boards. One job per command, a one-line
 * message and a distinct exit code for every failure a person can act on.
 */
import { parseArgs } from 'node:util';
import { type Bus, createBus, describeBusError } from '../bus/bus.ts';
import { serialTransport } from '../bus/serial-transport.ts';
import { tcpTransport } from '../bus/tcp-transport.ts';
import { describeTransportError, type Transport } from '../bus/transport.ts';
import type { CompartmentConfig } from '../locker/config.ts';
import { type DoorEvent, describeUnlockFailure } from '../locker/events.ts';
import { createLocker } from '../locker/locker.ts';
import { PROTOCOL_IDS, PROTOCOLS } from '../protocols/index.ts';
import type { BoardStatus, LockProtocol, ProtocolId } from '../protocols/types.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, port: 3, noAnswer: 4 } as const;

const USAGE = `usage: locker-diag --port PATH [--protocol ${PROTOCOL_IDS.join('|')}] [--baud N]
                   [--polarity normal|inverted] [--json] <command>

  status --board N          door and item states of one board
  open --board N --lock M   unlock one lock and wait until the door is seen open
  scan                      which board addresses answer, with lock counts
  probe-baud                which baud rate the boards answer on
  watch [--board N]         stream door events until interrupted (Ctrl-C)

PATH is a serial device (/dev/ttyUSB0) or a Kerong BU gateway as tcp://HOST:PORT.
Exit codes: 0 ok, 1 door not confirmed open, 2 usage, 3 port problem, 4 no answer.`;

class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the user interrupts (Ctrl-C); for `watch`. */
  interrupted: Promise<void>;
}

interface Options {
  port: string;
  protocol: LockProtocol;
  baud: number;
  inverted: boolean;
  json: boolean;
  board: number | undefined;
  lock: number | undefined;
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { command, options } = parseCommandLine(argv);
    if (command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    const bus = await openBus(options);
    try {
      return await COMMANDS[command](bus, options, io);
    } finally {
      await bus.close();
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.err(`locker-diag: ${error.message}`);
    return error.exitCode;
  }
}

const COMMANDS = {
  status: statusCommand,
  open: openCommand,
  scan: scanCommand,
  'probe-baud': probeBaudCommand,
  watch: watchCommand,
} as const;
type Command = keyof typeof COMMANDS;

function parseCommandLine(argv: string[]): { command: Command | 'help'; options: Options } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, EXIT.usage);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === 'help') return { command: 'help', options: {} as Options };
  if (!command || !(command in COMMANDS) || positionals.length > 1) {
    throw new CliError(
      command ? `unknown command "${positionals.join(' ')}"\n${USAGE}` : USAGE,
      EXIT.usage,
    );
  }
  if (!values.port) throw new CliError('--port PATH is required', EXIT.usage);
  const protocolId = values.protocol as ProtocolId;
  const protocol = PROTOCOLS[protocolId];
  if (!protocol) {
    throw new CliError(
      `unknown protocol "${values.protocol}" (one of ${PROTOCOL_IDS.join(', ')})`,
      EXIT.usage,
    );
  }
  if (values.polarity !== 'normal' && values.polarity !== 'inverted') {
    throw new CliError('--polarity is normal or inverted', EXIT.usage);
  }
  const options: Options = {
    port: values.port,
    protocol,
    baud:
      values.baud === undefined
        ? protocol.defaultBaud
        : integer('--baud', values.baud, 300, 4_000_000),
    inverted: values.polarity === 'inverted',
    json: values.json,
    board: optionalInteger('--board', values.board, protocol.minBoard, protocol.maxBoard),
    lock: optionalInteger('--lock', values.lock, 1, protocol.locksPerBoard),
  };
  if ((command === 'status' || command === 'open') && options.board === undefined) {
    throw new CliError(`${command} needs --board N`, EXIT.usage);
  }
  if (command === 'open' && options.lock === undefined) {
    throw new CliError('open needs --lock M', EXIT.usage);
  }
  return { command: command as Command, options };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      protocol: { type: 'string', default: 'kerong-cu16' },
      baud: { type: 'string' },
      polarity: { type: 'string', default: 'normal' },
      board: { type: 'string' },
      lock: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new CliError(`${name} must be a whole number from ${min} to ${max}`, EXIT.usage);
  }
  return value;
}

function optionalInteger(name: string, text: string | undefined, min: number, max: number) {
  return text === undefined ? undefined : integer(name, text, min, max);
}

function transportFor(options: Options): Transport {
  const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(options.port);
  return tcp ? tcpTransport(tcp[1]!, Number(tcp[2])) : serialTransport(options.port, options.baud);
}

async function openBus(options: Options): Promise<Bus> {
  const bus = createBus({
    protocol: options.protocol,
    transport: transportFor(options),
    reopen: false,
  });
  const opened = await bus.open();
  if (!opened.ok) throw new CliError(describeTransportError(opened.error), EXIT.port);
  return bus;
}

async function readStatus(bus: Bus, board: number, quick = false) {
  return bus.request(
    { kind: 'status', board },
    (reply) => (reply.kind === 'status' && reply.status.board === board ? reply.status : undefined),
    quick ? { timeoutMs: 150, retries: 0 } : {},
  );
}

function noAnswer(bus: Bus, board: number, why: string): CliError {
  return new CliError(
    `board ${board} did not answer on ${bus.description}: ${why}. Check wiring, power, the address switch and the baud rate (try probe-baud).`,
    EXIT.noAnswer,
  );
}

interface LockView {
  lock: number;
  closed: boolean;
  itemPresent: boolean | null;
}

function lockViews(status: BoardStatus, inverted: boolean): LockView[] {
  return status.hooks.map((hook, i) => ({
    lock: i + 1,
    closed: inverted ? !hook : hook,
    itemPresent: status.items ? status.items[i]! : null,
  }));
}

async function statusCommand(bus: Bus, options: Options, io: Io): Promise<number> {
  const board = options.board!;
  const status = await readStatus(bus, board);
  if (!status.ok) throw noAnswer(bus, board, describeBusError(status.error));
  const locks = lockViews(status.value, options.inverted);
  if (options.json) {
    io.out(JSON.stringify({ board, locks }));
    return EXIT.ok;
  }
  io.out(`board ${board} (${bus.description})`);
  io.out('lock  door    item');
  for (const { lock, closed, itemPresent } of locks) {
    const item = itemPresent === null ? '-' : itemPresent ? 'present' : 'empty';
    io.out(`${String(lock).padStart(4)}  ${(closed ? 'closed' : 'OPEN').padEnd(6)}  ${item}`);
  }
  return EXIT.ok;
}

function compartmentsFor(bus: Bus, boards: number[], inverted: boolean): CompartmentConfig[] {
  return boards.flatMap((board) =>
    Array.from({ length: bus.protocol.locksPerBoard }, (_, i) => ({
      label: `${board}/${i + 1}`,
      size: 'M' as const,
      bus: 'diag',
      board,
      lock: i + 1,
      polarity: inverted ? ('inverted' as const) : ('normal' as const),
      hasItemSensor: bus.protocol.hasItemSensors,
    })),
  );
}

/** A locker over the already open bus, so unlock and watch use the kiosk's own logic. */
function diagLocker(bus: Bus, options: Options, boards: number[]) {
  return createLocker(
    {
      buses: [
        {
          id: 'diag',
          protocol: options.protocol.id,
          transport: { kind: 'serial', path: options.port },
        },
      ],
      compartments: compartmentsFor(bus, boards, options.inverted),
    },
    { transportFor: () => transportFor(options) },
  );
}

async function openCommand(bus: Bus, options: Options, io: Io): Promise<number> {
  const board = options.board!;
  const lock = options.lock!;
  const before = await readStatus(bus, board);
  if (!before.ok) throw noAnswer(bus, board, describeBusError(before.error));
  await bus.close(); // the locker opens the port itself
  const locker = diagLocker(bus, options, [board]);
  const failures = await locker.start();
  try {
    if (failures[0]) throw new CliError(describeTransportError(failures[0].error), EXIT.port);
    const result = await locker.unlock(`${board}/${lock}`);
    const outcome = result.ok ? 'opened' : result.error.kind;
    const message = result.ok
      ? `board ${board} lock ${lock}: door confirmed open${result.value.wasOpen ? ' (it was already open)' : ''}`
      : `board ${board} lock ${lock}: not confirmed open: ${describeUnlockFailure(result.error)}`;
    io.out(options.json ? JSON.stringify({ board, lock, outcome, message }) : message);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await locker.stop();
  }
}

async function findBoards(bus: Bus): Promise<{ board: number; status: BoardStatus }[]> {
  const found: { board: number; status: BoardStatus }[] = [];
  for (let board = bus.protocol.minBoard; board <= bus.protocol.maxBoard; board++) {
    const status = await readStatus(bus, board, true);
    if (status.ok) found.push({ board, status: status.value });
    else if (status.error.kind === 'port-closed')
      throw new CliError(describeBusError(status.error), EXIT.port);
  }
  return found;
}

async function scanCommand(bus: Bus, options: Options, io: Io): Promise<number> {
  const found = await findBoards(bus);
  const boards = found.map(({ board, status }) => ({
    board,
    locks: status.hooks.length,
    open: lockViews(status, options.inverted).filter((lock) => !lock.closed).length,
  }));
  if (options.json) io.out(JSON.stringify({ boards }));
  else {
    for (const { board, locks, open } of boards) {
      io.out(`board ${board}: answers, ${locks} locks, ${open} open`);
    }
  }
  if (boards.length > 0) return EXIT.ok;
  const range = `${bus.protocol.minBoard}..${bus.protocol.maxBoard}`;
  throw new CliError(
    `no board answered at addresses ${range} on ${bus.description}. Check wiring, power, protocol and baud rate (try probe-baud).`,
    EXIT.noAnswer,
  );
}

async function probeBaudCommand(bus: Bus, options: Options, io: Io): Promise<number> {
  const tried: { baud: number; boards: number[] }[] = [];
  for (const baud of bus.protocol.bauds) {
    const changed = await bus.setBaud(baud);
    if (!changed.ok) throw new CliError(describeTransportError(changed.error), EXIT.port);
    const boards = (await findBoards(bus)).map(({ board }) => board);
    tried.push({ baud, boards });
    if (!options.json) {
      io.out(
        `${String(baud).padStart(6)} baud: ${boards.length ? `boards ${boards.join(', ')} answer` : 'no answer'}`,
      );
    }
  }
  const answering = tried.filter(({ boards }) => boards.length > 0);
  const baud = answering[0]?.baud ?? null;
  if (options.json) io.out(JSON.stringify({ baud, tried }));
  else if (baud !== null) io.out(`boards answer at ${baud} baud`);
  if (baud !== null) return EXIT.ok;
  throw new CliError(
    `no board answered at ${bus.protocol.bauds.join(', ')} baud on ${options.port}. Check wiring, power and protocol.`,
    EXIT.noAnswer,
  );
}

function describeEvent(event: DoorEvent): string {
  const where =
    'compartment' in event
      ? `board ${event.compartment.replace('/', ' lock ')}`
      : `board ${event.board}`;
  switch (event.type) {
    case 'opened':
      return `${where}: opened (${event.cause})`;
    case 'forced-open':
      return `${where}: FORCED OPEN (no unlock was sent)`;
    case 'closed':
      return `${where}: closed`;
    case 'left-open':
      return `${where}: LEFT OPEN for ${Math.round(event.openForMs / 1000)} s`;
    case 'item-present-changed':
      return `${where}: item ${event.present ? 'present' : 'gone'}`;
    case 'board-offline':
      return `${where}: OFFLINE (${event.reason})`;
    case 'board-online':
      return `${where}: online`;
  }
}

async function watchCommand(bus: Bus, options: Options, io: Io): Promise<number> {
  const boards =
    options.board === undefined
      ? (await findBoards(bus)).map(({ board }) => board)
      : [options.board];
  if (boards.length === 0) {
    throw new CliError(
      `no board answered on ${bus.description}; nothing to watch (try scan).`,
      EXIT.noAnswer,
    );
  }
  await bus.close();
  const locker = diagLocker(bus, options, boards);
  locker.onEvent((event) => {
    const time = new Date(event.at).toISOString();
    io.out(options.json ? JSON.stringify(event) : `${time}  ${describeEvent(event)}`);
  });
  const failures = await locker.start();
  if (failures[0]) {
    await locker.stop();
    throw new CliError(describeTransportError(failures[0].error), EXIT.port);
  }
  if (!options.json)
    io.err(`watching boards ${boards.join(', ')} on ${options.port}; Ctrl-C to stop`);
  await io.interrupted;
  await locker.stop();
  return EXIT.ok;
}

if (import.meta.main) {
  // `locker-diag status | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interrupted,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`locker-diag: internal error: ${(error as Error).message}\n`);
      process.exit(70);
    },
  );
}
