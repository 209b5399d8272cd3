/**
 * The console in Debian's Chromium, checked by axe (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA) on
 * every page in both languages (notices with a failed one, a parked event), including forms
 * with errors.
 * Signs in through the form like a person. HTML does not depend on the store, so SQLite
 * alone; skipped without Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ConsoleInChromium,
  NO_CHROMIUM,
  openConsoleInChromium,
  violations,
} from './a11y-testing.ts';
import { consolePages, itemIdOf } from './testing.ts';

describe('console pages pass axe in Chromium', { skip: NO_CHROMIUM }, () => {
  let c: ConsoleInChromium;

  before(async () => {
    c = await openConsoleInChromium(async (h) => {
      // A parked event: a row on its page, a warning on the overview and the terminal's page.
      await h.parkPoisonEvent();
      await h.reportStatus({
        queueLength: 3,
        compartments: { total: 12, occupied: 5, defective: 1 },
        doorAlarms: [{ compartment: 'A2', alarm: 'forced-open' }],
      });
      // Visits, so the evaluation page draws its charts and tables (with suppressed cells).
      const day = 86_400_000;
      await h.pushVisits([
        ...Array.from({ length: 8 }, (_, i) => h.clock.now() - 10 * day + i * 60_000),
        ...Array.from({ length: 2 }, (_, i) => h.clock.now() - 3 * day + i * 60_000),
      ]);
    });
  });

  after(async () => {
    await c?.close();
  });

  it('every page, in German and English, with and without errors', async () => {
    const { h, browser, base, signIn } = c;
    const found: string[] = [];
    const anonymous = await browser.newPage();
    await anonymous.goto(`${base}/console/login`);
    found.push(...(await violations(anonymous, 'login')));
    await anonymous.getByRole('button', { name: 'Anmelden' }).click();
    await anonymous.waitForSelector('.error-summary');
    found.push(...(await violations(anonymous, 'login with error')));

    const page = await signIn('anna');
    // An item, so the item page has a history and a cancel form.
    await page.goto(`${base}/console/announce`);
    await page.getByLabel('Terminal', { exact: true }).selectOption(h.device.deviceId);
    await page.getByLabel(/Aktenzeichen/).fill('AZ-4711');
    await page.getByLabel('E-Mail-Adresse').fill('max@example.org');
    await page.getByRole('button', { name: 'Ankündigen' }).click();
    await page.waitForURL(/\/console\/items\/.+\?done=announced/);
    const itemPath = new URL(page.url()).pathname;
    // Its pickup-code notice failed: rows and retry forms on the item and notices pages.
    await h.loaded(itemIdOf(itemPath));
    assert.equal(await h.failDeliveries(), 1);

    for (const lang of ['de', 'en']) {
      await page.goto(`${base}/console/?lang=${lang}`);
      for (const path of consolePages(h.device.deviceId, itemPath)) {
        await page.goto(`${base}${path}`);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        found.push(...(await violations(page, `${lang} ${path}`)));
      }
      await page.goto(`${base}/console/announce`);
      await page.locator('form[action="/console/announce"] button[type="submit"]').click();
      await page.waitForSelector('.error-summary');
      found.push(...(await violations(page, `${lang} announce with errors`)));
      await page.goto(`${base}/console/password`);
      await page.locator('form[action="/console/password"] button[type="submit"]').click();
      await page.waitForSelector('.error-summary');
      found.push(...(await violations(page, `${lang} password with errors`)));
    }
    // The PIN letter refused for a parcel: the checkbox's own error.
    await page.goto(`${base}/console/announce?lang=de`);
    await page.getByLabel('Terminal', { exact: true }).selectOption(h.device.deviceId);
    await page.getByLabel(/Aktenzeichen/).fill('AZ-4712');
    await page.getByLabel('Art', { exact: true }).selectOption('parcel');
    await page.getByLabel('E-Mail-Adresse').fill('max@example.org');
    await page.getByLabel(/PIN-Brief/).check();
    await page.getByRole('button', { name: 'Ankündigen' }).click();
    await page.waitForSelector('#f-needsPinLetterConfirmation-error');
    found.push(...(await violations(page, 'announce with the PIN letter refused')));
    const viewer = await signIn('vera');
    await viewer.goto(`${base}/console/announce`);
    found.push(...(await violations(viewer, 'forbidden')));
    // The evaluator's own view: the evaluation page, and its filter errors.
    const evaluator = await signIn('eva', '/console/evaluation');
    for (const lang of ['de', 'en']) {
      await evaluator.goto(`${base}/console/evaluation?lang=${lang}`);
      assert.equal((await evaluator.locator('svg.chart').count()) > 0, true);
      found.push(...(await violations(evaluator, `${lang} evaluation (evaluator)`)));
      await evaluator.goto(`${base}/console/evaluation?from=x&to=2025-01-01&site=a&service=b`);
      await evaluator.waitForSelector('.error-summary');
      found.push(...(await violations(evaluator, `${lang} evaluation with errors`)));
    }
    assert.deepEqual(found, []);
  });
});
