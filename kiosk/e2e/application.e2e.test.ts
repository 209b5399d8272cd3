/**
 * Applications end to end in Debian's Chromium (real service, built UI, demo hardware): a
 * citizen registers a dog by tapping the on-screen keyboard, checks the review, consents and
 * gets the receipt with the case number and its QR code; the outbox holds the sealed data,
 * which the office's key opens to exactly what was typed. Bad input shows an inline message
 * in the page's language; the first steps work with the tactile keypad's keys alone.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { ApplicationSubmittedSchema } from '@amtomat/admin-sync/protocol';
import { compactDecrypt } from 'jose';
import type { Browser } from 'playwright-core';
import { testKeys, trustTestKeys } from '../src/applications/keys.testing.ts';
import { pdfText } from '../src/testing/pdf-text.ts';
import { until } from '../src/testing/wait.ts';
import { DOG, fillDogForm, focusWithArrows, openDogForm, tap } from './application-steps.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

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

/** A kiosk whose tax office's key is configured (the demo has none: no service is offered). */
async function open() {
  const k = await openKiosk({ browser });
  kiosk = k;
  await trustTestKeys(k.service.terminal.store);
  return k;
}

const step = (k: KioskInBrowser) => k.page.locator('main').getAttribute('data-screen');

describe('a citizen applies', () => {
  test('registers a dog: keyboard, review with change, consent, receipt with QR; the office opens what was typed', async () => {
    const k = await open();
    await openDogForm(k);
    await fillDogForm(k);
    assert.equal(await k.page.getByTestId('review-surname').textContent(), 'Müller');
    assert.equal(await k.page.getByTestId('review-dogBirthDate').textContent(), '11.04.2023');

    await k.page.getByTestId('change-dog').click();
    await k.page.getByTestId('slot-dogName').waitFor();
    await k.page.getByTestId('slot-dogName').click();
    await k.page.getByTestId('clear').click();
    await tap(k, 'dogName', 'Hasso');
    await k.page.getByTestId('submit').click();
    await k.screen('application.review');
    assert.equal(await k.page.getByTestId('review-dogName').textContent(), 'Hasso');

    await k.page.getByTestId('confirm').click();
    await k.screen('application.consent');
    await k.page.getByTestId('agree').click();
    await k.screen('application.receipt');
    const caseNumber = (await k.page.getByTestId('case-number').textContent()) ?? '';
    assert.match(caseNumber, /^A-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(
      await k.page.getByTestId('case-qr').getAttribute('aria-label'),
      `QR-Code mit der Antragsnummer ${caseNumber}`,
    );

    const sealed = k.service.terminal.store
      .pendingOutbox(Number.MAX_SAFE_INTEGER, 1000)
      .filter((event) => event.type === 'application-submitted');
    assert.equal(sealed.length, 1);
    const event = ApplicationSubmittedSchema.parse(sealed[0]!.payload);
    assert.equal(event.caseNumber, caseNumber);
    const { privateKey } = await testKeys();
    const data = JSON.parse(
      new TextDecoder().decode((await compactDecrypt(event.data, privateKey)).plaintext),
    ) as Record<string, unknown>;
    assert.deepEqual(data, { ...DOG, dogName: 'Hasso' });

    // "Beleg drucken": the demo's printer is a folder; the page says it is printed.
    await k.page.getByTestId('print').click();
    await k.page.locator('[data-testid="print-status"][data-print="printed"]').waitFor();
    assert.equal(
      await k.page.getByTestId('print-status').textContent(),
      'Der Beleg ist gedruckt. Bitte nehmen Sie ihn aus dem Drucker.',
    );
    assert.equal(await k.page.getByTestId('print').count(), 0, 'printed once');
    const [receipt, ...more] = readdirSync(join(k.dataDir, 'receipts'));
    assert.deepEqual(more, []);
    const paper = pdfText(join(k.dataDir, 'receipts', receipt!));
    assert.match(paper, new RegExp(`Antragsnummer\\s+${caseNumber}`));
    for (const typed of ['Müller', 'Hasso']) assert.ok(!paper.includes(typed), typed);
    await k.page.getByTestId('confirm').click();
    await k.screen('survey');
  });

  test('bad input: the inline message in the page’s language, at its field', async () => {
    const k = await open();
    await k.page.getByTestId('lang-ar').click();
    await openDogForm(k);
    await k.page.getByTestId('submit').click();
    assert.equal(await k.page.getByTestId('error-surname').textContent(), '⚠ يرجى ملء هذا الحقل.');
    assert.equal(
      await k.page.getByTestId('slot-surname').getAttribute('aria-describedby'),
      'box-surname error-surname', // what is typed in it, then its error
    );
    // In German now: 10,000 characters and a control character (as a scanner or paste
    // would send them: through the service, not key by key), a wrong IBAN, a future date.
    await k.page.getByTestId('lang-de').click();
    const core = k.service.terminal.core;
    assert.ok(core.send({ type: 'TYPE', text: 'x'.repeat(10_000) }).ok);
    await k.page.getByTestId('slot-firstNames').click();
    assert.ok(core.send({ type: 'TYPE', text: 'Anna\u0007' }).ok);
    await k.page.getByTestId('submit').click();
    assert.equal(
      await k.page.getByTestId('error-surname').textContent(),
      '⚠ Das ist zu lang. Bitte kürzen Sie den Text.',
    );
    assert.equal(
      await k.page.getByTestId('error-firstNames').textContent(),
      '⚠ Hier stehen Zeichen, die nicht erlaubt sind. Bitte löschen Sie das Feld und schreiben Sie den Text neu.',
    );
    await k.page.getByTestId('slot-surname').click();
    await k.page.getByTestId('clear').click();
    assert.ok(core.send({ type: 'TYPE', text: 'عبد الله' }).ok);
    await k.page.getByTestId('slot-firstNames').click();
    await k.page.getByTestId('clear').click();
    await tap(k, 'firstNames', 'Anna');
    await k.page.getByTestId('submit').click();
    await k.page.getByTestId('slot-address.street').waitFor();
    await tap(k, 'address.street', 'Hauptstraße');
    await tap(k, 'address.postcode', '5674');
    await tap(k, 'address.town', 'Mendig');
    await k.page.getByTestId('submit').click();
    assert.equal(
      await k.page.getByTestId('error-address').textContent(),
      '⚠ Bitte geben Sie eine Postleitzahl mit 5 Ziffern ein.',
    );
    await tap(k, 'address.postcode', '3');
    await k.page.getByTestId('submit').click();
    await k.page.getByTestId('slot-dogName').waitFor();
    await tap(k, 'dogName', 'Bello');
    await tap(k, 'breed', 'Dackel');
    await tap(k, 'dogBirthDate', '01012099');
    await k.page.getByTestId('submit').click();
    assert.equal(
      await k.page.getByTestId('error-dogBirthDate').textContent(),
      '⚠ Dieses Datum liegt in der Zukunft. Bitte prüfen Sie es.',
    );
    await k.page.getByTestId('slot-dogBirthDate').click();
    await k.page.getByTestId('clear').click();
    await tap(k, 'dogBirthDate', '01012020');
    await k.page.getByTestId('submit').click();
    await tap(k, 'keptSince', '01012021');
    await k.page.getByTestId('set-listedDog-true').click();
    await k.page.getByTestId('submit').click();
    await k.page.getByTestId('slot-iban').waitFor();
    await tap(k, 'iban', 'DE89370400440532013001');
    await k.page.getByTestId('submit').click();
    assert.equal(
      await k.page.getByTestId('error-iban').textContent(),
      '⚠ Die IBAN stimmt nicht – wahrscheinlich ist ein Zeichen falsch. Bitte vergleichen Sie sie mit Ihrer Bankkarte.',
    );
    assert.equal(await step(k), 'application.question');
  });

  test('with the keys of a tactile keypad only: choose, start, type, next step, cancel', async () => {
    const k = await open();
    const press = (key: string) => k.page.keyboard.press(key);
    await focusWithArrows(k, 'service-application');
    await press('Enter');
    await k.screen('application.choose');
    await focusWithArrows(k, 'category-animals');
    await press('Enter');
    await focusWithArrows(k, 'form-hund-anmelden');
    await press('Enter');
    await k.screen('application.needs');
    await focusWithArrows(k, 'start');
    await press('Enter');
    await k.screen('application.question');
    for (const key of 'AB') await press(key); // the surname slot has the keyboard first
    await focusWithArrows(k, 'slot-firstNames');
    await press('Enter');
    await press('C');
    await focusWithArrows(k, 'submit');
    await press('Enter');
    await k.page.getByTestId('slot-address.street').waitFor();
    assert.equal(k.service.terminal.core.view().props.question?.stepId, 'address');
    await press('Escape');
    await until(
      'Escape cancels the application',
      () => !k.service.terminal.core.view().screen.startsWith('application'),
      8000,
    );
  });
});

test('every application screen with the keypad alone: list pages, search, slots, choices, review, consent, receipt', async () => {
  const k = await open();
  const press = (key: string) => k.page.keyboard.press(key);
  const choose = async (testId: string) => {
    await focusWithArrows(k, testId);
    await press('Enter');
  };
  const type = async (text: string) => {
    for (const key of text) await press(key);
  };
  // The service has moved on, and so has the page: keys typed before the page shows the
  // question screen are dropped there (the page's view cannot take KEY yet).
  const stepIs = async (id: string) => {
    await until(
      `step ${id}`,
      () => k.service.terminal.core.view().props.question?.stepId === id,
      8000,
    );
    await k.screen('application.question');
  };
  await choose('service-application');
  await k.screen('application.choose');
  await choose('page-next');
  await k.page.getByTestId('form-hund-anmelden').waitFor();
  await choose('search-open');
  await type('HUND');
  await k.page.getByTestId('form-hund-abmelden').waitFor();
  await choose('search-close');
  await choose('form-hund-anmelden');
  await k.screen('application.needs');
  await choose('start');
  await stepIs('keeper');
  await type('AB');
  await choose('slot-firstNames');
  await type('C');
  await choose('submit');
  await stepIs('address');
  await type('D');
  await choose('slot-address.postcode');
  await type('56743');
  await choose('slot-address.town');
  await type('E');
  await choose('submit');
  await stepIs('dog');
  await type('F');
  await choose('slot-breed');
  await type('G');
  await choose('slot-dogBirthDate');
  await type('01012020');
  await choose('submit');
  await stepIs('keeping');
  await type('01012021');
  await choose('set-listedDog-false');
  await choose('submit');
  await stepIs('payment');
  await choose('submit');
  await stepIs('contact');
  await choose('submit');
  await k.screen('application.review');
  await choose('change-dog');
  await stepIs('dog');
  await choose('submit');
  await k.screen('application.review');
  assert.equal(await k.page.getByTestId('review-breed').textContent(), 'G');
  await choose('confirm');
  await k.screen('application.consent');
  await choose('agree');
  await k.screen('application.receipt');
  assert.match((await k.page.getByTestId('case-number').textContent()) ?? '', /\S/);
  await choose('confirm');
  await until(
    'the receipt is done',
    () => !k.service.terminal.core.view().screen.startsWith('application'),
    8000,
  );
});
