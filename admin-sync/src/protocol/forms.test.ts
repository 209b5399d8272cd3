import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { catalogueOf, DEFAULT_FORMS_DIR, loadCatalogue, shippedCatalogue } from './form-files.ts';
import {
  checkAnswer,
  dataOf,
  dataSchemaOf,
  FORM_LANGUAGES,
  type FormDefinition,
  type FormField,
  ibanChecksumValid,
} from './forms.ts';

const TODAY = '2026-12-05';
const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const forms = catalogue.value.forms;
const dog = forms.find((form) => form.id === 'hund-anmelden')!;
const field = (form: FormDefinition, id: string): FormField =>
  form.steps.flatMap((step) => step.fields).find((candidate) => candidate.id === id)!;

function validatorOf(form: FormDefinition) {
  // Formats are annotations here: every format also has a pattern (no ajv-formats needed).
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    validateFormats: false,
  });
  return ajv.compile(dataSchemaOf(form));
}

describe('the default form catalogue', () => {
  it('loads, every text in all eight languages, every form with a data schema ajv compiles', () => {
    assert.ok(forms.length >= 1);
    for (const form of forms) {
      assert.deepEqual(Object.keys(form.title).sort(), [...FORM_LANGUAGES].sort());
      validatorOf(form);
    }
  });

  it('refuses a catalogue with an error, naming the file and the field', () => {
    const broken = structuredClone(dog) as unknown as { steps: { fields: { label: object }[] }[] };
    const label = broken.steps[1]!.fields[0]!.label as Record<string, string>;
    delete label.tr;
    const result = catalogueOf(new Map([['hund-anmelden.json', broken]]));
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : result.error.join('\n'),
      /^hund-anmelden\.json: steps\[1\]\.fields\[0\]\.label\.tr: /m,
    );
  });

  it('refuses a show-if that names no earlier field, and a file not named after its service', () => {
    const broken = structuredClone(dog);
    broken.steps[0]!.fields[0]!.showIf = { field: 'nonsense', equals: [true] };
    const result = catalogueOf(new Map([['hund.json', broken]]));
    const lines = result.ok ? [] : result.error;
    assert.ok(lines.some((line) => line.startsWith('hund.json: steps[0].fields[0].showIf: ')));
  });
});

describe('answers', () => {
  it('checks the IBAN check digits', () => {
    assert.equal(ibanChecksumValid('DE89370400440532013000'), true);
    assert.equal(checkAnswer(field(dog, 'iban'), 'DE89 3704 0044 0532 0130 00', TODAY), null);
    assert.equal(checkAnswer(field(dog, 'iban'), 'DE89370400440532013001', TODAY), 'iban-checksum');
    assert.equal(checkAnswer(field(dog, 'iban'), 'hello', TODAY), 'invalid-iban');
  });

  it('refuses a birth date in the future, an impossible date, and accepts today', () => {
    const birth = field(dog, 'dogBirthDate');
    assert.equal(checkAnswer(birth, '2027-01-01', TODAY), 'date-in-future');
    assert.equal(checkAnswer(birth, '2025-02-30', TODAY), 'invalid-date');
    assert.equal(checkAnswer(birth, TODAY, TODAY), null);
  });

  it('refuses 10,000 characters, control characters and bidi overrides; right-to-left letters are a name', () => {
    const name = field(dog, 'dogName');
    assert.equal(checkAnswer(name, 'x'.repeat(10_000), TODAY), 'too-long');
    assert.equal(checkAnswer(name, 'Bello\u0007', TODAY), 'control-characters');
    assert.equal(checkAnswer(name, 'Bello\u202e', TODAY), 'control-characters');
    assert.equal(checkAnswer(name, 'سمسم', TODAY), null);
    assert.equal(checkAnswer(field(dog, 'phone'), 'سمسم', TODAY), 'invalid-phone');
    assert.equal(checkAnswer(field(dog, 'email'), 'a@b', TODAY), 'invalid-email');
    assert.equal(checkAnswer(field(dog, 'surname'), '', TODAY), 'required');
    assert.equal(checkAnswer(field(dog, 'chipNumber'), '', TODAY), null);
    assert.equal(
      checkAnswer(
        field(dog, 'address'),
        { street: 'Hauptstr.', houseNumber: '1', postcode: '5612', town: 'Mendig' },
        TODAY,
      ),
      'invalid-postcode',
    );
  });
});

describe('the data schema', () => {
  const answers = {
    surname: 'Müller',
    firstNames: 'Anna Maria',
    address: { street: 'Hauptstraße', houseNumber: '1a', postcode: '56743', town: 'Mendig' },
    dogName: 'Bello',
    breed: 'Dackel',
    dogBirthDate: '2024-04-01',
    keptSince: '2024-06-01',
    listedDog: false,
    chipNumber: '',
    iban: 'de89 3704 0044 0532 0130 00',
  };

  it('accepts what the terminal makes of valid answers, and refuses what it must not carry', () => {
    const validate = validatorOf(dog);
    const data = dataOf(dog, answers);
    assert.equal(data.iban, 'DE89370400440532013000');
    assert.equal('chipNumber' in data, false);
    assert.equal(validate(data), true, JSON.stringify(validate.errors));
    assert.equal(validate({ ...data, extra: 'x' }), false);
    assert.equal(validate({ ...data, dogName: 'Bello\u0000' }), false);
    const { surname: _, ...withoutSurname } = data;
    assert.equal(validate(withoutSurname), false);
  });
});

describe('show-if in the data schema', () => {
  it('a shown field is required when its condition holds and absent when it does not', () => {
    const vote = forms.find((form) => form.id === 'briefwahl-beantragen')!;
    const validate = validatorOf(vote);
    const base = {
      election: 'kommunalwahl-2029',
      surname: 'Müller',
      firstNames: 'Anna',
      birthDate: '1980-01-01',
      address: { street: 'Hauptstraße', houseNumber: '1', postcode: '56743', town: 'Mendig' },
    };
    const elsewhere = { street: 'Am Markt', houseNumber: '2', postcode: '56068', town: 'Koblenz' };
    assert.equal(validate({ ...base, otherMailingAddress: false }), true);
    assert.equal(validate({ ...base, otherMailingAddress: true }), false);
    assert.equal(validate({ ...base, otherMailingAddress: true, mailingAddress: elsewhere }), true);
    assert.equal(
      validate({ ...base, otherMailingAddress: false, mailingAddress: elsewhere }),
      false,
    );
    assert.deepEqual(
      Object.keys(dataOf(vote, { ...base, otherMailingAddress: false, mailingAddress: elsewhere })),
      [...Object.keys(base), 'otherMailingAddress'].sort(
        (a, b) =>
          [
            'election',
            'surname',
            'firstNames',
            'birthDate',
            'address',
            'otherMailingAddress',
          ].indexOf(a) -
          [
            'election',
            'surname',
            'firstNames',
            'birthDate',
            'address',
            'otherMailingAddress',
          ].indexOf(b),
      ),
      'a hidden answer is not sent',
    );
  });

  it('the default catalogue holds the eight services of issue #12', () => {
    assert.deepEqual(forms.map((form) => form.id).sort(), [
      'briefwahl-beantragen',
      'fundsache-abgeben',
      'grabmalgenehmigung',
      'hund-abmelden',
      'hund-anmelden',
      'meldebescheinigung',
      'schaden-melden',
      'sperrmuell-anmelden',
    ]);
  });
});

describe('the shipped catalogue', () => {
  it('embeds every form file of the folder, so the bundle and the .deb carry them all', () => {
    const files = readdirSync(DEFAULT_FORMS_DIR).filter((name) => name.endsWith('.json'));
    const embedded = shippedCatalogue();
    assert.ok(embedded.ok);
    assert.equal(embedded.value.forms.length, files.length);
    assert.deepEqual(embedded.value, catalogue.ok ? catalogue.value : null);
  });
});
