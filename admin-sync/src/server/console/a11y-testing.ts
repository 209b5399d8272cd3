/**
 * The console in Debian's Chromium for the axe tests: a harness on SQLite (HTML does not
 * depend on the store) listening on 127.0.0.1, a browser, sign-in through the form like a
 * person, and axe's WCAG 2.0/2.1 A and AA and WCAG 2.2 AA violations of a page.
 */
import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { storageAdapters } from '../testing/adapters.ts';
import { type Harness, openHarness, PASSWORD } from './testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** For `describe(…, { skip })`: the tests need Debian's Chromium. */
export const NO_CHROMIUM = !existsSync(CHROMIUM) && 'no Chromium';

/** axe's violations on the page, each one line naming the page, the rule and the elements. */
export async function violations(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
  return results.violations.map(
    (v) => `${name}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

export interface ConsoleInChromium {
  h: Harness;
  browser: Browser;
  /** The console's base URL. */
  base: string;
  /** A new page with `username` signed in (German), once it shows `landing`. */
  signIn(username: string, landing?: string): Promise<Page>;
  close(): Promise<void>;
}

/** The harness, prepared by `prepare` (events, applications) before it listens. */
export async function openConsoleInChromium(
  prepare: (h: Harness) => Promise<void> = async () => {},
): Promise<ConsoleInChromium> {
  const adapter = storageAdapters().find((a) => a.name === 'sqlite')!;
  await adapter.setup();
  const h = await openHarness(adapter);
  await prepare(h);
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  return {
    h,
    browser,
    base,
    async signIn(username, landing = '/console/') {
      const page = await browser.newPage();
      await page.goto(`${base}/console/login`);
      await page.getByLabel(/Benutzername/).fill(username);
      await page.getByLabel(/^Passwort/).fill(PASSWORD);
      await page.getByRole('button', { name: 'Anmelden' }).click();
      await page.waitForURL(`${base}${landing}`);
      return page;
    },
    async close() {
      await browser.close();
      await h.close();
      await adapter.teardown();
    },
  };
}
