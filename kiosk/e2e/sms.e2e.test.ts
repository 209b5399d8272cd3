/**
 * The SMS code of applications end to end in Debian's Chromium (real service, built UI, demo
 * hardware) with the fleet server as its own process, its SMS gateway a real HTTP stub: a
 * citizen types the mobile number on the keypad, gets the code by SMS, types a wrong one (an
 * inline message), then the right one, and the sealed data holds the confirmed number. axe
 * (WCAG 2.2 AA) checks the phone and code screens, each with its message, in all eight
 * languages. With the network cable pulled the service says it needs the network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationSubmittedSchema } from '@amtomat/admin-sync/protocol';
import AxeBuilder from '@axe-core/playwright';
import { compactDecrypt } from 'jose';
import type { Browser } from 'playwright-core';
import { testKeys } from '../src/applications/keys.testing.ts';
import { LANGUAGES } from '../src/flows/session.machine.ts';
import de from '../ui/src/locales/de.json' with { type: 'json' };
import { type KioskInBrowser, launchChromium } from './harness.ts';
import {
  type Display,
  keypadMisses,
  LANDSCAPE,
  measure,
  PORTRAIT,
  reachBandPx,
  SMS_SCREENS,
  settings,
} from './layout-checks.ts';
import {
  SMS_FORM as form,
  lastCode,
  type SmsFleet,
  startSmsFleet,
  tapKeys as tapKeysOn,
  toPhone,
} from './sms-fleet.ts';
import { unnamedControls } from './spoken-controls.ts';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const TYPED_MOBILE = '015123456789';
const MOBILE = '+4915123456789';

let browser: Browser;
let sms: SmsFleet;
let kiosk: KioskInBrowser;

before(async () => {
  browser = await launchChromium();
  sms = await startSmsFleet();
  kiosk = await sms.openKiosk('Rathaus SMS', browser);
});

after(async () => {
  await sms?.close();
  await browser?.close();
});

const page = () => kiosk.page;
const tapKeys = (keys: string) => tapKeysOn(kiosk, keys);

/** axe on the screen as it is, in every language, and speech names each control; back to German. */
async function axeInEveryLanguage(screen: string): Promise<string[]> {
  const found: string[] = [];
  for (const language of LANGUAGES) {
    await page().getByTestId(`lang-${language}`).click();
    await page().locator(`[data-testid="lang-${language}"][aria-pressed="true"]`).waitFor();
    await kiosk.screen(screen);
    await page().evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
    );
    const results = await new AxeBuilder({ page: page() })
      .withTags(WCAG_TAGS)
      .setLegacyMode(true)
      .analyze();
    for (const violation of results.violations) {
      found.push(`${language}/${screen}: ${violation.id} (${violation.nodes.length})`);
    }
    for (const control of await unnamedControls(kiosk))
      found.push(`${language}/${screen}: speech does not name "${control}"`);
  }
  await page().getByTestId('lang-de').click();
  return found;
}

describe('an application with an SMS-confirmed mobile number', () => {
  test('number on the keypad, the code by SMS, a wrong code, the right one: sealed with the number', async () => {
    await toPhone(kiosk);
    await tapKeys('0151');
    await page().getByTestId('submit').click();
    const error = page().getByTestId('error');
    await error.waitFor();
    assert.equal(await error.textContent(), `⚠ ${de.application.sms.notice['invalid-mobile']}`);
    const violations = await axeInEveryLanguage('application.phone');

    await page().getByTestId('clear').click();
    await tapKeys(TYPED_MOBILE);
    // The number is shown as typed once the last key's view is drawn.
    await page().locator('[data-testid="entry"]', { hasText: TYPED_MOBILE }).waitFor();
    const sent = sms.gateway.requests.length;
    await page().getByTestId('submit').click();
    await kiosk.screen('application.sms-code');
    assert.equal(sms.gateway.requests.length, sent + 1);
    const message = sms.gateway.requests.at(-1)!.body as { to: string; text: string };
    assert.equal(message.to, MOBILE);
    assert.match(message.text, /Ihr Bestätigungscode ist \d{6}/);
    const code = lastCode(sms.gateway, MOBILE);

    await tapKeys(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await page().getByTestId('submit').click();
    await page().getByTestId('attempts-left').waitFor();
    assert.equal(await error.textContent(), `⚠ ${de.application.sms.notice['wrong-code']}`);
    violations.push(...(await axeInEveryLanguage('application.sms-code')));
    assert.deepEqual(violations, []);

    await tapKeys(code);
    await page().getByTestId('submit').click();
    await kiosk.screen('application.receipt');
    const caseNumber = (await page().getByTestId('case-number').textContent()) ?? '';
    const [submitted] = kiosk.service.terminal.store
      .pendingOutbox(Number.MAX_SAFE_INTEGER, 1000)
      .filter((event) => event.type === 'application-submitted');
    const event = ApplicationSubmittedSchema.parse(submitted!.payload);
    assert.equal(event.caseNumber, caseNumber);
    const { privateKey } = await testKeys();
    const data = JSON.parse(
      new TextDecoder().decode((await compactDecrypt(event.data, privateKey)).plaintext),
    ) as Record<string, unknown>;
    assert.deepEqual(data, { surname: 'Müller', firstNames: 'Anna', verifiedMobile: MOBILE });
    await page().getByTestId('confirm').click();
    await kiosk.screen('survey');
    assert.ok(kiosk.service.terminal.core.send({ type: 'FINISH' }).ok);
    await kiosk.screen('attract');
  });

  test('the network cable pulled: the service says it needs the network', async () => {
    await kiosk.screen('attract');
    sms.link.down();
    try {
      const offline = await kiosk.service.sync!.syncNow();
      assert.equal(offline.online, false);
      await page().getByTestId('service-application').click();
      await kiosk.screen('application.choose');
      await page().getByTestId(`form-${form.id}`).click();
      await kiosk.screen('application.needs');
      assert.equal(
        await page().getByTestId('error').textContent(),
        `⚠ ${de.application.reason['sms-unavailable']}`,
      );
      assert.equal(await page().getByTestId('start').count(), 0);
    } finally {
      sms.link.up();
    }
  });
});

/**
 * The two screens the layout tour cannot reach, measured as it measures every other screen
 * (kiosk/e2e/layout.e2e.test.ts): each as it opens, the number screen with a bad number and
 * with a whole number typed, the code screen with a wrong code, and the number screen again
 * after three wrong codes (the longest message); in every language, in normal and large
 * text: every control within the reach band, no text overflowing, the arrows reaching every
 * control (German). On a kiosk of its own (its own terminal, its own number: the fleet's
 * limit of five codes an hour per number holds).
 */
describe('the SMS screens: every control within reach, no text overflowing', () => {
  const MEASURED_MOBILE = '017612345678';
  const measuredScreens = new Set<string>();

  async function measureEverywhere(k: KioskInBrowser, display: Display, state: string) {
    const band = reachBandPx(display);
    const screen = (await k.page.locator('main').getAttribute('data-screen')) ?? '';
    measuredScreens.add(screen);
    const findings: string[] = [];
    for (const language of LANGUAGES) {
      for (const large of [false, true]) {
        findings.push(...(await measure(k.page, `${screen} (${state})`, band, language, large)));
      }
    }
    await settings(k.page, 'de', false);
    findings.push(...(await keypadMisses(k.page)).map((line) => `${screen} (${state}): ${line}`));
    return findings;
  }

  async function tour(label: string, display: Display) {
    const k = await sms.openKiosk(label, browser, display);
    const findings: string[] = [];
    const at = (state: string) => measureEverywhere(k, display, state);
    const error = k.page.getByTestId('error');
    const wrongCode = async () => {
      const code = lastCode(sms.gateway, `+49${MEASURED_MOBILE.slice(1)}`);
      await tapKeysOn(k, String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
      await k.page.getByTestId('submit').click();
    };
    await toPhone(k);
    findings.push(...(await at('empty')));
    await tapKeysOn(k, '0151');
    await k.page.getByTestId('submit').click();
    await error.waitFor();
    findings.push(...(await at('bad number')));
    await k.page.getByTestId('clear').click();
    await tapKeysOn(k, MEASURED_MOBILE);
    await k.page.locator('[data-testid="entry"]', { hasText: MEASURED_MOBILE }).waitFor();
    findings.push(...(await at('number typed')));
    await k.page.getByTestId('submit').click();
    await k.screen('application.sms-code');
    findings.push(...(await at('empty')));
    await wrongCode();
    await k.page.getByTestId('attempts-left').waitFor();
    findings.push(...(await at('wrong code')));
    await wrongCode();
    await k.page.locator('[data-testid="attempts-left"]', { hasText: '1' }).waitFor();
    await wrongCode();
    await k.screen('application.phone');
    await error.waitFor();
    assert.equal(await error.textContent(), `⚠ ${de.application.sms.notice.exhausted}`);
    findings.push(...(await at('three wrong codes')));
    return findings;
  }

  test('portrait 1080×1920, the lower edge at 80 cm', { timeout: 600_000 }, async () => {
    const findings = await tour('Rathaus SMS hoch', PORTRAIT);
    assert.deepEqual(findings, [], `layout findings:\n${findings.join('\n')}`);
  });

  test('landscape 1920×1080, the lower edge at 80 cm', { timeout: 600_000 }, async () => {
    const findings = await tour('Rathaus SMS quer', LANDSCAPE);
    assert.deepEqual(findings, [], `layout findings:\n${findings.join('\n')}`);
  });

  // The layout tour asserts it reaches every screen but SMS_SCREENS: together, every screen.
  test('exactly the screens the layout tour leaves to this test are measured', () => {
    assert.deepEqual([...measuredScreens].sort(), [...SMS_SCREENS].sort());
  });
});
