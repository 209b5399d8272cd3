/**
 * The survey at the end of a visit (issue #13), in Debian's Chromium with the built UI: with
 * the keys of a tactile keypad only, a citizen rates the visit, says they would otherwise
 * have driven to the counter and how far, corrects the mode to the bus and the distance;
 * Escape then ends the survey. The answers reach
 * the store and the outbox's usage event. One tap on "Done" skips everything.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const DOCUMENT = { code: '483921', dateOfBirth: '01021990', compartment: 'A2' };

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

/** A document picked up and its door closed: the survey is on screen. */
async function toSurvey(): Promise<KioskInBrowser> {
  const k = await openKiosk({ browser });
  kiosk = k;
  await k.page.getByTestId('service-document-pickup').click();
  await k.screen('pickup.code');
  for (const key of DOCUMENT.code) await k.page.getByTestId(`key-${key}`).click();
  await k.page.getByTestId('submit').click();
  await k.screen('pickup.date-of-birth');
  for (const key of DOCUMENT.dateOfBirth) await k.page.getByTestId(`key-${key}`).click();
  await k.page.getByTestId('submit').click();
  await k.screen('pickup.pin-letter');
  await k.page.getByTestId('confirm-pin-letter').click();
  await k.screen('pickup.door');
  await poll(() => k.service.terminal.store.compartment(DOCUMENT.compartment)?.door === 'open');
  k.closeDoor(DOCUMENT.compartment, { itemPresent: false });
  await k.screen('survey');
  return k;
}

/** The visit as recorded locally, and as it waits in the outbox for the fleet. */
function recorded(k: KioskInBrowser) {
  const store = k.service.terminal.store;
  const ended = store.usageEvents().find((event) => event.type === 'session-ended');
  const queued = store
    .pendingOutbox(Number.MAX_SAFE_INTEGER, 1000)
    .find((event) => event.type === 'usage-session');
  return { data: ended?.data, payload: queued?.payload as Record<string, unknown> | undefined };
}

test('keypad only: rating, the counterfactual trip and its distance, corrected; Escape ends it', async () => {
  const k = await toSurvey();
  const press = (key: string) => k.page.keyboard.press(key);
  assert.equal(await k.page.getByTestId('distance-5-10').count(), 0, 'no distance before a mode');
  await focusWithArrows(k, 'satisfaction-4');
  await press('Enter');
  await focusWithArrows(k, 'alternative-counter-car');
  await press('Enter');
  await k.page.getByTestId('distance-5-10').waitFor();
  await focusWithArrows(k, 'distance-5-10');
  await press('Enter');
  // The screen shows the choice as pressed.
  await k.page.locator('[data-testid="distance-5-10"][aria-pressed="true"]').waitFor();
  // A slip: the mode is changed (the questions come back), then the trip's length again.
  await focusWithArrows(k, 'change-alternative');
  await press('Enter');
  await k.page.getByTestId('alternative-counter-bus').waitFor();
  await focusWithArrows(k, 'alternative-counter-bus');
  await press('Enter');
  await k.page.getByTestId('distance-10-20').waitFor();
  await focusWithArrows(k, 'distance-10-20');
  await press('Enter');
  await k.page.locator('[data-testid="distance-10-20"][aria-pressed="true"]').waitFor();
  await press('Escape');
  await k.screen('attract');
  const { data, payload } = recorded(k);
  assert.equal(data?.satisfaction, 4);
  assert.equal(data?.alternative, 'counter-bus');
  assert.equal(data?.distanceBand, '10-20');
  assert.equal(payload?.alternative, 'counter-bus');
  assert.equal(payload?.distanceBand, '10-20');
});

test('one tap on "Done" skips the survey: nothing is answered', async () => {
  const k = await toSurvey();
  // No free text anywhere on the survey.
  assert.equal(await k.page.locator('main input, main textarea').count(), 0);
  await k.page.getByTestId('finish').click();
  await k.screen('attract');
  const { payload } = recorded(k);
  assert.equal(payload?.satisfaction, null);
  assert.equal(payload?.alternative, null);
  assert.equal(payload?.distanceBand, null);
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

async function poll(condition: () => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
