/**
 * Applications at a real terminal (kiosk core, real SQLite file): registering a dog from the
 * start screen to the receipt, what the outbox holds (only the sealed JWE, which the office opens to
 * exactly what was typed), nothing typed on disk or in the log, inline errors per field,
 * cancel erasing everything, an unusable destination key, and a session keeping its form
 * version while the catalogue changes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { ApplicationSubmittedSchema, loadCatalogue } from '@amtomat/admin-sync/protocol';
import { memoryLogger } from '@amtomat/basics';
import { compactDecrypt } from 'jose';
import { testKeys } from '../applications/keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from '../applications/keys.ts';
import { dataValidator } from '../applications/seal.ts';
import { folderPrinter } from '../receipts/folder-printer.ts';
import { createReceipts } from '../receipts/receipts.ts';
import { FORM_CATALOGUE_SETTING } from '../service/feed.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { pdfText } from '../testing/pdf-text.ts';

let kiosk: KioskFixture | undefined;
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
});

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;

async function terminal(
  keys: 'valid' | 'wrong-root' = 'valid',
  options: Parameters<typeof startKiosk>[0] = {},
) {
  const k = await startKiosk(options);
  kiosk = k;
  await k.waitForScreen('attract');
  const made = await testKeys();
  k.store.setSetting(ROOT_CERTIFICATE_SETTING, keys === 'valid' ? made.rootPem : made.otherRootPem);
  k.store.setSetting(destinationKeySetting(dog.destinationId), JSON.stringify(made.publicJwk));
  return k;
}

async function openForm(k: KioskFixture, form = 'hund-anmelden') {
  k.press({ type: 'CHOOSE', service: 'application' });
  await k.waitForScreen('application.choose');
  k.press({ type: 'CHOOSE_FORM', form });
  return k.waitForScreen('application.needs');
}

/** Types each slot's text, then goes on (SUBMIT). */
function fill(k: KioskFixture, slots: Record<string, string>) {
  for (const [slot, text] of Object.entries(slots)) {
    k.press({ type: 'EDIT_SLOT', slot });
    k.press({ type: 'CLEAR' });
    if (text !== '') k.press({ type: 'TYPE', text });
  }
  k.press({ type: 'SUBMIT' });
}

const stepOf = (k: KioskFixture) => k.core.view().props.question?.stepId;
const errorsOf = (k: KioskFixture) =>
  Object.fromEntries(
    (k.core.view().props.question?.fields ?? []).flatMap((field) =>
      field.error ? [[field.id, field.error]] : [],
    ),
  );

/** Every value typed below: none may be found on disk or in the log. */
const TYPED = {
  surname: 'Quappendorfer',
  firstNames: 'Wiebke Zoë',
  street: 'Zwetschgenallee',
  town: 'Thürwiesen',
  dogName: 'Knödelbert',
  breed: 'Xoloitzcuintle',
  chip: '276098106512345',
  iban: 'DE89370400440532013000',
  email: 'wiebke.quappendorfer@example.org',
};

/** Registers the dog from the needs screen to the consent. */
async function registerDog(k: KioskFixture) {
  k.press({ type: 'CONFIRM' });
  await k.waitForScreen('application.question');
  fill(k, { surname: TYPED.surname, firstNames: TYPED.firstNames });
  assert.equal(stepOf(k), 'address');
  fill(k, {
    'address.street': TYPED.street,
    'address.houseNumber': '17b',
    'address.postcode': '56743',
    'address.town': TYPED.town,
  });
  fill(k, { dogName: TYPED.dogName, breed: TYPED.breed, dogBirthDate: '11042023' });
  k.press({ type: 'SET', field: 'listedDog', value: false });
  fill(k, { keptSince: '01022024', chipNumber: TYPED.chip });
  fill(k, { iban: TYPED.iban });
  fill(k, { email: TYPED.email });
  await k.waitForScreen('application.review');
}

/** Registers the dog up to the receipt; its case number. */
async function submitDog(k: KioskFixture): Promise<string> {
  await openForm(k);
  await registerDog(k);
  k.press({ type: 'CONFIRM' });
  await k.waitForScreen('application.consent');
  k.press({ type: 'CONFIRM' });
  const receipt = await k.waitForScreen('application.receipt');
  return receipt.props.caseNumber ?? '';
}

/** A terminal whose receipt printer writes into a folder of its own. */
async function terminalWithPrinter() {
  const folder = mkdtempSync(join(tmpdir(), 'amtomat-receipts-'));
  const logger = memoryLogger();
  const receipts = createReceipts({
    printer: folderPrinter(folder),
    terminal: 'Rathaus Mayen',
    timeZone: 'Europe/Berlin',
    now: () => Date.UTC(2026, 11, 6, 8, 30),
    logger,
  });
  const k = await terminal('valid', { receipts });
  return { k, folder, logger };
}

const printing = (k: KioskFixture) => k.core.view().props.print;

describe('printing the receipt', () => {
  afterEach(() => {
    for (const folder of printed) rmSync(folder, { recursive: true, force: true });
    printed.length = 0;
  });
  const printed: string[] = [];

  test('"print receipt": the case number and the form on paper, nothing typed; then done', async () => {
    const { k, folder } = await terminalWithPrinter();
    printed.push(folder);
    const caseNumber = await submitDog(k);
    const receipt = k.core.view();
    assert.equal(receipt.props.printer, true);
    assert.equal(receipt.props.print, null);
    assert.ok(receipt.allowed.includes('PRINT'));
    k.press({ type: 'PRINT' });
    assert.equal(printing(k), 'printing');
    // Persisted as not asked: a restart now offers "print" again instead of "printing" for ever.
    const saved = k.store.loadSnapshot('session')?.snapshot ?? '';
    assert.match(saved, /"print":null/);
    assert.doesNotMatch(saved, /"print":"printing"/);
    await k.until('printed', () => printing(k) === 'printed');
    assert.match(k.store.loadSnapshot('session')?.snapshot ?? '', /"print":"printed"/);
    const files = readdirSync(folder);
    assert.equal(files.length, 1);
    const text = pdfText(join(folder, files[0]!));
    assert.match(text, new RegExp(caseNumber));
    assert.match(text, /Antrag gestellt: Hund anmelden/);
    assert.match(text, /Rathaus Mayen/);
    for (const value of Object.values(TYPED)) {
      assert.equal(text.includes(value), false, `"${value}" on the receipt`);
    }
    // Once per receipt: a second "print" asks for nothing (it would show "printing" at once).
    k.press({ type: 'PRINT' });
    assert.equal(printing(k), 'printed');
    k.press({ type: 'CONFIRM' });
    const survey = await k.waitForScreen('survey');
    assert.equal(survey.props.outcome, 'completed');
  });

  test('the printer gone: the screen says so, the application stays submitted, the citizen finishes', async () => {
    const { k, folder, logger } = await terminalWithPrinter();
    const caseNumber = await submitDog(k);
    rmSync(folder, { recursive: true });
    const outbox = () =>
      k.store
        .pendingOutbox(k.clock.now(), 100)
        .filter((event) => event.type === 'application-submitted');
    const before = { outbox: outbox(), audit: k.store.verifyAudit() };
    k.press({ type: 'PRINT' });
    await k.until('the fault', () => printing(k) === 'missing');
    assert.equal(k.core.view().props.caseNumber, caseNumber, 'the number stays on screen');
    assert.deepEqual({ outbox: outbox(), audit: k.store.verifyAudit() }, before);
    const failed = logger.entries.filter((entry) => entry.event === 'receipts.print_failed');
    assert.deepEqual(
      failed.map((entry) => [entry.fields.receipt, entry.fields.fault]),
      [['application', 'missing']],
    );
    const logged = JSON.stringify(logger.entries);
    assert.ok(!logged.includes(caseNumber), 'the printing logs no number of the page');
    k.press({ type: 'CONFIRM' });
    const survey = await k.waitForScreen('survey');
    assert.equal(survey.props.outcome, 'completed');
  });

  test('a site without a printer: the receipt offers none', async () => {
    const k = await terminal();
    await submitDog(k);
    assert.equal(k.core.view().props.printer, false);
  });
});

describe('registering a dog at the terminal', () => {
  test('start screen to receipt: the outbox holds the sealed data only, which opens to what was typed', async () => {
    const k = await terminal();
    const needs = await openForm(k);
    assert.equal(needs.props.form?.id, 'hund-anmelden');
    assert.equal(needs.props.unavailable, null);
    await registerDog(k);
    const review = k.core.view().props.review ?? [];
    assert.deepEqual(
      review.map((section) => section.stepId),
      ['keeper', 'address', 'dog', 'keeping', 'payment', 'contact'],
    );
    k.press({ type: 'CONFIRM' });
    await k.waitForScreen('application.consent');
    k.press({ type: 'CONFIRM' });
    const receipt = await k.waitForScreen('application.receipt');
    const caseNumber = receipt.props.caseNumber;
    assert.match(caseNumber ?? '', /^A-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const sent = k.store
      .pendingOutbox(k.clock.now(), 100)
      .filter((event) => event.type === 'application-submitted');
    assert.equal(sent.length, 1);
    const event = ApplicationSubmittedSchema.parse(sent[0]!.payload);
    assert.equal(event.caseNumber, caseNumber);
    const keys = await testKeys();
    const data = JSON.parse(
      new TextDecoder().decode((await compactDecrypt(event.data, keys.privateKey)).plaintext),
    ) as Record<string, unknown>;
    assert.deepEqual(data, {
      surname: TYPED.surname,
      firstNames: TYPED.firstNames,
      address: { street: TYPED.street, houseNumber: '17b', postcode: '56743', town: TYPED.town },
      dogName: TYPED.dogName,
      breed: TYPED.breed,
      dogBirthDate: '2023-04-11',
      keptSince: '2024-02-01',
      listedDog: false,
      chipNumber: TYPED.chip,
      iban: TYPED.iban,
      email: TYPED.email,
    });
    assert.equal(dataValidator(dog)(data), true);

    // Nothing typed on disk (database, WAL, session snapshot) or in the log.
    const files = readdirSync(k.dir).filter((name) => name.startsWith('kiosk.sqlite'));
    assert.ok(files.includes('kiosk.sqlite-wal'), files.join(', '));
    const texts = [
      ...files.map((name) => readFileSync(join(k.dir, name)).toString('latin1')),
      ...files.map((name) => readFileSync(join(k.dir, name)).toString('utf8')),
      JSON.stringify(k.logger.entries),
    ];
    for (const value of Object.values(TYPED)) {
      for (const text of texts) assert.equal(text.includes(value), false, `"${value}" found`);
    }
  });

  test('bad input: an inline error per field, and the step stays', async () => {
    const k = await terminal();
    await openForm(k);
    k.press({ type: 'CONFIRM' });
    await k.waitForScreen('application.question');
    fill(k, { surname: 'x'.repeat(10_000), firstNames: 'Anna\u0007' });
    assert.deepEqual(errorsOf(k), { surname: 'too-long', firstNames: 'control-characters' });
    fill(k, { surname: 'عبد الله', firstNames: 'Anna' });
    assert.equal(stepOf(k), 'address', 'right-to-left letters are a name');
    fill(k, {
      'address.street': 'Hauptstraße',
      'address.postcode': '٥٦٧٤٣',
      'address.town': 'Mendig',
    });
    assert.deepEqual(errorsOf(k), { address: 'invalid-postcode' });
    fill(k, { 'address.postcode': '56743' });
    fill(k, { dogName: 'Bello', breed: 'Dackel', dogBirthDate: '01012099' });
    assert.deepEqual(errorsOf(k), { dogBirthDate: 'date-in-future' });
    fill(k, { dogBirthDate: '31022023' });
    assert.deepEqual(errorsOf(k), { dogBirthDate: 'invalid-date' });
    fill(k, { dogBirthDate: '01012023' });
    fill(k, { keptSince: '01012024' });
    assert.deepEqual(errorsOf(k), { listedDog: 'required' });
    k.press({ type: 'SET', field: 'listedDog', value: true });
    k.press({ type: 'SUBMIT' });
    fill(k, { iban: 'DE89370400440532013001' });
    assert.deepEqual(errorsOf(k), { iban: 'iban-checksum' });
    fill(k, { iban: '' });
    fill(k, { phone: 'call me', email: 'a@b' });
    assert.deepEqual(errorsOf(k), { phone: 'invalid-phone', email: 'invalid-email' });
  });

  test('a change from the review returns to the review; cancel erases everything typed', async () => {
    const k = await terminal();
    await openForm(k);
    await registerDog(k);
    k.press({ type: 'CHANGE', step: 'dog' });
    await k.waitForScreen('application.question');
    assert.equal(stepOf(k), 'dog');
    fill(k, { dogName: 'Hasso' });
    await k.waitForScreen('application.review');
    const dogSection = k.core.view().props.review?.find((section) => section.stepId === 'dog');
    assert.equal(dogSection?.fields.find((field) => field.id === 'dogName')?.value, 'Hasso');
    k.press({ type: 'CANCEL' });
    await k.until('the visit left the form', () => !k.core.view().screen.startsWith('application'));
    const stored = k.store.loadSnapshot?.('session');
    assert.equal(JSON.stringify(stored ?? '').includes('Hasso'), false);
    assert.equal(JSON.stringify(k.core.view()).includes('Hasso'), false);
    const usage = k.store.usageEvents().map((fact) => [fact.type, fact.service]);
    assert.deepEqual(
      usage.filter(([type]) => String(type).startsWith('application-')),
      [
        ['application-started', 'hund-anmelden'],
        ...['keeper', 'address', 'dog', 'keeping', 'payment', 'contact', 'dog'].map(() => [
          'application-step',
          'hund-anmelden',
        ]),
        ['application-abandoned', 'hund-anmelden'],
      ],
    );
  });

  test('a key not chained to the root: the service is unavailable, staff get an alarm, nothing is sent', async () => {
    const k = await terminal('wrong-root');
    const needs = await openForm(k);
    assert.equal(needs.props.unavailable, 'key-chain-invalid');
    k.press({ type: 'CONFIRM' });
    assert.equal(k.core.view().screen, 'application.needs', 'no way on to the questions');
    const outbox = k.store.pendingOutbox(k.clock.now(), 100);
    assert.deepEqual(
      outbox
        .filter((event) => event.type === 'alarm' && event.payload.destinationId === 'steueramt')
        .map((event) => event.payload.kind),
      ['application-key-chain-invalid'],
    );
    assert.equal(
      outbox.some((event) => event.type === 'application-submitted'),
      false,
    );
  });

  test('a session keeps the form version it started with when a new catalogue arrives', async () => {
    const k = await terminal();
    await openForm(k);
    const newer = { ...dog, version: '2' };
    k.store.setSetting(
      FORM_CATALOGUE_SETTING,
      JSON.stringify({ version: 'c-new', forms: [newer] }),
    );
    await registerDog(k);
    k.press({ type: 'CONFIRM' });
    k.press({ type: 'CONFIRM' });
    await k.waitForScreen('application.receipt');
    const event = k.store
      .pendingOutbox(k.clock.now(), 100)
      .find((candidate) => candidate.type === 'application-submitted');
    assert.equal(event?.payload.formVersion, '1');
  });
});
