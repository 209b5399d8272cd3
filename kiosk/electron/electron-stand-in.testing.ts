/**
 * Electron's stand-in for running the bundled main process with plain Node (packaged.test.ts):
 *
 *   node --import ./electron-stand-in.testing.ts kiosk/build/…/main.js --data DIR …
 *
 * Imported first, it resolves the bundle's `import electron from "electron"` to this module,
 * a packaged app with the hand-written fake Electron: the window writes the URL it would load
 * as one JSON line on stdout (the test then acts as the window), `app.exit(code)` ends the
 * process, and SIGTERM quits as closing the window would (the service closes first).
 */
import { registerHooks } from 'node:module';
import { createFakeElectron } from './fake-electron.testing.ts';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: import.meta.url, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

/** The line the stand-in window prints instead of loading a page. */
export interface WindowLoads {
  standIn: 'window-loads';
  url: string;
}

const electron = createFakeElectron();
const { app } = electron;
app.isPackaged = true;
app.exit = (code) => process.exit(code);
const quit = app.quit.bind(app);
app.quit = () => {
  quit();
  if (app.quitCompleted) process.exit(0);
};
process.once('SIGTERM', () => app.quit());

class StandInWindow extends electron.BrowserWindow {
  override loadURL(url: string): Promise<void> {
    const line: WindowLoads = { standIn: 'window-loads', url };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return super.loadURL(url);
  }
}

export default { ...electron, BrowserWindow: StandInWindow };
