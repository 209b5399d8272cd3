/**
 * The applications pages in Debian's Chromium, checked by axe (WCAG 2.0/2.1/2.2 A and AA) in
 * both languages: the list with an inbox row, a parked row and a pickup link, the "ready
 * for pickup" form, with its errors, and the confirmation. SQLite alone (HTML does not
 * depend on the store); skipped without Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { destinationKeys, submitToInbox } from '../applications/testing.ts';
import {
  type ConsoleInChromium,
  NO_CHROMIUM,
  openConsoleInChromium,
  violations,
} from './a11y-testing.ts';

describe('applications pages pass axe in Chromium', { skip: NO_CHROMIUM }, () => {
  let c: ConsoleInChromium;
  let pickupId = '';

  before(async () => {
    c = await openConsoleInChromium(async (h) => {
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
    });
  });

  after(async () => {
    await c?.close();
  });

  it('the list, the pickup form with and without errors, the confirmation', async () => {
    const { base } = c;
    const found: string[] = [];
    const page = await c.signIn('clara');
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
