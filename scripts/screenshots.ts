/**
 * A picture of every screen of the kiosk (the screen tour), headless: a portrait set
 * (1080×1920, the demo site's 21.5-inch screen) in German, German with large text and
 * Arabic (right to left), Polish and Leichte Sprache, and a landscape set (1920×1080, the same site with a landscape
 * screen) in German and Arabic.
 *
 *   node scripts/screenshots.ts [outDir] [orientation/variant ...]
 *
 * (default: screenshots/, every set; e.g. `screenshots portrait/de-large-text` takes that set again).
 *
 * Writes `outDir/<orientation>/<variant>/<screen>.png` (full page).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchChromium, openKiosk } from '../kiosk/e2e/harness.ts';
import { type TourOptions, tourScreens } from '../kiosk/e2e/screen-tour.ts';
import { ALL_SCREENS } from '../kiosk/src/core/views.ts';

const ORIENTATIONS = {
  portrait: {
    viewport: { width: 1080, height: 1920 },
    screen: { orientation: 'portrait', diagonalInch: 21.5, lowerEdgeCm: 80 },
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
    viewport: { width: 1920, height: 1080 },
    screen: { orientation: 'landscape', diagonalInch: 21.5, lowerEdgeCm: 80 },
    variants: { de: { language: 'de' }, ar: { language: 'ar' } },
  },
} satisfies Record<
  string,
  {
    viewport: { width: number; height: number };
    screen: Record<string, unknown>;
    variants: Record<string, TourOptions>;
  }
>;

const outDir = resolve(process.argv[2] ?? 'screenshots');
const only = process.argv.slice(3);
const browser = await launchChromium();
let count = 0;
const missing: string[] = [];
try {
  for (const [orientation, { viewport, screen, variants }] of Object.entries(ORIENTATIONS)) {
    for (const [variant, options] of Object.entries(variants)) {
      if (only.length > 0 && !only.includes(`${orientation}/${variant}`)) continue;
      const folder = join(outDir, orientation, variant);
      mkdirSync(folder, { recursive: true });
      const k = await openKiosk({ browser, viewport, screen });
      try {
        const reached = await tourScreens(
          k,
          async (name) => {
            await k.page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
            count++;
          },
          options,
        );
        for (const name of ALL_SCREENS) {
          if (!reached.has(name)) missing.push(`${orientation}/${variant}/${name}`);
        }
      } finally {
        await k.close();
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`${count} screenshots in ${outDir}`);
if (missing.length > 0) {
  console.error(`not reached: ${missing.join(', ')}`);
  process.exitCode = 1;
}
