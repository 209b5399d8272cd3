/**
 * The SMS code of applications end to end in Debian's Chromium (real service, built UI, demo
 * hardware) with the fleet server as its own process, its SMS gateway a real HTTP stub: a
 * citizen types the mobile number on the keypad, gets the code by SMS, types a wrong one (an
 * inline message), then the right one, and the sealed data holds the confirmed number. axe
 * (WCAG 2.2 AA) checks the phone and code screens, each with its message, in all eight
 * languages. With the network cable pulled the service says it needs the network.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationSubmittedSchema, loadCatalogue } from '@amtomat/admin-sync/protocol';
import AxeBuilder from '@axe-core/playwright';
import { compactDecrypt } from 'jose';
import type { Browser } from 'playwright-core';
import { testKeys } from '../src/applications/keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from '../src/applications/keys.ts';
import { LANGUAGES } from '../src/flows/session.machine.ts';
import { FORM_CATALOGUE_SETTING } from '../src/service/feed.ts';
import de from '../ui/src/locales/de.json' with { type: 'json' };
import {
  enrolledSiteFile,
  type FleetProcess,
  type Link,
  startFleetProcess,
  startLink,
  startTestGateway,
  startTestSmtp,
  type TestGateway,
  type TestSmtp,
} from './fleet.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const TYPED_MOBILE = '015123456789';
const MOBILE = '+4915123456789';

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;
/** The dog form's first step, asking for an SMS-confirmed number. */
const form = { ...dog, smsVerifiedMobile: true, steps: [dog.steps[0]!] };

let dir: string;
let browser: Browser;
let smtp: TestSmtp;
let gateway: TestGateway;
let fleet: FleetProcess;
let link: Link;
let kiosk: KioskInBrowser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amtomat-sms-e2e-'));
  smtp = await startTestSmtp();
  gateway = await startTestGateway();
  fleet = await startFleetProcess({ smtpPort: smtp.port, smsGatewayUrl: gateway.url });
  link = await startLink(Number(new URL(fleet.url).port));
  const siteFile = enrolledSiteFile(dir, {
    label: 'Rathaus SMS',
    syncUrl: link.url,
    enrolmentToken: fleet.token('Rathaus SMS'),
  });
  browser = await launchChromium();
  kiosk = await openKiosk({ browser, config: siteFile });
  const online = await kiosk.service.sync!.syncNow();
  assert.equal(online.online, true, String(online.lastError));
  const keys = await testKeys();
  const store = kiosk.service.terminal.store;
  store.setSetting(ROOT_CERTIFICATE_SETTING, keys.rootPem);
  store.setSetting(destinationKeySetting(form.destinationId), JSON.stringify(keys.publicJwk));
  store.setSetting(FORM_CATALOGUE_SETTING, JSON.stringify({ version: 'sms-e2e', forms: [form] }));
});

after(async () => {
  await kiosk?.close();
  await browser?.close();
  await link?.close();
  await fleet?.close();
  await gateway?.close();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

const page = () => kiosk.page;

async function tapKeys(keys: string) {
  for (const key of keys) await page().getByTestId(`key-${key}`).click();
}

/** axe on the screen as it is, in every language; back to German. */
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
  }
  await page().getByTestId('lang-de').click();
  return found;
}

/** The start screen to the consent, the first step answered (typed through the service). */
async function toConsent() {
  await page().getByTestId('service-application').click();
  await kiosk.screen('application.choose');
  await page().getByTestId(`form-${form.id}`).click();
  await kiosk.screen('application.needs');
  await page().getByTestId('start').click();
  await kiosk.screen('application.question');
  const core = kiosk.service.terminal.core;
  await page().getByTestId('slot-surname').click();
  assert.ok(core.send({ type: 'TYPE', text: 'Müller' }).ok);
  await page().getByTestId('slot-firstNames').click();
  assert.ok(core.send({ type: 'TYPE', text: 'Anna' }).ok);
  await page().getByTestId('submit').click();
  await kiosk.screen('application.review');
  await page().getByTestId('confirm').click();
  await kiosk.screen('application.consent');
}

describe('an application with an SMS-confirmed mobile number', () => {
  test('number on the keypad, the code by SMS, a wrong code, the right one: sealed with the number', async () => {
    await toConsent();
    await page().getByTestId('agree').click();
    await kiosk.screen('application.phone');
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
    const sent = gateway.requests.length;
    await page().getByTestId('submit').click();
    await kiosk.screen('application.sms-code');
    assert.equal(gateway.requests.length, sent + 1);
    const sms = gateway.requests.at(-1)!.body as { to: string; text: string };
    assert.equal(sms.to, MOBILE);
    const code = /\b(\d{6})\b/.exec(sms.text)?.[1] ?? '';
    assert.match(sms.text, /Ihr Bestätigungscode ist \d{6}/);

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
    link.down();
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
      link.up();
    }
  });
});
