/**
 * Electron entry: the only file that loads the real `electron` module and the service.
 * Everything it wires is tested in shell.test.ts with a fake Electron.
 */
import { jsonLogger } from '@amtomat/basics';
import electron from 'electron';
import { startService } from '../src/service/service.ts';
import { systemTimers } from './recovery.ts';
import { runShell } from './shell.ts';

await runShell({
  electron,
  startService,
  argv: process.argv,
  env: process.env,
  logger: jsonLogger('kiosk-shell'),
  timers: systemTimers,
});
