/**
 * Issue #12's acceptance end to end: Chromium on the kiosk (real service, built UI, demo
 * hardware), the fleet server as its own process relaying to the FIT-Connect Zustelldienst
 * double (a real HTTP server) per `--applications-config`. The fleet delivers the
 * destinations' keys, as FIT-Connect publishes them, through the feed; a citizen
 * registers a dog and requests a Meldebescheinigung by touch; the double receives each
 * submission exactly once; the destination's private key opens each to exactly what was
 * typed, valid against its form's JSON Schema, with the metadata's hash of it; the console,
 * a clerk signed in, shows both, accepted by the authority.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCatalogue } from '@amtomat/admin-sync/protocol';
import { compactDecrypt, type JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { writeRelayConfigFile } from '../../admin-sync/src/server/applications/testing.ts';
import {
  startZustelldienst,
  type Zustelldienst,
} from '../../admin-sync/src/server/testing/zustelldienst.ts';
import { type TestKeys, testKeys } from '../src/applications/keys.testing.ts';
import { destinationKeySetting } from '../src/applications/keys.ts';
import { dataValidator } from '../src/applications/seal.ts';
import {
  backToStart,
  CERTIFICATE,
  DOG,
  fillCertificateForm,
  fillDogForm,
  openForm,
} from './application-steps.ts';
import {
  enrolledSiteFile,
  type FleetProcess,
  signInToConsole,
  startFleetProcess,
} from './fleet.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const TERMINAL_LABEL = 'Rathaus Mendig';
const DESTINATIONS = ['steueramt', 'buergerbuero'];
const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const formOf = (id: string) => catalogue.value.forms.find((form) => form.id === id)!;

let dir: string;
let keys: TestKeys;
let double: Zustelldienst;
let fleet: FleetProcess;
let browser: Browser;
let kiosk: KioskInBrowser;
let consolePage: Page;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amtomat-application-fleet-e2e-'));
  keys = await testKeys();
  double = await startZustelldienst({
    destinationKey: { publicJwk: keys.publicJwk as JWK, privateJwk: keys.privateJwk },
  });
  // Both catalogue destinations relayed to the double's one FIT-Connect destination.
  writeFileSync(join(dir, 'root.pem'), keys.rootPem);
  const config = writeRelayConfigFile(join(dir, 'applications.json'), double, {
    catalogueIds: DESTINATIONS,
    rootCertificate: 'root.pem',
  });
  fleet = await startFleetProcess({ args: ['--applications-config', config] });
  const siteFile = enrolledSiteFile(dir, {
    label: TERMINAL_LABEL,
    syncUrl: fleet.url,
    enrolmentToken: fleet.token(TERMINAL_LABEL),
  });
  browser = await launchChromium();
  kiosk = await openKiosk({ browser, config: siteFile });
  consolePage = await (await browser.newContext()).newPage();
  await signInToConsole(consolePage, fleet.url);
});

after(async () => {
  await kiosk?.close();
  await browser?.close();
  await fleet?.close();
  await double?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sync cycles until `done` holds (the fleet's relay works every second meanwhile). */
async function syncUntil(what: string, done: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    const status = await kiosk.service.sync!.syncNow();
    assert.equal(status.online, true, String(status.lastError));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether the choose screen offers form `formId` (its destination key usable). */
function offered(formId: string): boolean | undefined {
  for (const service of kiosk.service.terminal.core.view().props.services ?? []) {
    if (typeof service === 'object' && service.id === formId) return service.available;
  }
  return undefined;
}

/** Review → consent → receipt; answers the case number and returns to the start. */
async function submitReviewed(): Promise<string> {
  await kiosk.page.getByTestId('confirm').click();
  await kiosk.screen('application.consent');
  await kiosk.page.getByTestId('agree').click();
  await kiosk.screen('application.receipt');
  const caseNumber = (await kiosk.page.getByTestId('case-number').textContent()) ?? '';
  assert.match(caseNumber, /^A-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await kiosk.page.getByTestId('confirm').click();
  await backToStart(kiosk);
  return caseNumber;
}

const opened = async (jwe: string) =>
  new TextDecoder().decode((await compactDecrypt(jwe, keys.privateKey)).plaintext);

describe('applications from the terminal to FIT-Connect', () => {
  test('the fleet delivers the keys; a dog and a Meldebescheinigung reach the double once, exactly as typed', async () => {
    const store = kiosk.service.terminal.store;
    await syncUntil('the fleet delivered both destination keys', () =>
      DESTINATIONS.every((id) => store.setting(destinationKeySetting(id)) !== undefined),
    );
    // What FIT-Connect publishes for the destination, as the fleet relayed it.
    for (const id of DESTINATIONS) {
      assert.deepEqual(JSON.parse(store.setting(destinationKeySetting(id))!), double.publicJwk);
    }
    await kiosk.page.getByTestId('service-application').click();
    await kiosk.screen('application.choose');
    assert.equal(offered('hund-anmelden'), true);
    assert.equal(offered('meldebescheinigung'), true);
    await kiosk.page.keyboard.press('Escape');
    await backToStart(kiosk);

    await openForm(kiosk, 'hund-anmelden');
    await fillDogForm(kiosk);
    const dogCase = await submitReviewed();
    await openForm(kiosk, 'meldebescheinigung');
    await fillCertificateForm(kiosk);
    const certificateCase = await submitReviewed();

    await syncUntil('both submitted to FIT-Connect', () => double.submitted().length >= 2);
    // Exactly once: two submissions created and submitted, each submit taken once.
    assert.equal(double.submissions.size, 2);
    const received = double.submitted();
    assert.equal(received.length, 2);
    assert.ok(received.every((submission) => submission.submitCount === 1));
    assert.ok(received.every((submission) => submission.destinationId === double.destinationId));

    const expected = new Map(
      [
        { formId: 'hund-anmelden', data: DOG as unknown },
        { formId: 'meldebescheinigung', data: CERTIFICATE as unknown },
      ].map((want) => [`urn:de:fim:leika:leistung:${formOf(want.formId).leikaKey}`, want]),
    );
    for (const submission of received) {
      const want = expected.get(submission.serviceIdentifier);
      assert.ok(want, `unexpected service ${submission.serviceIdentifier}`);
      const text = await opened(submission.encryptedData!);
      const data = JSON.parse(text) as unknown;
      assert.deepEqual(data, want.data);
      const validate = dataValidator(formOf(want.formId));
      assert.ok(validate(data), JSON.stringify(validate.errors));
      const metadata = JSON.parse(await opened(submission.encryptedMetadata!)) as {
        contentStructure: { data: { hash: { type: string; content: string } } };
      };
      assert.deepEqual(metadata.contentStructure.data.hash, {
        type: 'sha512',
        content: createHash('sha512').update(text, 'utf8').digest('hex'),
      });
      expected.delete(submission.serviceIdentifier);
    }
    assert.equal(expected.size, 0, 'one submission of each service');

    // The authority accepts both; the console shows both cases, accepted.
    for (const submission of received) await double.accept(submission.submissionId);
    const rowOf = (caseNumber: string) =>
      consolePage.locator('tr', { has: consolePage.locator('th', { hasText: caseNumber }) });
    const deadline = Date.now() + 20_000;
    for (;;) {
      await consolePage.goto(`${fleet.url}/console/applications?lang=en`);
      const rows = await Promise.all([dogCase, certificateCase].map((c) => rowOf(c).innerText()));
      if (rows.every((row) => row.includes('Accepted by the authority'))) {
        assert.match(rows[0]!, /hund-anmelden/);
        assert.match(rows[1]!, /meldebescheinigung/);
        assert.ok(rows.every((row) => row.includes(TERMINAL_LABEL)));
        break;
      }
      if (Date.now() > deadline) assert.fail(`the console shows: ${rows.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Nothing was submitted again meanwhile.
    assert.equal(double.submitted().length, 2);
    assert.ok(double.submitted().every((submission) => submission.submitCount === 1));
  });
});
