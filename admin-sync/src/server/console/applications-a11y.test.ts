/**
 * The applications pages in Debian's Chromium, checked by axe (WCAG 2.0/2.1/2.2 A and AA) in
 * both languages: the list with an inbox row, a parked row and a pickup link, the "ready
 * for pickup" form, with its errors, and the confirmation. SQLite alone (HTML does not
 * depend on the store); skipped without Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { destinationKeys, submitToInbox } from '../applications/testing.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { type Harness, openHarness, PASSWORD } from './testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const adapter = storageAdapters().find((a) => a.name === 'sqlite')!;

async function violations(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
  return results.violations.map(
    (v) => `${name}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

describe('applications pages pass axe in Chromium', {
  skip: !existsSync(CHROMIUM) && 'no Chromium',
}, () => {
  let h: Harness;
  let browser: Browser;
  let base = '';
  let pickupId = '';

  before(async () => {
    await adapter.setup();
    h = await openHarness(adapter);
    const [, certificate, parked] = await submitToInbox(h, destinationKeys().publicJwk, [
      {},
      { pickupAtTerminal: true },
      {},
    ]);
    pickupId = certificate!.submissionId;
    await h.storage.sql.run(
      "UPDATE applications SET state = 'parked', reason = 'unknown-destination' WHERE submission_id = ?",
      [parked!.submissionId],
    );
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await h?.close();
    await adapter.teardown();
  });

  it('the list, the pickup form with and without errors, the confirmation', async () => {
    const found: string[] = [];
    const page = await browser.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel(/Benutzername/).fill('clara');
    await page.getByLabel(/^Passwort/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${base}/console/`);
    for (const lang of ['de', 'en']) {
      await page.goto(`${base}/console/applications?lang=${lang}`);
      found.push(...(await violations(page, `${lang} list`)));
      await page.goto(`${base}/console/applications/${pickupId}/pickup`);
      found.push(...(await violations(page, `${lang} pickup`)));
      await page.locator('form button[type="submit"]').last().click();
      await page.waitForSelector('.error-summary');
      found.push(...(await violations(page, `${lang} pickup with errors`)));
    }
    await page.getByLabel(/e-mail/i).fill('erika@example.org');
    await page.locator('main form button[type="submit"]').click();
    await page.waitForURL(/done=announced/);
    found.push(...(await violations(page, 'announced')));
    assert.deepEqual(found, []);
  });
});
