/**
 * `npm start`: the kiosk service on this machine, shown to a person. Electron when its
 * binary can start; otherwise a Chromium app window when Chromium is installed and a
 * display is there; otherwise (and with --headless) the URL is printed.
 *
 *   node kiosk/src/service/main.ts [--demo] [--data DIR] [--port N] [--config FILE] [--headless]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { demoInstructions, parseServiceArgs, ServiceStartError, startService } from './service.ts';

const args = process.argv.slice(2);
let options: ReturnType<typeof parseServiceArgs>;
try {
  options = parseServiceArgs(args, process.env);
} catch (error) {
  console.error(`kiosk: ${(error as Error).message}`);
  process.exit(2);
}

if (!options.headless && electronCanStart()) {
  // The shell starts the service in its own process (kiosk/electron/main.ts).
  const electron = createRequire(import.meta.url)('electron') as string;
  const shell = join(import.meta.dirname, '..', '..', 'electron', 'main.ts');
  const child = spawn(electron, [shell, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  await runWithBrowser();
}

async function runWithBrowser() {
  const service = await startService(options).catch((error: unknown) => {
    if (error instanceof ServiceStartError) {
      console.error(`kiosk: ${error.message}`);
      process.exit(2);
    }
    throw error;
  });
  const demoControl = service.demoControlUrl ?? '';
  console.log(
    options.demo ? demoInstructions(service.authUrl, demoControl) : `Kiosk: ${service.authUrl}`,
  );
  const browser = options.headless ? undefined : openChromiumApp(service.authUrl, options.dataDir);
  if (!browser && !options.headless) console.log('No window could be opened: open the URL above.');
  const stop = async () => {
    browser?.kill();
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

function openChromiumApp(url: string, dataDir: string) {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return undefined;
  const binary = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!binary) return undefined;
  return spawn(
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
}
