/**
 * `npm start`: the kiosk service on this machine, shown to a person. Electron when its
 * binary can start; otherwise a Chromium app window when Chromium is installed and a
 * display is there; otherwise (and with --headless) the URL is printed.
 *
 *   node kiosk/src/service/main.ts [--demo] [--data DIR] [--port N] [--config FILE] [--headless]
 *
 * Options and KIOSK_DATA / KIOSK_PORT: cli-args.ts. A start that fails prints one line
 * `error: …`: exit 2 when an option or the site file must change, 1 otherwise.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { err, jsonLogger, ok, type Result } from '@amtomat/basics';
import { parseKioskArgs } from './cli-args.ts';
import { siteHardware } from './hardware.ts';
import { ServiceStartError, startService } from './service.ts';
import { startSystemdNotify } from './watchdog.ts';

const args = process.argv.slice(2);
const parsed = parseKioskArgs(args, process.env);
if (!parsed.ok) fail(parsed.error, 2);
const options = parsed.value;

if (!options.headless && electronCanStart()) {
  // The shell starts the service in its own process, from the demo's composition root or
  // the production one (kiosk/electron/demo-main.ts, main.ts).
  const electron = createRequire(import.meta.url)('electron') as string;
  const entry = options.demo ? 'demo-main.ts' : 'main.ts';
  const shell = join(import.meta.dirname, '..', '..', 'electron', entry);
  const child = spawn(electron, [shell, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  await runWithBrowser();
}

async function runWithBrowser() {
  // The demo's hardware only when asked for: the simulator is a dev dependency.
  const demo = options.demo ? await import('./demo.ts') : undefined;
  const hardware = demo?.openDemoHardware ?? siteHardware;
  const service = await startService({ ...options, hardware }).catch((error: unknown) =>
    // One line, no stack trace: 2 when a setting must change, 1 otherwise.
    fail(oneLine(error), error instanceof ServiceStartError ? error.exitCode : 1),
  );
  // Under systemd (the .deb's unit): ready now, then the watchdog (to the journal's stderr).
  const notifier = startSystemdNotify({
    env: process.env,
    storeAnswers: () => service.terminal.store.outboxLength() >= 0,
    logger: jsonLogger('kiosk'),
  });
  const demoControl = service.demoControlUrl ?? '';
  // Under systemd the window is a unit of its own (amtomat-window.service): it reads its
  // one-time URL from a file only the kiosk user can read, never from the journal.
  // The window takes the file when it starts; a window started again finds a fresh one.
  const urlFile = process.env.KIOSK_WINDOW_URL_FILE;
  const offerWindowUrl = (file: string, url: string) => {
    writeFileSync(`${file}.new`, url, { mode: 0o600 });
    renameSync(`${file}.new`, file);
  };
  if (urlFile) {
    offerWindowUrl(urlFile, service.authUrl);
    setInterval(() => {
      if (!existsSync(urlFile)) offerWindowUrl(urlFile, service.windowAuthUrl());
    }, 1000).unref();
  }
  console.log(
    demo
      ? demo.demoInstructions(service.authUrl, demoControl)
      : `Kiosk: ${urlFile ? `${service.url} (window URL in ${urlFile})` : service.authUrl}`,
  );
  const window = options.headless ? undefined : openChromiumApp(service.authUrl, options.dataDir);
  if (window && !window.ok) console.log(`No window opened: ${window.error}. Open the URL above.`);
  const browser = window?.ok ? window.value : undefined;
  const stop = async () => {
    browser?.kill();
    notifier?.close();
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  browser?.on('exit', stop);
}

/** Electron ≥ 42 downloads its binary on first launch; offline that fails, so try it. */
function electronCanStart(): boolean {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  try {
    const binary = createRequire(import.meta.url)('electron') as string;
    if (!existsSync(binary)) return false;
    return spawnSync(binary, ['--version'], { timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

/** The window, or why none can open (for the person who ran `npm start`). */
function openChromiumApp(url: string, dataDir: string): Result<ChildProcess, string> {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return err('no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)');
  }
  const binary = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!binary) {
    return err(
      'Electron could not start (it downloads itself on first launch) and Chromium is not installed (apt-get install chromium)',
    );
  }
  const browser = spawn(
    binary,
    [
      `--app=${url}`,
      '--kiosk',
      `--user-data-dir=${join(dataDir, 'chromium-profile')}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    { stdio: 'ignore' },
  );
  return ok(browser);
}

function fail(message: string, exitCode: 1 | 2): never {
  console.error(`error: ${message}`);
  process.exit(exitCode);
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
