/**
 * A picture of every screen of the kiosk (the screen tour), headless, in five variants:
 * German, German with large text, Arabic (right to left), Polish and Leichte Sprache.
 *
 *   node scripts/screenshots.ts [outDir]      (default: screenshots/)
 *
 * Writes `outDir/<variant>/<screen>.png` (full page).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launchChromium, openKiosk } from '../kiosk/e2e/harness.ts';
import { type TourOptions, tourScreens } from '../kiosk/e2e/screen-tour.ts';
import { ALL_SCREENS } from '../kiosk/src/core/views.ts';

const VARIANTS: Record<string, TourOptions> = {
  de: { language: 'de' },
  'de-large-text': { language: 'de', largeText: true },
  ar: { language: 'ar' },
  // Issue #15: the pickup as Polish, Arabic and Leichte Sprache readers see it.
  pl: { language: 'pl' },
  'de-easy': { language: 'de-easy' },
};

const outDir = resolve(process.argv[2] ?? 'screenshots');
const browser = await launchChromium();
let count = 0;
const missing: string[] = [];
try {
  for (const [variant, options] of Object.entries(VARIANTS)) {
    const folder = join(outDir, variant);
    mkdirSync(folder, { recursive: true });
    const k = await openKiosk({ browser });
    try {
      const reached = await tourScreens(
        k,
        async (screen) => {
          await k.page.screenshot({ path: join(folder, `${screen}.png`), fullPage: true });
          count++;
        },
        options,
      );
      for (const screen of ALL_SCREENS) {
        if (!reached.has(screen)) missing.push(`${variant}/${screen}`);
      }
    } finally {
      await k.close();
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
