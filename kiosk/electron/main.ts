/**
 * Electron entry and the packaged kiosk's composition root: the real `electron` module, the
 * service, and the site file's hardware (`siteHardware`). The demo has its own root
 * (`demo-main.ts`), so the simulator never enters this bundle. Everything it wires is
 * tested in shell.test.ts with a fake Electron; the bundle in packaged.test.ts.
 */
import { jsonLogger } from '@amtomat/basics';
import electron from 'electron';
import { siteHardware } from '../src/service/hardware.ts';
import { ServiceStartError, startService } from '../src/service/service.ts';
import { systemTimers } from './recovery.ts';
import { runShell } from './shell.ts';

await runShell({
  electron,
  startService: async ({ demo, ...options }) => {
    if (demo) {
      throw new ServiceStartError(
        '--demo: this build has no demo hardware; run the demo from the sources (npm start)',
      );
    }
    return startService({ ...options, hardware: siteHardware });
  },
  argv: process.argv,
  env: process.env,
  logger: jsonLogger('kiosk-shell'),
  timers: systemTimers,
});
