/**
 * The layout on the terminal's real screen, in Debian's Chromium: a portrait 1080×1920
 * window, the site's 21.5-inch screen with its lower edge 80 cm above the floor, and the same
 * screen turned (landscape 1920×1080). On every screen of the tour:
 * - every control lies within the wheelchair reach band, 85–105 cm above the floor
 *   (DIN 18040-1), in every language, in normal and in large text;
 * - the keypad reaches every control: the down arrow focuses each enabled button in turn
 *   (the on-screen keypad's keys aside: the keypad's own digits type them), each with a
 *   visible focus ring (German, normal text);
 * - no text overflows a key or button, and nothing scrolls sideways, in every language, in
 *   normal and in large text.
 * One page per half of the languages: at each screen the test switches language and text
 * size itself, with the page's own buttons.
 * The tour reaches every screen but the two of the SMS code (they need a fleet server with an
 * SMS gateway; `SMS_SCREENS`): kiosk/e2e/sms.e2e.test.ts measures those alike.
 * Screens that only wait for the terminal (`*.checking`, `*.opening`) are held by the tour
 * and take no new view, so they are measured in German only (their only controls are the
 * language and setting buttons, measured on every other screen).
 * A finding names screen, language, mode and the element, e.g.
 * `pickup.code pl large: key "clear" overflows (212 > 180 px)`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ALL_SCREENS } from '../src/core/views.ts';
import { LANGUAGES } from '../src/flows/session.machine.ts';
import { launchChromium, openKiosk } from './harness.ts';
import {
  keypadMisses,
  LANDSCAPE,
  measure,
  PORTRAIT,
  reachBandPx,
  SMS_SCREENS,
  settings,
} from './layout-checks.ts';
import { tourScreens } from './screen-tour.ts';

const { screen: SCREEN, viewport: VIEWPORT } = PORTRAIT;
/** The screen spans 80–127.6 cm: the band is y ≈ 912..1718 of 1920. */
const BAND = reachBandPx(PORTRAIT);

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

// Two halves of the languages, each on its own kiosk, upright and turned (a site may mount the
// screen either way). A tour measures some 300 views: two minutes on a quiet machine, more on
// a busy one, so its limit is its own, not the runner's; two tours at a time, as they mostly wait.
const HALVES = [LANGUAGES.slice(0, 4), LANGUAGES.slice(4)];
const DISPLAYS = [
  ['portrait', PORTRAIT],
  ['landscape', LANDSCAPE],
] as const;
describe('every control within reach, no text overflowing', { concurrency: 2 }, () => {
  for (const [orientation, display] of DISPLAYS) {
    const band = reachBandPx(display);
    for (const languages of HALVES) {
      test(`${orientation}: ${languages.join(', ')}`, { timeout: 600_000 }, async () => {
        const k = await openKiosk({ browser, viewport: display.viewport, screen: display.screen });
        const findings: string[] = [];
        let measured = 0;
        try {
          const reached = await tourScreens(k, async (screen) => {
            const held = /\.(checking|opening)$/.test(screen);
            for (const language of held ? ['de'] : languages) {
              for (const large of held ? [false] : [false, true]) {
                findings.push(...(await measure(k.page, screen, band, language, large)));
                measured++;
              }
            }
            await settings(k.page, 'de', false);
            if (languages.includes('de') && !held) {
              findings.push(...(await keypadMisses(k.page)).map((line) => `${screen}: ${line}`));
            }
          });
          assert.deepEqual(
            [...reached].sort(),
            ALL_SCREENS.filter((screen) => !SMS_SCREENS.includes(screen)).sort(),
            'the tour reaches every screen but those kiosk/e2e/sms.e2e.test.ts measures',
          );
        } finally {
          await k.close();
        }
        assert.ok(measured > 280, `${measured} screen × language × size combinations measured`);
        assert.deepEqual(findings, [], `layout findings (${orientation}):\n${findings.join('\n')}`);
      });
    }
  }
});

test('the portrait band: 85–105 cm of a screen spanning 80–127.6 cm', () => {
  assert.ok(BAND.top > 900 && BAND.bottom < 1730, `band ${BAND.top}..${BAND.bottom}`);
});

test('entries can be checked: the date of birth shows as typed, the code on request', async () => {
  const k = await openKiosk({ browser, viewport: VIEWPORT, screen: SCREEN });
  // What the entry shows (its first part; the second tells screen readers the count).
  const SHOWN = '[data-testid="entry"] > span:first-child';
  const entry = k.page.locator(SHOWN);
  const shows = (text: string | RegExp) => k.page.locator(SHOWN, { hasText: text }).waitFor();
  const tap = async (keys: string) => {
    for (const key of keys) await k.page.getByTestId(`key-${key}`).click();
  };
  try {
    await k.page.getByTestId('service-document-pickup').click();
    await k.screen('pickup.code');
    await tap('4839');
    await shows('● ● ● ●');
    await k.page.getByTestId('show-entry').click();
    await shows(/^4839$/); // the code, shown on request
    await tap('21');
    await k.page.getByTestId('delete').click();
    await shows(/^48392$/);
    await tap('1');
    await shows(/^483921$/);
    await k.page.getByTestId('submit').click();
    await k.screen('pickup.date-of-birth');
    // A new screen starts from what it is told: nothing typed, the date shown as typed.
    assert.equal(await entry.innerText(), 'TT.MM.JJJJ');
    assert.equal(await k.page.getByTestId('show-entry').getAttribute('aria-pressed'), 'true');
    await tap('0102');
    await shows('01.02.JJJJ');
    await k.page.getByTestId('show-entry').click();
    await shows('●●.●●.JJJJ'); // hidden on request
    await k.page.getByTestId('show-entry').click();
    await tap('1990');
    await shows('01.02.1990');
    // The page knows it; the service's view still says only how many.
    const view = JSON.stringify(k.service.terminal.core.view());
    assert.ok(!view.includes('1990') && !view.includes('483921'), 'nothing typed in the view');
  } finally {
    await k.close();
  }
});
