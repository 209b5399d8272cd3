/**
 * The layout measurements of the end-to-end tests, in the page as it is drawn: controls
 * outside the wheelchair reach band (85–105 cm above the floor, DIN 18040-1), text wider or
 * taller than its control, a page that scrolls sideways or down, controls the keypad's arrows miss.
 * Used by the screen tour (kiosk/e2e/layout.e2e.test.ts) and by the SMS screens' test
 * (kiosk/e2e/sms.e2e.test.ts), which reaches the two screens the tour cannot.
 *
 * The band is computed here from the screen's geometry on its own, not with the kiosk's
 * `reachBand`: the test should not share the code it checks.
 */
import type { Page } from 'playwright-core';
import type { Screen } from '../src/contract/view.ts';

/** A terminal's screen as the site file states it, and the window that shows it. */
export interface Display {
  screen: { orientation: 'portrait' | 'landscape'; diagonalInch: number; lowerEdgeCm: number };
  viewport: { width: number; height: number };
}

/** The usual Amt-O-Mat: a 21.5-inch portrait screen, its lower edge 80 cm above the floor. */
export const PORTRAIT: Display = {
  screen: { orientation: 'portrait', diagonalInch: 21.5, lowerEdgeCm: 80 },
  viewport: { width: 1080, height: 1920 },
};

/** The same screen turned: the band covers most of it. */
export const LANDSCAPE: Display = {
  screen: { orientation: 'landscape', diagonalInch: 21.5, lowerEdgeCm: 80 },
  viewport: { width: 1920, height: 1080 },
};

/**
 * Screens the layout tour cannot reach: they need a fleet server with an SMS gateway.
 * kiosk/e2e/sms.e2e.test.ts measures exactly these; the layout test asserts its tour
 * reaches every other screen, so together they measure every screen.
 */
export const SMS_SCREENS: readonly Screen[] = ['application.phone', 'application.sms-code'];

export interface Band {
  top: number;
  bottom: number;
}

/**
 * The reach band in page pixels. The picture of a 21.5-inch 16:9 screen is 47.6 cm tall
 * upright (80–127.6 cm at a lower edge of 80 cm), 26.8 cm turned.
 */
export function reachBandPx({ screen, viewport }: Display): Band {
  const side = screen.orientation === 'portrait' ? 16 : 9;
  const heightCm = (screen.diagonalInch * 2.54 * side) / Math.hypot(16, 9);
  const yOf = (cm: number) => ((screen.lowerEdgeCm + heightCm - cm) / heightCm) * viewport.height;
  return { top: yOf(105), bottom: yOf(85) };
}

/**
 * One screen in one language and text size: switches to them, then lists what overflows and
 * what lies outside the band, each line prefixed with `where`, e.g.
 * `pickup.code pl large: button "clear" overflows (212 > 180 px wide)`.
 */
export async function measure(
  page: Page,
  where: string,
  band: Band,
  language: string,
  large: boolean,
): Promise<string[]> {
  await settings(page, language, large);
  const at = `${where} ${language}${large ? ' large' : ''}`;
  return [...(await overflows(page)), ...(await outOfReach(page, band))].map(
    (line) => `${at}: ${line}`,
  );
}

/** Switches language and text size with the page's own buttons; waits until drawn. */
export async function settings(page: Page, language: string, large: boolean) {
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
export async function overflows(page: Page): Promise<string[]> {
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
    // A kiosk screen is one screenful: what lies below it nobody finds (nor reaches).
    if (page.scrollHeight > window.innerHeight) found.push('the page scrolls down (' + page.scrollHeight + ' > ' + window.innerHeight + ' px)');
    return found;
  })()`)) as string[];
}

/** Controls not wholly within the reach band. */
export async function outOfReach(page: Page, band: Band): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const band = ${JSON.stringify(band)};
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

/** The page's enabled buttons a person can see (an expression evaluated in the page). */
export const SHOWN_BUTTONS = `[...document.querySelectorAll('button:not([disabled])')].filter((el) =>
  !el.closest('[hidden], [inert]') && el.getClientRects().length > 0)`;

/**
 * Buttons the down arrow never focuses (one round through the controls; the on-screen
 * keypad's keys aside: the keypad's own digits type them), and focused buttons without a
 * visible focus (an outline of at least 3 px).
 */
export async function keypadMisses(page: Page): Promise<string[]> {
  const controls = `${SHOWN_BUTTONS}.filter((el) => !(el.dataset.testid ?? '').startsWith('key-'))`;
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
  // Leave no focus behind for the next step.
  await page.evaluate('document.activeElement?.blur()');
  return found;
}
