/**
 * End to end in Debian's Chromium: a citizen, a courier and staff each do their job with
 * the real service, the built UI, the demo hardware. Every test asserts what the screen
 * shows and what the store holds.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO } from '../src/service/demo.ts';
import { DAY_MS } from '../src/store/store.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const DOCUMENT = {
  code: '483921',
  dateOfBirth: '01021990',
  compartment: 'A2',
  ref: 'PA-2026-0042',
};
const PARCELS = { code: '736251', compartments: ['A5', 'A6'] };
const STAFF = { card: '04A1B2C3', pin: '2468', id: 'demo-staff' };

let browser: Browser;
let kiosk: KioskInBrowser | undefined;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

async function open(options: Parameters<typeof openKiosk>[0] = {}) {
  kiosk = await openKiosk({ ...options, browser });
  return kiosk;
}

async function tapKeys(k: KioskInBrowser, keys: string) {
  for (const key of keys) await k.page.getByTestId(`key-${key}`).click();
}

/** The start screen offers the services at once. */
async function choose(k: KioskInBrowser, service: string) {
  await k.page.getByTestId(`service-${service}`).click();
}

/** The door screen has changed from "opening" to "take": the door is open. */
async function doorOpenShown(k: KioskInBrowser) {
  await k.screen('pickup.door');
  await k.page.locator('main[data-screen="pickup.door"]:not(.busy)').waitFor();
}

/** The terminal saw the door open (a person cannot shut it faster than that). */
const seenOpen = (k: KioskInBrowser, label: string) =>
  k.service.terminal.store.compartment(label)?.door === 'open';
const item = (k: KioskInBrowser, reference: string) =>
  k.service.terminal.store.itemByReference(reference);
const outboxTypes = (k: KioskInBrowser) =>
  k.service.terminal.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 1000).map((event) => event.type);

async function pickUpDocument(k: KioskInBrowser) {
  await choose(k, 'document-pickup');
  await k.screen('pickup.code');
  await tapKeys(k, DOCUMENT.code);
  await k.page.getByTestId('submit').click();
  await k.screen('pickup.date-of-birth');
  await tapKeys(k, DOCUMENT.dateOfBirth);
  await k.page.getByTestId('submit').click();
  await k.screen('pickup.pin-letter');
  await k.page.getByTestId('confirm-pin-letter').click();
  await doorOpenShown(k);
}

describe('a citizen', () => {
  test('picks up an ID card: code, date of birth, PIN letter, door, close', async () => {
    const k = await open();
    await pickUpDocument(k);
    assert.equal(k.door(DOCUMENT.compartment).open, true);
    const main = await k.page.locator('main').innerText();
    assert.match(main, /Bitte nehmen Sie Ihr Dokument aus Fach A2/, 'an ID card is no "Sendung"');
    // Code, date of birth, PIN letter, door: four steps, counted without a gap.
    assert.match(main, /Schritt 4 von 4/);
    assert.equal(item(k, DOCUMENT.ref)?.status, 'picked_up');
    k.closeDoor(DOCUMENT.compartment, { itemPresent: false });
    await k.screen('survey');
    await k.page.getByTestId('open-again').waitFor();
    const survey = await k.page.locator('main').innerText();
    assert.match(
      survey,
      /Sie können das Fach noch \d+ (Minuten?|Sekunden?)[^.:]* lang wieder öffnen\./,
    );
    assert.match(survey, /Wie zufrieden waren Sie\?/);
    assert.ok(outboxTypes(k).includes('item-picked-up'));
    assert.equal(k.service.terminal.store.openIntents().length, 0);
    assert.ok(k.service.terminal.store.verifyAudit().ok);
  });

  test('one code picks up two parcels, one door after the other', async () => {
    const k = await open();
    await choose(k, 'parcel-pickup');
    await k.screen('parcel.code');
    await tapKeys(k, PARCELS.code);
    await k.page.getByTestId('submit').click();
    await k.screen('parcel.take-and-close');
    const [first, second] = PARCELS.compartments as [string, string];
    assert.equal(k.door(first).open, true);
    // One parcel behind this door, one more door to come.
    const main = await k.page.locator('main').innerText();
    assert.match(main, /Bitte nehmen Sie Ihr Paket heraus und schließen Sie die Tür\./);
    assert.match(main, /Danach öffnet sich noch ein weiteres Fach\./);
    k.closeDoor(first, { itemPresent: false });
    await poll(() => seenOpen(k, second), 'the terminal sees the second door open');
    k.closeDoor(second, { itemPresent: false });
    await k.screen('survey');
    for (const reference of ['PKG-1001', 'PKG-1002']) {
      assert.equal(item(k, reference)?.status, 'picked_up', reference);
    }
  });

  test('who cancels is not asked how satisfied they were', async () => {
    const k = await open();
    await choose(k, 'document-pickup');
    await k.screen('pickup.code');
    await k.page.getByTestId('cancel').click();
    await k.screen('survey');
    const main = await k.page.locator('main').innerText();
    assert.match(main, /Sie haben abgebrochen/);
    assert.doesNotMatch(main, /zufrieden|Was hätten Sie/);
    assert.equal(await k.page.getByTestId('satisfaction-1').count(), 0);
  });

  test('a wrong code says so; the fifth in a row locks code entry and alarms staff', async () => {
    const k = await open();
    await choose(k, 'document-pickup');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await k.screen('pickup.code');
      await tapKeys(k, '111111');
      await k.page.getByTestId('submit').click();
      await k.page.getByTestId(attempt < 5 ? 'error' : 'lock-notice').waitFor();
    }
    assert.ok(outboxTypes(k).includes('alarm'));
    await tapKeys(k, DOCUMENT.code);
    await k.page.getByTestId('submit').click();
    await k.page.getByTestId('lock-notice').waitFor();
    assert.equal(item(k, DOCUMENT.ref)?.status, 'loaded', 'the right code waits out the lock');
    assert.equal(k.door(DOCUMENT.compartment).open, false);
  });

  test('inactivity: the warning, "more time", then the session ends and forgets the entry', async () => {
    const k = await open({ timers: { inactivityMs: 4000, warningMs: 2500 } });
    await choose(k, 'document-pickup');
    await k.screen('pickup.code');
    await tapKeys(k, '48');
    await k.page.getByTestId('inactivity-warning').waitFor({ timeout: 8000 });
    await k.page.getByTestId('extend').click();
    await k.page.getByTestId('inactivity-warning').waitFor({ state: 'hidden' });
    assert.equal(k.service.terminal.core.view().props.entered, 2, 'the entry survives the warning');
    await k.page.getByTestId('inactivity-warning').waitFor({ timeout: 8000 });
    await k.screen('attract', 8000);
    const ended = k.service.terminal.store.usageEvents().filter((e) => e.type === 'session-ended');
    assert.equal(ended.at(-1)?.data.outcome, 'timed-out');
    assert.equal(ended.at(-1)?.data.extensions, 1);
  });

  test('switches to Arabic mid-flow: right to left, nothing typed is lost', async () => {
    const k = await open();
    await choose(k, 'document-pickup');
    await k.screen('pickup.code');
    await tapKeys(k, '483');
    await k.page.getByTestId('lang-ar').click();
    await poll(async () => (await k.page.locator('html').getAttribute('dir')) === 'rtl', 'rtl');
    assert.equal(await k.page.locator('html').getAttribute('lang'), 'ar');
    assert.equal(k.service.terminal.core.view().props.entered, 3);
    await tapKeys(k, '921');
    await k.page.getByTestId('submit').click();
    await k.screen('pickup.date-of-birth');
  });

  test('large text: every text grows, the flow goes on', async () => {
    const k = await open();
    const size = async () =>
      Number(
        await k.page.evaluate(
          "parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)",
        ),
      );
    const normal = await size();
    await k.page.getByTestId('toggle-large-text').click();
    // 22 px → 28 px body text (the normal size is already large: docs/screen-layout.md).
    await poll(async () => (await size()) >= normal * 1.25, 'the heading grows');
    await choose(k, 'document-pickup');
    await k.screen('pickup.code');
    assert.equal(k.service.terminal.core.view().session.accessibility.largeText, true);
  });

  test('a pickup with the keys of a tactile keypad only (no pointer)', async () => {
    const k = await open();
    const press = (key: string) => k.page.keyboard.press(key);
    await focusWithArrows(k, 'service-document-pickup');
    await press('Enter');
    await k.screen('pickup.code');
    for (const digit of DOCUMENT.code) await press(digit);
    await press('Enter');
    await k.screen('pickup.date-of-birth');
    for (const digit of DOCUMENT.dateOfBirth) await press(digit);
    await press('Enter');
    await k.screen('pickup.pin-letter');
    await focusWithArrows(k, 'confirm-pin-letter');
    await press('Enter');
    await doorOpenShown(k);
    assert.equal(item(k, DOCUMENT.ref)?.status, 'picked_up');
  });
});

describe('a courier', () => {
  test('logs in with a code, scans a parcel, chooses a size, deposits it', async () => {
    const k = await open();
    await choose(k, 'courier-deposit');
    await k.screen('courier.login');
    const dots = () => k.page.locator('[data-testid="entry"] .entry-slots').innerText();
    assert.equal((await dots()).trim(), '', 'no empty slots before anything is typed');
    await tapKeys(k, DEMO.courierCode);
    // One dot per character typed: all 8 of the code, not 6 slots.
    await poll(async () => (await dots()) === '● ● ● ● ● ● ● ●', 'eight dots');
    await k.page.getByTestId('submit').click();
    await k.screen('courier.scan');
    k.service.hardware.scanner.scan('PKG-2002', ']C0');
    await k.screen('courier.size');
    await k.page.getByTestId('size-M').click();
    await k.screen('courier.deposit-and-close');
    const compartment = k.service.terminal.store
      .openIntents()
      .find((intent) => intent.purpose === 'deposit')?.compartment;
    assert.ok(compartment, 'a deposit door is open');
    k.closeDoor(compartment, { itemPresent: true });
    await k.screen('courier.deposited');
    assert.equal(item(k, 'PKG-2002')?.status, 'loaded');
    assert.equal(item(k, 'PKG-2002')?.compartment, compartment);
    assert.ok(outboxTypes(k).includes('item-ready'));
  });

  test('taps the card at the start screen (no PIN), types the label with or without its dash: one parcel', async () => {
    const k = await open();
    await k.screen('attract');
    k.service.hardware.cardReader.tap(DEMO.courier.card);
    await k.screen('courier.scan');
    await tapKeys(k, 'PKG2002');
    await k.page.getByTestId('submit').click();
    await k.screen('courier.size');
    await k.page.getByTestId('size-M').click();
    await k.screen('courier.deposit-and-close');
    const compartment = k.service.terminal.store
      .openIntents()
      .find((intent) => intent.purpose === 'deposit')?.compartment;
    assert.ok(compartment);
    k.closeDoor(compartment, { itemPresent: true });
    await k.screen('courier.deposited');
    assert.equal(item(k, 'PKG-2002')?.status, 'loaded', 'the announced parcel, as printed');
    await k.page.getByTestId('next-parcel').click();
    await k.screen('courier.scan');
    await tapKeys(k, 'PKG-2002');
    await poll(
      async () => (await k.page.getByTestId('entry').innerText()) === 'PKG-2002',
      'the label as typed, with its dash',
    );
    await k.page.getByTestId('submit').click();
    await k.page.getByTestId('error').waitFor();
    assert.match(await k.page.getByTestId('error').innerText(), /bereits in einem Fach/);
    const deposits = k.service.terminal.store
      .itemsWithStatus('loaded')
      .filter((parcel) => parcel.reference.replace('-', '') === 'PKG2002');
    assert.equal(deposits.length, 1, 'no second deposit of the same parcel');
  });
});

describe('staff', () => {
  async function logIn(k: KioskInBrowser) {
    k.service.hardware.cardReader.tap(STAFF.card);
    await k.screen('staff.pin');
    await tapKeys(k, STAFF.pin);
    await k.page.getByTestId('submit').click();
    await k.screen('staff.menu');
  }

  test('log in, load an announced document, and a citizen picks it up with its code', async () => {
    const k = await open();
    const store = k.service.terminal.store;
    store.announceItem({ kind: 'document', reference: 'BB-2026-0815', code: '305511', size: 'M' });
    await logIn(k);
    // Staff screens look clearly different from citizen screens.
    assert.equal(await k.page.locator('.app.staff-mode .staff-banner').count(), 1);
    await k.page.getByTestId('task-load').click();
    await k.screen('staff.load.scan');
    k.service.hardware.scanner.scan('BB-2026-0815', ']C0');
    await k.screen('staff.door-open');
    const compartment = store
      .openIntents()
      .find((intent) => intent.purpose === 'load')?.compartment;
    assert.ok(compartment);
    k.closeDoor(compartment, { itemPresent: true });
    await poll(() => item(k, 'BB-2026-0815')?.status === 'loaded', 'loaded');
    assert.equal(item(k, 'BB-2026-0815')?.loadedBy, STAFF.id);
    await k.screen('staff.load.scan');
    await k.page.getByTestId('back').click();
    await k.screen('staff.menu');
    await k.page.getByTestId('logout').click();
    await k.screen('attract');

    await choose(k, 'document-pickup');
    await k.screen('pickup.code');
    await tapKeys(k, '305511');
    await k.page.getByTestId('submit').click();
    await doorOpenShown(k);
    assert.equal(k.door(compartment).open, true);
    assert.equal(item(k, 'BB-2026-0815')?.status, 'picked_up');
  });

  test('retrieve an expired item: list, open, confirm taken out', async () => {
    const k = await open();
    const store = k.service.terminal.store;
    store.expireDue(Date.now() + 30 * DAY_MS);
    const expired = store.itemsWithStatus('expired');
    assert.ok(expired.length > 0, 'demo items expired');
    const target = expired.find((candidate) => candidate.reference === 'URK-2026-0007')!;
    await logIn(k);
    await k.page.getByTestId('task-retrieve').click();
    await k.screen('staff.retrieve.list');
    await k.page.getByTestId(`retrieve-${target.id}`).click();
    await k.screen('staff.door-open');
    await poll(() => seenOpen(k, target.compartment!), 'the terminal sees the door open');
    k.closeDoor(target.compartment!, { itemPresent: false });
    await k.screen('staff.retrieve.confirm');
    await k.page.getByTestId('confirm-taken').click();
    await poll(() => store.item(target.id)?.status === 'retrieved', 'retrieved');
    assert.ok(store.verifyAudit().ok);
  });
});

/** Moves the focus with the arrow keys (a tactile keypad has no pointer) to `testId`. */
async function focusWithArrows(k: KioskInBrowser, testId: string) {
  const focused = () => k.page.evaluate('document.activeElement?.dataset?.testid ?? null');
  for (let step = 0; step < 40; step++) {
    if ((await focused()) === testId) return;
    await k.page.keyboard.press('ArrowDown');
  }
  assert.fail(`${testId} cannot be reached with the arrow keys`);
}

async function poll(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
