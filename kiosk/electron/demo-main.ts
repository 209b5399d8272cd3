/**
 * Electron entry of the demo (`npm start` with a window): the demo's composition root, with
 * simulated lock boards and fake card reader and scanner (service/demo.ts, which needs the
 * dev dependency @amtomat/hardware-mocks). Never bundled or packaged.
 */
import { jsonLogger } from '@amtomat/basics';
import electron from 'electron';
import { openDemoHardware } from '../src/service/demo.ts';
import { startService } from '../src/service/service.ts';
import { systemTimers } from './recovery.ts';
import { runShell } from './shell.ts';

await runShell({
  electron,
  startService: ({ demo: _demo, ...options }) =>
    startService({ ...options, hardware: openDemoHardware }),
  argv: process.argv,
  env: process.env,
  logger: jsonLogger('kiosk-shell'),
  timers: systemTimers,
});
