/**
 * The kiosk as a person meets it: the service in its own process (demo hardware) and the
 * built UI in Debian's Chromium. Prints one JSON object per line.
 *
 *   cold_start_ms     `node kiosk/src/service/main.ts --demo --headless` spawned → /healthz
 *                     answers (a fresh data folder: migrations, demo data, simulator, boards)
 *   first_screen_ms   the same spawn → the attract screen visible in Chromium (the browser
 *                     is already running, as Electron's window would be before the page)
 *   view_update_ms    a key tapped on the code screen → the entered-digits display updated
 *                     (POST, core, SSE, React render), measured inside the page, p50/p99
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.ts';

const STARTS = 5;
const KEY_TAPS = 120;
const MAIN = join(import.meta.dirname, '..', 'src', 'service', 'main.ts');

const round = (value: number) => Math.round(value * 10) / 10;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}

interface Started {
  child: ChildProcess;
  authUrl: string;
  startedAt: number;
  dir: string;
}

/** Spawns the service on a free port; resolves when it has printed its URL. */
async function spawnService(): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-ui-bench-'));
  const startedAt = performance.now();
  const child = spawn(
    process.execPath,
    [MAIN, '--demo', '--headless', '--port', '0', '--data', dir],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const authUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^Kiosk: (\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return { child, authUrl, startedAt, dir };
}

async function stop(started: Started) {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
  rmSync(started.dir, { recursive: true, force: true });
}

async function untilHealthy(url: string) {
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function coldStarts(browser: Browser) {
  const healthy: number[] = [];
  const firstScreen: number[] = [];
  for (let run = 0; run < STARTS; run++) {
    const started = await spawnService();
    const origin = new URL(started.authUrl).origin;
    await untilHealthy(origin);
    healthy.push(performance.now() - started.startedAt);
    const page = await browser.newPage();
    await page.goto(started.authUrl);
    await page.locator('main[data-screen="attract"]').waitFor();
    firstScreen.push(performance.now() - started.startedAt);
    await page.close();
    await stop(started);
  }
  return { healthy, firstScreen };
}

async function viewUpdates(browser: Browser) {
  const started = await spawnService();
  const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(started.authUrl);
  await page.getByTestId('service-document-pickup').click();
  await page.locator('main[data-screen="pickup.code"]').waitFor();
  const samples: number[] = [];
  for (let tap = 0; tap < KEY_TAPS; tap++) {
    // Type up to the code's maximum, then clear, so every tap changes the display.
    const key = tap % 10 === 9 ? 'clear' : `key-${tap % 10}`;
    const ms = await page.evaluate(`new Promise((resolve) => {
      const main = document.querySelector('main');
      const before = main.innerHTML;
      const started = performance.now();
      const observer = new MutationObserver(() => {
        if (main.innerHTML !== before) { observer.disconnect(); resolve(performance.now() - started); }
      });
      observer.observe(main, { subtree: true, childList: true, characterData: true, attributes: true });
      document.querySelector('[data-testid="${key}"]').click();
    })`);
    samples.push(Number(ms));
  }
  await page.close();
  await stop(started);
  return samples;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const { healthy, firstScreen } = await coldStarts(browser);
  print({
    name: 'cold_start_ms',
    ...percentiles(healthy),
    note: 'service process spawned (fresh data folder, demo) → /healthz answers',
  });
  print({
    name: 'first_screen_ms',
    ...percentiles(firstScreen),
    note: 'service spawned → attract screen visible in Chromium (browser already running)',
  });
  const updates = await viewUpdates(browser);
  print({
    name: 'view_update_ms',
    ...percentiles(updates),
    frame_ms: 16.7,
    p50_in_frames: round(percentiles(updates).p50 / 16.7),
    note: 'key tapped → screen updated in Chromium (POST, core, SSE, React), measured in the page',
  });
} finally {
  await browser.close();
}
