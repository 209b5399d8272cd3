/**
 * Issue #5 acceptance, end to end over loopback: a clerk announces an ID card in the
 * Bürgerbüro console (Chromium) → the terminal pulls it → staff load it at the terminal
 * (Chromium, demo hardware) → the fleet server (its own process) e-mails the code to a real
 * SMTP server → the citizen picks it up at the terminal with that code → the console shows
 * it picked up. Then again with the network cable pulled while loading and while picking
 * up: everything arrives once when the cable is back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import englishNotices from '../../admin-sync/src/server/notifications/templates/en.json' with {
  type: 'json',
};
import turkishNotices from '../../admin-sync/src/server/notifications/templates/tr.json' with {
  type: 'json',
};
import { DEMO } from '../src/service/demo.ts';
import { eventually, until } from '../src/testing/wait.ts';
import { formatDateTime } from '../ui/src/components/date-time.ts';
import {
  enrolledSiteFile,
  type FleetProcess,
  type Link,
  signInToConsole,
  startFleetProcess,
  startLink,
  startTestSmtp,
  type TestSmtp,
} from './fleet.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const STAFF = DEMO.staff[0];
const CITIZEN = { email: 'buerger@example.org', dateOfBirth: '02.03.1980', typed: '02031980' };
const TERMINAL_LABEL = 'Rathaus Testdorf';

let browser: Browser;
let smtp: TestSmtp;
let fleet: FleetProcess;
let link: Link;
let kiosk: KioskInBrowser;
let consolePage: Page;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amtomat-fleet-e2e-'));
  smtp = await startTestSmtp();
  fleet = await startFleetProcess({ smtpPort: smtp.port });
  link = await startLink(Number(new URL(fleet.url).port));
  const siteFile = enrolledSiteFile(dir, {
    label: TERMINAL_LABEL,
    syncUrl: link.url,
    enrolmentToken: fleet.token(TERMINAL_LABEL),
  });
  browser = await launchChromium();
  kiosk = await openKiosk({ browser, config: siteFile });
  const online = await kiosk.service.sync!.syncNow();
  assert.equal(online.online, true, String(online.lastError));
  consolePage = await (await browser.newContext()).newPage();
  await signInToConsole(consolePage, fleet.url);
});

after(async () => {
  await kiosk?.close();
  await browser?.close();
  await link?.close();
  await fleet?.close();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The clerk announces an ID card for the terminal; returns the item page's URL. */
async function announce(reference: string): Promise<string> {
  await consolePage.goto(`${fleet.url}/console/announce`);
  await consolePage.getByLabel('Terminal', { exact: true }).selectOption({ label: TERMINAL_LABEL });
  await consolePage.getByLabel('Reference or barcode').fill(reference);
  await consolePage.getByLabel('Kind').selectOption({ label: 'ID document' });
  await consolePage.getByLabel('Language of the notices').selectOption({ label: 'English' });
  await consolePage.getByLabel('E-mail address').fill(CITIZEN.email);
  await consolePage.getByLabel('Date of birth of the person collecting').fill(CITIZEN.dateOfBirth);
  await consolePage.getByRole('button', { name: 'Announce' }).click();
  await consolePage.waitForURL(/\/console\/items\/[^/?]+/);
  assert.doesNotMatch(await consolePage.locator('main').innerText(), /\b\d{8}\b/, 'no code shown');
  return consolePage.url().split('?')[0]!;
}

async function consoleStatus(itemUrl: string): Promise<string> {
  await consolePage.goto(itemUrl);
  return consolePage.locator('main').innerText();
}

async function tapKeys(keys: string) {
  for (const key of keys) await kiosk.page.getByTestId(`key-${key}`).click();
}

async function staffLogIn(person: (typeof DEMO.staff)[number] = STAFF) {
  kiosk.service.hardware.cardReader.tap(person.card);
  await kiosk.screen('staff.pin');
  await tapKeys(person.pin);
  await kiosk.page.getByTestId('submit').click();
  await kiosk.screen('staff.menu');
}

/** Staff scan the reference, say its size, put it in and close the door: returns the compartment. */
async function load(reference: string): Promise<string> {
  await kiosk.page.getByTestId('task-load').click();
  await kiosk.screen('staff.load.scan');
  kiosk.service.hardware.scanner.scan(reference, ']C0');
  // The town hall does not know the size of the envelope: staff say it at the terminal.
  await kiosk.screen('staff.load.describe');
  await kiosk.page.getByTestId('size-S').click();
  await kiosk.page.getByTestId('confirm').click();
  await kiosk.screen('staff.door-open');
  const compartment = kiosk.service.terminal.store
    .openIntents()
    .find((intent) => intent.purpose === 'load')?.compartment;
  assert.ok(compartment);
  kiosk.closeDoor(compartment, { itemPresent: true });
  await until('loaded', () => itemAt(reference)?.status === 'loaded', 10_000);
  await kiosk.screen('staff.load.scan');
  await kiosk.page.getByTestId('back').click();
  await kiosk.screen('staff.menu');
  await kiosk.page.getByTestId('logout').click();
  await kiosk.screen('attract');
  return compartment;
}

const itemAt = (reference: string) => kiosk.service.terminal.store.itemByReference(reference);

/** The first mail after `before`, to the citizen, carrying an 8-digit code (callers count the mails). */
async function codeFromMail(before: number): Promise<string> {
  const mail = await eventually(
    'the e-mail with the code',
    () => smtp.mails.length > before && smtp.mails[before],
    20_000,
  );
  assert.deepEqual(mail.to, [CITIZEN.email]);
  const code = /\b(\d{8})\b/.exec(mail.mail.text ?? '')?.[1];
  assert.ok(code, 'the mail carries an 8-digit code');
  return code;
}

async function pickUp(code: string, compartment: string) {
  await kiosk.page.getByTestId('service-document-pickup').click();
  await kiosk.screen('pickup.code');
  await tapKeys(code);
  await kiosk.page.getByTestId('submit').click();
  await kiosk.screen('pickup.date-of-birth');
  await tapKeys(CITIZEN.typed);
  await kiosk.page.getByTestId('submit').click();
  await kiosk.screen('pickup.door');
  // One screen that changes: "opening", then "take your document" once the door is open.
  await until('the door open', () => kiosk.door(compartment).open, 8000);
  // Shut only once the terminal has seen it open (as a person would take a moment): shut
  // before the board's answer, the door counts as never opened and the item stays.
  const seenOpen = () =>
    kiosk.service.terminal.store
      .openIntents()
      .some((intent) => intent.compartment === compartment && intent.state === 'opened');
  await until('the terminal sees the door open', seenOpen, 8000);
  kiosk.closeDoor(compartment, { itemPresent: false });
  await kiosk.screen('survey');
  await kiosk.page.getByTestId('finish').click();
  await kiosk.screen('attract');
}

/** Every event of the terminal on the server once, seqs 1..n without a gap, none parked. */
function assertExactlyOnce() {
  const events = fleet.events();
  const seqs = events.map((event) => event.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, index) => index + 1),
  );
  assert.deepEqual(
    events.filter((event) => event.status !== 'applied'),
    [],
  );
  assert.equal(kiosk.service.terminal.store.outboxLength(), 0);
  return events;
}

describe('announce → load → e-mail → pick up → console', () => {
  test('online all the way', async () => {
    const reference = 'PA-2026-7001';
    const itemUrl = await announce(reference);
    assert.match(await consoleStatus(itemUrl), /announced/);

    await kiosk.service.sync!.syncNow();
    assert.equal(itemAt(reference)?.status, 'announced', 'the terminal pulled the announcement');

    await staffLogIn();
    assert.match(await kiosk.page.getByTestId('sync-online').innerText(), /Connected|Verbunden/);
    // The last exchange in the site's time zone (default Europe/Berlin, as the console), not
    // the browser's: one zone for every time a person reads.
    const synced = kiosk.service.sync!.state().lastSync;
    assert.ok(synced);
    const shown = await kiosk.page.getByTestId('sync-last').innerText();
    const lastSync = kiosk.service.sync!.state().lastSync!;
    assert.ok(
      [synced, lastSync].some((at) => shown === formatDateTime(at, 'de', 'Europe/Berlin')),
      `${shown}: the last exchange in Berlin time`,
    );
    const mailsBefore = smtp.mails.length;
    const compartment = await load(reference);
    await kiosk.service.sync!.syncNow();
    const code = await codeFromMail(mailsBefore);
    assert.match(await consoleStatus(itemUrl), /loaded, ready for pickup/);

    await pickUp(code, compartment);
    assert.equal(itemAt(reference)?.status, 'picked_up');
    await kiosk.service.sync!.syncNow();
    const page = await consoleStatus(itemUrl);
    assert.match(page, /picked up/);
    assert.doesNotMatch(page, new RegExp(CITIZEN.email), 'contact data gone after pickup');
    const ofItem = assertExactlyOnce()
      .filter((event) => event.reference === reference)
      .map((event) => event.type);
    // The code typed at the terminal also tells the fleet the citizen's language.
    assert.deepEqual(ofItem, ['item-ready', 'item-language', 'item-picked-up']);
    assert.equal(smtp.mails.length, mailsBefore + 1, 'one e-mail, no more');
  });

  test('cable pulled while loading and while picking up: all arrives once when it is back', async () => {
    const reference = 'PA-2026-7002';
    const itemUrl = await announce(reference);
    await kiosk.service.sync!.syncNow();
    assert.equal(itemAt(reference)?.status, 'announced');

    link.down();
    const mailsBefore = smtp.mails.length;
    await staffLogIn();
    const compartment = await load(reference);
    const offline = await kiosk.service.sync!.syncNow();
    assert.equal(offline.online, false);
    assert.ok(offline.queueLength > 0, 'item-ready waits in the outbox');
    // A colleague looks (the same card again at once is taken for one still held on the reader).
    await staffLogIn(DEMO.staff[1]);
    assert.match(await kiosk.page.getByTestId('sync-online').innerText(), /Not connected|Nicht/);
    // The kind of problem in the staff's words, not the agent's English ("network: …").
    const problem = await kiosk.page.getByTestId('sync-problem').innerText();
    assert.match(problem, /not be reached|nicht erreichbar/);
    assert.doesNotMatch(problem, /network:|fetch failed/);
    await kiosk.page.getByTestId('logout').click();
    await kiosk.screen('attract');
    assert.match(await consoleStatus(itemUrl), /announced/, 'the town hall cannot know yet');

    link.up();
    await kiosk.service.sync!.syncNow();
    const code = await codeFromMail(mailsBefore);

    link.down();
    await pickUp(code, compartment);
    const stillOffline = await kiosk.service.sync!.syncNow();
    assert.equal(stillOffline.online, false);
    assert.match(await consoleStatus(itemUrl), /loaded, ready for pickup/);

    link.up();
    const back = await kiosk.service.sync!.syncNow();
    assert.equal(back.online, true, String(back.lastError));
    assert.match(await consoleStatus(itemUrl), /picked up/);
    const ofItem = assertExactlyOnce()
      .filter((event) => event.reference === reference)
      .map((event) => event.type);
    // The code typed at the terminal also tells the fleet the citizen's language.
    assert.deepEqual(ofItem, ['item-ready', 'item-language', 'item-picked-up']);
    // The worker runs every second: give it time to send anything it should not.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(smtp.mails.length, mailsBefore + 1, 'one e-mail, no more');
  });

  test('the language chosen at the terminal: later notices go out in it', async () => {
    const reference = 'PA-2026-7003';
    await announce(reference); // notices in English, chosen at the counter
    await kiosk.service.sync!.syncNow();
    const mailsBefore = smtp.mails.length;
    await staffLogIn();
    await load(reference);
    await kiosk.service.sync!.syncNow();
    const code = await codeFromMail(mailsBefore);
    const ready = smtp.mails[mailsBefore]!;
    assert.ok(ready.mail.subject?.startsWith(leadOf(englishNotices.notices.ready.subject)));

    // The citizen switches the terminal to Turkish, types the code, then leaves without it.
    await kiosk.page.getByTestId('lang-tr').click();
    await kiosk.page.locator('[data-testid="lang-tr"][aria-pressed="true"]').waitFor();
    await kiosk.page.getByTestId('service-document-pickup').click();
    await kiosk.screen('pickup.code');
    await tapKeys(code);
    await kiosk.page.getByTestId('submit').click();
    await kiosk.screen('pickup.date-of-birth');
    await kiosk.page.getByTestId('cancel').click();
    await kiosk.screen('survey');
    await kiosk.page.getByTestId('finish').click();
    await kiosk.screen('attract');
    await kiosk.service.sync!.syncNow();

    // Two days before the end of the holding period the terminal sends the reminder.
    const expiresAt = itemAt(reference)?.expiresAt;
    assert.ok(expiresAt);
    const reminded = kiosk.service.terminal.store.expireDue(expiresAt - 24 * 3_600_000);
    assert.ok(reminded.expiring >= 1);
    await kiosk.service.sync!.syncNow();
    const reminder = await eventually(
      'the reminder e-mail',
      () => smtp.mails.length > mailsBefore + 1 && smtp.mails[mailsBefore + 1],
      20_000,
    );
    assert.deepEqual(reminder.to, [CITIZEN.email]);
    const subject = reminder.mail.subject ?? '';
    assert.ok(
      subject.startsWith(leadOf(turkishNotices.notices.expiring.subject)),
      `the reminder in Turkish: ${subject}`,
    );
    assert.ok(!subject.startsWith(leadOf(englishNotices.notices.expiring.subject)));
    const ofItem = assertExactlyOnce()
      .filter((event) => event.reference === reference)
      .map((event) => event.type);
    assert.deepEqual(ofItem, ['item-ready', 'item-language', 'item-expiring']);
  });
});

/** A template's fixed text before its first placeholder. */
const leadOf = (template: string) => template.slice(0, template.indexOf('{')).trim();
