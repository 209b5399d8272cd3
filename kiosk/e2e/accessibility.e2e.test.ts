/**
 * Accessibility in Debian's Chromium: every screen of the kiosk (the screen tour), in each
 * of its languages, checked by axe against WCAG 2.0/2.1 A and AA and WCAG 2.2 AA. A finding
 * names language, screen, rule and the elements, e.g.
 * `ar/staff.menu: color-contrast (2: .staff-banner, [data-testid="logout"])`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { ALL_SCREENS } from '../src/core/views.ts';
import { LANGUAGES } from '../src/flows/session.machine.ts';
import { launchChromium, openKiosk } from './harness.ts';
import { SMS_SCREENS } from './layout-checks.ts';
import { tourScreens } from './screen-tour.ts';
import { unnamedControls } from './spoken-controls.ts';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * axe in the page itself (`axe.run`): the kiosk has no frames, so the default mode's extra
 * blank page per analysis (for `axe.finishRun`) would only cost time, about 0.5 s a screen.
 */
const axe = (page: Page) => new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true);

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

// Two languages at a time: each has its own service and page; the tour mostly waits.
describe('every screen passes axe (WCAG 2.2 AA) in every language', { concurrency: 2 }, () => {
  for (const language of LANGUAGES) {
    // A tour of every screen with axe on each: minutes on a busy machine, not the runner's 2.
    test(language, { timeout: 600_000 }, async () => {
      const k = await openKiosk({ browser });
      const violations: string[] = [];
      const unnamed: string[] = [];
      try {
        const reached = await tourScreens(
          k,
          async (screen) => {
            for (const control of await unnamedControls(k))
              unnamed.push(`${language}/${screen}: ${control}`);
            const results = await axe(k.page).analyze();
            for (const violation of results.violations) {
              const targets = violation.nodes.map((node) => node.target.join(' '));
              violations.push(
                `${language}/${screen}: ${violation.id} (${targets.length}: ${targets.join(', ')})`,
              );
            }
          },
          { language },
        );
        assert.deepEqual(
          [...reached].sort(),
          ALL_SCREENS.filter((screen) => !SMS_SCREENS.includes(screen)).sort(),
          'the tour reaches every screen but the SMS ones (sms.e2e.test.ts runs axe on those)',
        );
      } finally {
        await k.close();
      }
      assert.deepEqual(violations, [], `axe found violations:\n${violations.join('\n')}`);
      assert.deepEqual(
        [...new Set(unnamed)],
        [],
        `controls the keypad reaches that speech does not name:\n${[...new Set(unnamed)].join('\n')}`,
      );
    });
  }
});
