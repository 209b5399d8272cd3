/**
 * Signing in, as the kiosk window and as someone who copied its link: the per-start link
 * buys the cookie once (issue #9, point 8); the demo control has a one-time link of its own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

let browser: Browser;
let kiosk: KioskInBrowser;
before(async () => {
  browser = await launchChromium();
  kiosk = await openKiosk({ browser });
});
after(async () => {
  await kiosk.close();
  await browser.close();
});

test('the window signed in once; the same link in another browser is refused', async () => {
  const other = await browser.newContext();
  try {
    const page = await other.newPage();
    const reply = await page.goto(kiosk.service.authUrl);
    assert.equal(reply?.status(), 401);
    assert.match(await page.locator('body').innerText(), /already used: restart the kiosk/);
    assert.deepEqual(await other.cookies(), [], 'no cookie bought');
    // The page itself loads, but without the cookie it never gets a screen to act on.
    await page.goto(kiosk.service.url);
    await page.locator('main[data-screen="waiting"]').waitFor();
    await page.waitForTimeout(1000);
    assert.equal(await page.locator('main[data-screen="attract"]').count(), 0);
  } finally {
    await other.close();
  }
  // The window that signed in goes on as before.
  await kiosk.page.reload();
  await kiosk.screen('attract');
});

test('the demo control link signs in once and drives the kiosk', async () => {
  const control = await browser.newContext();
  try {
    const page = await control.newPage();
    await page.goto(kiosk.service.demoControlUrl!);
    assert.equal(new URL(page.url()).pathname, '/demo');
    await page.getByRole('button', { name: 'tap Staff card' }).click();
    await kiosk.screen('staff.pin');
    const again = await (await browser.newContext()).newPage();
    assert.equal((await again.goto(kiosk.service.demoControlUrl!))?.status(), 401);
    await again.context().close();
  } finally {
    await control.close();
  }
});
