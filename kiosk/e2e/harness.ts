/**
 * The kiosk as a person meets it: the real service (demo hardware: simulated boards on a
 * pty, fake HID devices) and the built UI in Debian's Chromium, driven by playwright-core.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '@amtomat/basics';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { SessionTimers } from '../src/flows/session.machine.ts';
import { type DemoHardware, openDemoHardware } from '../src/service/demo.ts';
import { DEMO_SITE, type RunningService, startService } from '../src/service/service.ts';
import type { Speech } from '../src/speech/speech.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface KioskInBrowser {
  service: RunningService<DemoHardware>;
  page: Page;
  browser: Browser;
  logger: ReturnType<typeof memoryLogger>;
  /** The service's data folder (the demo's receipts go to `receipts/` in it). */
  dataDir: string;
  /** Waits until the page shows `screen` (its <main data-screen>). */
  screen(screen: string, timeoutMs?: number): Promise<void>;
  /** A door of the simulator, by compartment label. */
  door(label: string): { open: boolean; itemPresent: boolean };
  closeDoor(label: string, options?: { itemPresent?: boolean }): void;
  close(): Promise<void>;
}

/** The demo site file with another `screen`, written into `dir`. */
export function demoSiteWithScreen(dir: string, screen: Record<string, unknown>): string {
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'site.json');
  writeFileSync(file, JSON.stringify({ ...site, screen }));
  return file;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function openKiosk(
  options: {
    timers?: Partial<SessionTimers>;
    browser?: Browser;
    viewport?: { width: number; height: number };
    /** A site file (default: the demo site), e.g. one with a `sync` section. */
    config?: string;
    /** The demo site with this screen (`screen` of the site file) instead. */
    screen?: Record<string, unknown>;
    /** The voice (default: the site's, espeak-ng), e.g. `captureSpeech` to hear what is said. */
    speech?: Speech;
  } = {},
): Promise<KioskInBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-e2e-'));
  const config = options.screen ? demoSiteWithScreen(dir, options.screen) : options.config;
  const logger = memoryLogger();
  const service = await startService({
    dataDir: dir,
    port: 0,
    hardware: openDemoHardware,
    logger,
    ...(options.timers && { timers: options.timers }),
    ...(config && { config }),
    ...(options.speech && { speech: options.speech }),
  });
  const browser = options.browser ?? (await launchChromium());
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1080, height: 1920 },
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(service.authUrl);
  const demo = service.hardware;
  const lockOf = (label: string) => {
    const lock = demo.lockOf(label);
    if (!lock) throw new Error(`no compartment ${label}`);
    return lock;
  };
  const kiosk: KioskInBrowser = {
    service,
    page,
    browser,
    logger,
    dataDir: dir,
    async screen(screen, timeoutMs = 10_000) {
      await page.locator(`main[data-screen="${screen}"]`).waitFor({ timeout: timeoutMs });
    },
    door(label) {
      const lock = lockOf(label);
      return demo.sim.door(lock.board, lock.lock);
    },
    closeDoor(label, { itemPresent } = {}) {
      const lock = lockOf(label);
      if (itemPresent !== undefined) demo.sim.setItem(lock.board, lock.lock, itemPresent);
      demo.sim.closeDoor(lock.board, lock.lock);
    },
    async close() {
      await context.close();
      if (!options.browser) await browser.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await kiosk.screen('attract');
  return kiosk;
}
