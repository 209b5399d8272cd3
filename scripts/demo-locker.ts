/**
 * `npm start` at this stage: a simulated terminal's lock boards on a real pseudo-terminal,
 * driven by the real locker controller, with a console to play the person at the lockers.
 * (The kiosk UI replaces this console in a later stage.)
 */
import { createInterface } from 'node:readline';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { createLocker, type DoorEvent, describeUnlockFailure } from '@amtomat/locker-controller';
import { applyCommand } from '../hardware-mocks/src/lock-board-sim/cli.ts';

const BOARDS = 2;
const LOCKS = 8;

const simulator = await LockBoardSimulator.start({ boards: BOARDS });
const compartments = simulator.boards.flatMap((board) =>
  Array.from({ length: LOCKS }, (_, i) => ({
    label: `${String.fromCharCode(65 + board)}${i + 1}`,
    size: i < 4 ? ('S' as const) : ('M' as const),
    bus: 'main',
    board,
    lock: i + 1,
    hasItemSensor: true,
  })),
);
const locker = createLocker({
  buses: [{ id: 'main', transport: { kind: 'serial', path: simulator.hostPath } }],
  compartments,
  timing: { leftOpenMs: 60_000 },
});

const say = (line: string) => console.log(line);
locker.onEvent((event) => say(`  [door monitor] ${describe(event)}`));

function describe(event: DoorEvent): string {
  const { type, ...rest } = event;
  const fields = Object.entries(rest)
    .filter(([key]) => key !== 'at')
    .map(([key, value]) => `${key}=${value}`);
  return `${type} ${fields.join(' ')}`;
}

function where(label: string) {
  return compartments.find((compartment) => compartment.label === label.toUpperCase());
}

say(`Lock-board simulator: ${BOARDS} Kerong CU16 boards on ${simulator.hostPath}`);
say(
  `Compartments ${compartments[0]!.label}..${compartments.at(-1)!.label} (A = board 0, B = board 1)`,
);
say(
  '(For the installer CLI, run its own simulator: npm run sim -- --boards 2, then npx locker-diag.)',
);
say(
  'Type: unlock A3 | close A3 | force A3 | item A3 on|off | jam A3 | unplug | replug | show | help | quit',
);
await locker.start();

async function handle(words: string[]): Promise<string | undefined> {
  const [verb, label = '', flag] = words;
  const compartment = where(label);
  const physical = compartment && [String(compartment.board), String(compartment.lock)];
  switch (verb) {
    case 'unlock': {
      if (!compartment) return `no compartment "${label}"`;
      const result = await locker.unlock(compartment.label);
      return result.ok
        ? `${compartment.label} is open: take or put the item, then "close ${compartment.label}"`
        : `${compartment.label} did not open: ${describeUnlockFailure(result.error)}`;
    }
    case 'close':
    case 'jam':
    case 'item':
      return physical
        ? applyCommand(simulator, [verb, ...physical, flag ?? ''])
        : `no compartment "${label}"`;
    case 'force':
      return physical
        ? applyCommand(simulator, ['open', ...physical])
        : `no compartment "${label}"`;
    default:
      return applyCommand(simulator, words);
  }
}

async function shutdown() {
  await locker.stop();
  await simulator.stop();
  process.exit(0);
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

for await (const line of createInterface({ input: process.stdin })) {
  const reply = await handle(line.trim().split(/\s+/)).catch(
    (error: Error) => `error: ${error.message}`,
  );
  if (reply === 'quit') await shutdown();
  if (reply) say(reply);
}
// Standard input closed (not a terminal): keep the boards running until interrupted.
