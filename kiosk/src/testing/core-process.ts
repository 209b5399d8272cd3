/**
 * A kiosk core in its own process, for crash tests: `--data DIR --port PATH
 * [--crash-at STEP]`. Reads UI events as JSON lines on stdin (a line `{"device": {...}}` is
 * device input instead: a card tapped, a code scanned), writes each view as a JSON line on
 * stdout. With --crash-at it kills itself (SIGKILL, no cleanup) right after that
 * step of a door's intent protocol, as a power cut would.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { jsonLogger, systemClock } from '@amtomat/basics';
import type { DoorStep } from '../doors/door-service.ts';
import { openTestTerminal } from './kiosk-fixture.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    port: { type: 'string' },
    'crash-at': { type: 'string' },
  },
});
const crashAt = values['crash-at'] as DoorStep | undefined;
const terminal = await openTestTerminal({
  dir: values.data!,
  devicePath: values.port!,
  clock: systemClock,
  logger: jsonLogger('kiosk-core', { minLevel: 'warn' }),
  afterDoorStep: (step) => {
    if (step === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
terminal.core.subscribe((view) => process.stdout.write(`${JSON.stringify({ view })}\n`));
await terminal.core.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const message = JSON.parse(line) as { device?: unknown };
  const result =
    message.device !== undefined
      ? terminal.core.deviceInput(message.device as Parameters<typeof terminal.core.deviceInput>[0])
      : terminal.core.send(message);
  if (!result.ok) process.stdout.write(`${JSON.stringify({ refused: result.error })}\n`);
}
await terminal.close();
