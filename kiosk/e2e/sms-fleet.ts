/**
 * What the SMS code screens need, for the tests and the screenshots: the fleet server as its
 * own process with a real SMTP server and an SMS gateway (a real HTTP stub), a pullable
 * link, and kiosks enrolled with it that offer one form asking for an SMS-confirmed mobile
 * number (the dog registration's first step), with the keys to seal it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@amtomat/admin-sync/protocol';
import type { Browser } from 'playwright-core';
import { trustTestKeys } from '../src/applications/keys.testing.ts';
import { FORM_CATALOGUE_SETTING } from '../src/service/feed.ts';
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
import { type KioskInBrowser, openKiosk } from './harness.ts';
import { type Display, PORTRAIT } from './layout-checks.ts';

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;
/** The dog form's first step, asking for an SMS-confirmed number. */
export const SMS_FORM = { ...dog, smsVerifiedMobile: true, steps: [dog.steps[0]!] };

export interface SmsFleet {
  fleet: FleetProcess;
  gateway: TestGateway;
  smtp: TestSmtp;
  link: Link;
  /** A kiosk enrolled as `label` (each its own), online, on the start screen. */
  openKiosk(label: string, browser: Browser, display?: Display): Promise<KioskInBrowser>;
  /** Closes the kiosks it opened (those still open), then the fleet and its stubs. */
  close(): Promise<void>;
}

export async function startSmsFleet(): Promise<SmsFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-sms-e2e-'));
  const smtp = await startTestSmtp();
  const gateway = await startTestGateway();
  const fleet = await startFleetProcess({ smtpPort: smtp.port, smsGatewayUrl: gateway.url });
  const link = await startLink(Number(new URL(fleet.url).port));
  const kiosks = new Set<KioskInBrowser>();
  return {
    fleet,
    gateway,
    smtp,
    link,
    async openKiosk(label, browser, display = PORTRAIT) {
      const siteFile = enrolledSiteFile(
        mkdtempSync(join(dir, 'site-')),
        { label, syncUrl: link.url, enrolmentToken: fleet.token(label) },
        display.screen,
      );
      const k = await openKiosk({ browser, config: siteFile, viewport: display.viewport });
      kiosks.add(k);
      const close = k.close;
      k.close = () => {
        kiosks.delete(k);
        return close();
      };
      const online = await k.service.sync!.syncNow();
      assert.equal(online.online, true, String(online.lastError));
      const store = k.service.terminal.store;
      await trustTestKeys(store, SMS_FORM.destinationId);
      const forms = { version: 'sms-e2e', forms: [SMS_FORM] };
      store.setSetting(FORM_CATALOGUE_SETTING, JSON.stringify(forms));
      return k;
    },
    async close() {
      for (const k of kiosks) await k.close();
      await link.close();
      await fleet.close();
      await gateway.close();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The start screen to the consent, the first step answered (typed through the service). */
export async function toConsent(k: KioskInBrowser) {
  await k.page.getByTestId('service-application').click();
  await k.screen('application.choose');
  await k.page.getByTestId(`form-${SMS_FORM.id}`).click();
  await k.screen('application.needs');
  await k.page.getByTestId('start').click();
  await k.screen('application.question');
  const core = k.service.terminal.core;
  await k.page.getByTestId('slot-surname').click();
  assert.ok(core.send({ type: 'TYPE', text: 'Müller' }).ok);
  await k.page.getByTestId('slot-firstNames').click();
  assert.ok(core.send({ type: 'TYPE', text: 'Anna' }).ok);
  await k.page.getByTestId('submit').click();
  await k.screen('application.review');
  await k.page.getByTestId('confirm').click();
  await k.screen('application.consent');
}

/** The start screen to the mobile number. */
export async function toPhone(k: KioskInBrowser) {
  await toConsent(k);
  await k.page.getByTestId('agree').click();
  await k.screen('application.phone');
}

export async function tapKeys(k: KioskInBrowser, keys: string) {
  for (const key of keys) await k.page.getByTestId(`key-${key}`).click();
}

/** The code of the last SMS the gateway was asked to send to `to` (+49…). */
export function lastCode(gateway: TestGateway, to: string): string {
  const sms = gateway.requests.findLast((request) => (request.body as { to?: string }).to === to);
  const code = /\b(\d{6})\b/.exec((sms?.body as { text?: string } | undefined)?.text ?? '')?.[1];
  assert.ok(code, `no code sent to ${to}`);
  return code;
}
