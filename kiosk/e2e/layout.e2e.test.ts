/**
 * The layout on the terminal's real screen, in Debian's Chromium: a portrait 1080×1920
 * window, the site's 21.5-inch screen with its lower edge 80 cm above the floor. On every
 * screen of the tour:
 * - every control lies within the wheelchair reach band, 85–105 cm above the floor
 *   (DIN 18040-1), in every language, in normal and in large text;
 * - the keypad reaches every control: the down arrow focuses each enabled button in turn
 *   (the on-screen keypad's keys aside: the keypad's own digits type them), each with a
 *   visible focus ring (German, normal text);
 * - no text overflows a key or button, and nothing scrolls sideways, in every language, in
 *   normal and in large text.
 * One page per half of the languages: at each screen the test switches language and text
 * size itself, with the page's own buttons.
 * Screens that only wait for the terminal (`*.checking`, `*.opening`) are held by the tour
 * and take no new view, so they are measured in German only (their only controls are the
 * language and setting buttons, measured on every other screen).
 * A finding names screen, language, mode and the element, e.g.
 * `pickup.code pl large: key "clear" overflows (212 > 180 px)`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LANGUAGES } from '../src/flows/session.machine.ts';
import { launchChromium, openKiosk } from './harness.ts';
import { tourScreens } from './screen-tour.ts';

const SCREEN = { orientation: 'portrait', diagonalInch: 21.5, lowerEdgeCm: 80 };
const VIEWPORT = { width: 1080, height: 1920 };
/** The picture of a 21.5-inch 16:9 screen is 47.6 cm tall: it spans 80–127.6 cm. */
const HEIGHT_CM = (21.5 * 2.54 * 16) / Math.hypot(16, 9);
const yOf = (cm: number) => ((80 + HEIGHT_CM - cm) / HEIGHT_CM) * VIEWPORT.height;
const BAND = { top: yOf(105), bottom: yOf(85) };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

// Two halves of the languages, each on its own kiosk. A tour measures some 300 views: two
// minutes on a quiet machine, more on a busy one, so its limit is its own, not the runner's.
const HALVES = [LANGUAGES.slice(0, 4), LANGUAGES.slice(4)];
for (const languages of HALVES) {
  const name = `every control within reach, no text overflowing: ${languages.join(', ')}`;
  test(name, { timeout: 600_000 }, async () => {
    assert.ok(BAND.top > 900 && BAND.bottom < 1730, `band ${BAND.top}..${BAND.bottom}`);
    const k = await openKiosk({ browser, viewport: VIEWPORT, screen: SCREEN });
    const findings: string[] = [];
    let measured = 0;
    try {
      const reached = await tourScreens(k, async (screen) => {
        const held = /\.(checking|opening)$/.test(screen);
        for (const language of held ? ['de'] : languages) {
          for (const large of held ? [false] : [false, true]) {
            await settings(k.page, language, large);
            const where = `${screen} ${language}${large ? ' large' : ''}`;
            findings.push(...(await overflows(k.page)).map((line) => `${where}: ${line}`));
            findings.push(...(await outOfReach(k.page)).map((l) => `${where}: ${l}`));
            measured++;
          }
        }
        await settings(k.page, 'de', false);
        if (languages.includes('de') && !held) {
          findings.push(...(await keypadMisses(k.page)).map((line) => `${screen}: ${line}`));
        }
      });
      assert.ok(reached.size >= 40, `the tour reached ${reached.size} screens`);
    } finally {
      await k.close();
    }
    assert.ok(measured > 280, `${measured} screen × language × size combinations measured`);
    assert.deepEqual(findings, [], `layout findings:\n${findings.join('\n')}`);
  });
}

/** Switches language and text size with the page's own buttons; waits until drawn. */
async function settings(page: Page, language: string, large: boolean) {
  const html = page.locator('html');
  const chosen = page.locator(`[data-testid="lang-${language}"][aria-pressed="true"]`);
  if ((await chosen.count()) === 0) {
    await page.getByTestId(`lang-${language}`).click();
    await chosen.waitFor();
  }
  const isLarge = ((await html.getAttribute('class')) ?? '').includes('large-text');
  if (isLarge !== large) {
    await page.getByTestId('toggle-large-text').click();
    await page.locator(large ? 'html.large-text' : 'html:not(.large-text)').waitFor({
      state: 'attached',
    });
  }
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
}

/** Controls whose text is wider or taller than the control; a page wider than the window. */
async function overflows(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const found = [];
    const name = (el) => el.dataset.testid ?? el.textContent.trim().slice(0, 30);
    for (const el of document.querySelectorAll('button, .entry, h1')) {
      if (el.closest('[hidden]') || el.getClientRects().length === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1) {
        found.push(el.localName + ' "' + name(el) + '" overflows (' + el.scrollWidth + ' > ' + el.clientWidth + ' px wide)');
      }
      if (el.scrollHeight > el.clientHeight + 1) {
        found.push(el.localName + ' "' + name(el) + '" overflows (' + el.scrollHeight + ' > ' + el.clientHeight + ' px high)');
      }
    }
    const page = document.documentElement;
    if (page.scrollWidth > window.innerWidth) found.push('the page scrolls sideways (' + page.scrollWidth + ' px)');
    return found;
  })()`)) as string[];
}

/**
 * Buttons the down arrow never focuses (one round through the controls), and focused
 * buttons without a visible focus (an outline of at least 3 px).
 */
async function keypadMisses(page: Page): Promise<string[]> {
  const controls = `[...document.querySelectorAll('button:not([disabled])')].filter((el) =>
    !el.closest('[hidden], [inert]') && el.getClientRects().length > 0 &&
    !(el.dataset.testid ?? '').startsWith('key-'))`;
  const expected = (await page.evaluate(
    `${controls}.map((el) => el.dataset.testid ?? el.textContent.trim().slice(0, 30))`,
  )) as string[];
  const seen = new Set<string>();
  const found: string[] = [];
  for (let press = 0; press < expected.length; press++) {
    await page.keyboard.press('ArrowDown');
    const focus = (await page.evaluate(`(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { id: el.dataset?.testid ?? el.textContent.trim().slice(0, 30),
        ring: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth) };
    })()`)) as { id: string; ring: number };
    seen.add(focus.id);
    if (focus.ring < 3) found.push(`"${focus.id}" focused without a visible focus ring`);
  }
  for (const id of expected) if (!seen.has(id)) found.push(`"${id}" not reached with the arrows`);
  // Leave no focus behind for the tour's next step.
  await page.evaluate('document.activeElement?.blur()');
  return found;
}

/** Controls not wholly within the reach band. */
async function outOfReach(page: Page): Promise<string[]> {
  const band = JSON.stringify(BAND);
  return (await page.evaluate(`(() => {
    const band = ${band};
    const found = [];
    const controls = document.querySelectorAll('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])');
    for (const el of controls) {
      if (el.closest('[hidden], [inert]')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const top = box.top + window.scrollY;
      const bottom = box.bottom + window.scrollY;
      if (top < band.top - 1 || bottom > band.bottom + 1) {
        found.push('"' + (el.dataset.testid ?? el.textContent.trim().slice(0, 30)) + '" at y ' + Math.round(top) + '..' + Math.round(bottom) + ', outside ' + Math.round(band.top) + '..' + Math.round(band.bottom));
      }
    }
    return found;
  })()`)) as string[];
}

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
