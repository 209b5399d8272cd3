/**
 * A picture of every screen of the kiosk (the screen tour), headless: a portrait set
 * (1080×1920, the demo site's 21.5-inch screen) in German, German with large text and
 * Arabic (right to left), Polish and Leichte Sprache, and a landscape set (1920×1080, the same site with a landscape
 * screen) in German, German with large text and Arabic.
 *
 *   node scripts/screenshots.ts [outDir] [orientation/variant ...]
 *
 * (default: screenshots/, every set; e.g. `screenshots portrait/de-large-text` takes that set again).
 *
 * Writes `outDir/<orientation>/<variant>/<screen>.png` (full page). The two SMS code screens,
 * which the tour cannot reach, are taken on a kiosk of their own, enrolled with a fleet
 * server that has an SMS gateway (kiosk/e2e/sms-fleet.ts).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openKiosk } from '../kiosk/e2e/harness.ts';
import { type Display, LANDSCAPE, PORTRAIT, settings } from '../kiosk/e2e/layout-checks.ts';
import { type TourOptions, tourScreens } from '../kiosk/e2e/screen-tour.ts';
import { type SmsFleet, startSmsFleet, tapKeys, toPhone } from '../kiosk/e2e/sms-fleet.ts';
import { ALL_SCREENS } from '../kiosk/src/core/views.ts';

const ORIENTATIONS = {
  portrait: {
    ...PORTRAIT,
    variants: {
      de: { language: 'de' },
      'de-large-text': { language: 'de', largeText: true },
      ar: { language: 'ar' },
      // Issue #15: the pickup as Polish and Leichte Sprache readers see it.
      pl: { language: 'pl' },
      'de-easy': { language: 'de-easy' },
    },
  },
  landscape: {
    ...LANDSCAPE,
    variants: {
      de: { language: 'de' },
      // The staff banner and tiles with large text on a wide screen.
      'de-large-text': { language: 'de', largeText: true },
      ar: { language: 'ar' },
    },
  },
} satisfies Record<string, Display & { variants: Record<string, TourOptions> }>;

/**
 * The number screen (a number typed) and the code screen, in the variant's language and text
 * size: each set its own terminal and its own number (the fleet sends a number five codes an
 * hour).
 */
async function smsScreens(
  fleet: SmsFleet,
  set: { name: string; display: Display; options: TourOptions; index: number },
  shoot: (page: Page, screen: string) => Promise<void>,
): Promise<string[]> {
  const k = await fleet.openKiosk(`Screenshots ${set.name}`, browser, set.display);
  try {
    const mobile = `01761234${String(set.index).padStart(4, '0')}`;
    await toPhone(k);
    await settings(k.page, set.options.language ?? 'de', set.options.largeText ?? false);
    await tapKeys(k, mobile);
    await k.page.locator('[data-testid="entry"]', { hasText: mobile }).waitFor();
    await shoot(k.page, 'application.phone');
    await k.page.getByTestId('submit').click();
    await k.screen('application.sms-code');
    await settings(k.page, set.options.language ?? 'de', set.options.largeText ?? false);
    await shoot(k.page, 'application.sms-code');
    return ['application.phone', 'application.sms-code'];
  } finally {
    await k.close();
  }
}

const outDir = resolve(process.argv[2] ?? 'screenshots');
const only = process.argv.slice(3);
const browser: Browser = await launchChromium();
const fleet = await startSmsFleet();
let count = 0;
const missing: string[] = [];
try {
  let index = 0;
  for (const [orientation, { viewport, screen, variants }] of Object.entries(ORIENTATIONS)) {
    for (const [variant, options] of Object.entries(variants)) {
      index++;
      const name = `${orientation}/${variant}`;
      if (only.length > 0 && !only.includes(name)) continue;
      const folder = join(outDir, orientation, variant);
      mkdirSync(folder, { recursive: true });
      const shoot = async (page: Page, screenName: string) => {
        await page.screenshot({ path: join(folder, `${screenName}.png`), fullPage: true });
        count++;
      };
      const k = await openKiosk({ browser, viewport, screen });
      let reached: Set<string>;
      try {
        reached = await tourScreens(k, (screenName) => shoot(k.page, screenName), options);
      } finally {
        await k.close();
      }
      const display = { viewport, screen };
      for (const sms of await smsScreens(fleet, { name, display, options, index }, shoot)) {
        reached.add(sms);
      }
      for (const screenName of ALL_SCREENS) {
        if (!reached.has(screenName)) missing.push(`${name}/${screenName}`);
      }
    }
  }
} finally {
  await fleet.close();
  await browser.close();
}
console.log(`${count} screenshots in ${outDir}`);
if (missing.length > 0) {
  console.error(`not reached: ${missing.join(', ')}`);
  process.exitCode = 1;
}
