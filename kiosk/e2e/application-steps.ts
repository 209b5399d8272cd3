/**
 * What a citizen does at the application screens, for the end-to-end tests: open a form,
 * tap text on the on-screen keyboard, move the keypad focus with the arrow keys, and fill
 * the dog registration and the Meldebescheinigung by touch alone.
 */
import assert from 'node:assert/strict';
import type { KioskInBrowser } from './harness.ts';

/** From the start screen to the first question of form `formId`. */
export async function openForm(k: KioskInBrowser, formId: string) {
  await k.page.getByTestId('service-application').click();
  await k.screen('application.choose');
  // Four services a page: turn pages until the form's button is there.
  const form = k.page.getByTestId(`form-${formId}`);
  for (let page = 0; (await form.count()) === 0 && page < 4; page++) {
    await k.page.getByTestId('page-next').click();
  }
  await form.click();
  await k.screen('application.needs');
  await k.page.getByTestId('start').click();
  await k.screen('application.question');
}

export const openDogForm = (k: KioskInBrowser) => openForm(k, 'hund-anmelden');

/** Taps the text on the on-screen keyboard (its first letter a capital, then small ones). */
export async function tap(k: KioskInBrowser, slot: string, text: string) {
  await k.page.getByTestId(`slot-${slot}`).click();
  for (const character of text) {
    if (character === ' ') await k.page.getByTestId('key-space').click();
    else {
      const key = character === 'ß' ? character : character.toUpperCase();
      await k.page.getByTestId(`key-${key}`).click();
    }
  }
}

/** "Next": then waits for the next step's first slot (or screen). */
async function next(k: KioskInBrowser, then: { slot: string } | { screen: string }) {
  await k.page.getByTestId('submit').click();
  if ('slot' in then) await k.page.getByTestId(`slot-${then.slot}`).waitFor();
  else await k.screen(then.screen);
}

/** Moves the keypad focus down until `testId` has it. */
export async function focusWithArrows(k: KioskInBrowser, testId: string) {
  const focused = () => k.page.evaluate('document.activeElement?.dataset?.testid ?? null');
  for (let step = 0; step < 120; step++) {
    if ((await focused()) === testId) return;
    await k.page.keyboard.press('ArrowDown');
  }
  assert.fail(`${testId} cannot be reached with the arrow keys`);
}

/** The dog registration as the tests type it, and the data the office must receive. */
export const DOG = {
  surname: 'Müller',
  firstNames: 'Anna',
  address: { street: 'Hauptstraße', houseNumber: '5', postcode: '56743', town: 'Mendig' },
  dogName: 'Bello',
  breed: 'Dackel',
  dogBirthDate: '2023-04-11',
  keptSince: '2023-06-01',
  listedDog: false,
  email: 'anna@example.org',
};

/** Fills the dog registration from its first question to the review (no direct debit). */
export async function fillDogForm(k: KioskInBrowser) {
  await tap(k, 'surname', DOG.surname);
  await tap(k, 'firstNames', DOG.firstNames);
  await next(k, { slot: 'address.street' });
  await tapAddress(k, DOG.address);
  await next(k, { slot: 'dogName' });
  await tap(k, 'dogName', DOG.dogName);
  await tap(k, 'breed', DOG.breed);
  await tap(k, 'dogBirthDate', '11042023');
  await next(k, { slot: 'keptSince' });
  await tap(k, 'keptSince', '01062023');
  await k.page.getByTestId('set-listedDog-false').click();
  await next(k, { slot: 'iban' });
  await next(k, { slot: 'email' });
  await tap(k, 'email', DOG.email);
  await next(k, { screen: 'application.review' });
}

async function tapAddress(k: KioskInBrowser, address: typeof DOG.address) {
  await tap(k, 'address.street', address.street);
  await tap(k, 'address.houseNumber', address.houseNumber);
  await tap(k, 'address.postcode', address.postcode);
  await tap(k, 'address.town', address.town);
}

/** A Meldebescheinigung as the tests type it, and the data the office must receive. */
export const CERTIFICATE = {
  surname: 'Schäfer',
  firstNames: 'Jörg',
  birthDate: '1980-03-02',
  address: { street: 'Bahnhofstraße', houseNumber: '12', postcode: '56727', town: 'Mayen' },
  kind: 'extended',
  delivery: 'locker',
};

/** Fills the Meldebescheinigung from its first question to the review (no contact). */
export async function fillCertificateForm(k: KioskInBrowser) {
  await tap(k, 'surname', CERTIFICATE.surname);
  await tap(k, 'firstNames', CERTIFICATE.firstNames);
  await next(k, { slot: 'birthDate' });
  await tap(k, 'birthDate', '02031980');
  await next(k, { slot: 'address.street' });
  await tapAddress(k, CERTIFICATE.address);
  await k.page.getByTestId('submit').click();
  await k.page.getByTestId('set-kind-extended').click();
  await k.page.getByTestId('set-delivery-locker').click();
  await next(k, { slot: 'phone' });
  await next(k, { screen: 'application.review' });
}

/** After a finished or cancelled application: past the survey (Escape ends it) to the start. */
export async function backToStart(k: KioskInBrowser, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = k.service.terminal.core.view().screen;
    if (screen === 'attract') return k.screen('attract');
    if (screen === 'survey') await k.page.keyboard.press('Escape');
    if (Date.now() > deadline) assert.fail(`still on ${screen}, not back at the start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
