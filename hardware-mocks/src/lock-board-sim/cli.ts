/**
 * `npm run sim -- --boards 2 [--protocol kerong-cu16] [--locks N] [--baud N]`: simulated lock
 * boards on a pseudo-terminal. Prints the device path to use as --port, then takes commands
 * on standard input ("close 0 3": a person closes board 0 lock 3; "help" lists them).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PROTOCOL_IDS, type ProtocolId } from '@amtomat/locker-controller/protocols';
import { LockBoardSimulator } from './simulator.ts';

const HELP = `commands (B = board address, L = lock number from 1):
  close B L | open B L        a person closes / forces open a door
  item B L on|off             put an item in / take it out (infrared sensor)
  jam B L | unjam B L         the bolt does not move on unlock
  silent B | talk B           the board stops / starts answering
  slow MS                     delay every reply by MS milliseconds
  corrupt N                   break the checksum of the next N replies
  split on|off                replies arrive in small pieces
  garbage on|off              random bytes before each reply
  unplug | replug             pull / reinsert the USB adapter
  show                        door states
  quit`;

export async function runSimulatorCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      boards: { type: 'string', default: '1' },
      protocol: { type: 'string', default: 'kerong-cu16' },
      locks: { type: 'string' },
      baud: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!PROTOCOL_IDS.includes(values.protocol as ProtocolId)) {
    throw new Error(`unknown protocol ${values.protocol} (one of ${PROTOCOL_IDS.join(', ')})`);
  }
  const simulator = await LockBoardSimulator.start({
    protocol: values.protocol as ProtocolId,
    boards: Number(values.boards),
    ...(values.locks && { locksPerBoard: Number(values.locks) }),
    ...(values.baud && { lineBaud: Number(values.baud) }),
  });
  console.log(
    `simulated ${values.protocol} boards ${simulator.boards.join(', ')} on ${simulator.hostPath}`,
  );
  console.log(
    `try: npx locker-diag --port ${simulator.hostPath} --protocol ${values.protocol} scan`,
  );
  console.log('type "help" for the simulator commands');
  if (!values.quiet) {
    simulator.onCommand(({ command }) => console.log(`<- ${JSON.stringify(command)}`));
  }
  const stop = async () => {
    await simulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    try {
      const reply = await applyCommand(simulator, line.trim().split(/\s+/));
      if (reply === 'quit') break;
      if (reply) console.log(reply);
    } catch (error) {
      console.log(`error: ${(error as Error).message}`);
    }
  }
  await stop();
}

/** Runs one control command; returns what to print. */
export async function applyCommand(
  simulator: LockBoardSimulator,
  [verb, ...args]: string[],
): Promise<string | undefined> {
  const [board, lock] = args.map(Number) as [number, number];
  const { faults } = simulator;
  switch (verb) {
    case undefined:
    case '':
      return undefined;
    case 'close':
      simulator.closeDoor(board, lock);
      return `board ${board} lock ${lock} closed`;
    case 'open':
      simulator.forceOpen(board, lock);
      return `board ${board} lock ${lock} forced open`;
    case 'item':
      simulator.setItem(board, lock, args[2] === 'on');
      return `board ${board} lock ${lock} item ${args[2] === 'on' ? 'present' : 'gone'}`;
    case 'jam':
    case 'unjam':
      simulator.jam(board, lock, verb === 'jam');
      return `board ${board} lock ${lock} ${verb}med`;
    case 'silent':
      faults.silentBoards.add(board);
      return `board ${board} is silent`;
    case 'talk':
      faults.silentBoards.delete(board);
      return `board ${board} answers again`;
    case 'slow':
      faults.replyDelayMs = board;
      return `replies delayed by ${board} ms`;
    case 'corrupt':
      faults.corruptReplies = board;
      return `next ${board} replies corrupted`;
    case 'split':
      faults.splitFrames = args[0] === 'on';
      return `split frames ${args[0]}`;
    case 'garbage':
      faults.garbageBetweenFrames = args[0] === 'on';
      return `garbage ${args[0]}`;
    case 'unplug':
      await simulator.unplug();
      return 'adapter unplugged';
    case 'replug':
      await simulator.replug();
      return 'adapter plugged in again';
    case 'show':
      return simulator.boards
        .map((b) => {
          const doors = Array.from({ length: simulator.protocol.locksPerBoard }, (_, i) => {
            const door = simulator.door(b, i + 1);
            return door.open ? 'O' : door.itemPresent ? '#' : '.';
          });
          return `board ${b}: ${doors.join('')}  (O open, # item, . closed)`;
        })
        .join('\n');
    case 'help':
      return HELP;
    case 'quit':
      return 'quit';
    default:
      return `unknown command "${verb}"; type help`;
  }
}

if (import.meta.main) {
  runSimulatorCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`sim: ${(error as Error).message}`);
    process.exit(1);
  });
}
