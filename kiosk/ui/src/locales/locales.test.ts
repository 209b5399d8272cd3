import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import i18next from 'i18next';
import { ALL_SCREENS } from '../../../src/core/views.ts';
import { LANGUAGES } from '../../../src/flows/session.machine.ts';
import { formatList } from '../components/date-time.ts';

type Strings = { [key: string]: string | Strings };

const fileOf = (language: string) => new URL(`./${language}.json`, import.meta.url);
const load = (language: string) => JSON.parse(readFileSync(fileOf(language), 'utf8')) as Strings;

/** "a.b.c" → text, for every leaf of a nested translation file. */
function flatten(strings: Strings, prefix = ''): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(strings)) {
    if (typeof value === 'string') flat.set(prefix + key, value);
    else for (const entry of flatten(value, `${prefix}${key}.`)) flat.set(...entry);
  }
  return flat;
}

const variables = (text: string) =>
  [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();

const german = flatten(load('de'));

/** i18next's plural keys: `key_one`, `key_other`, … (the forms a language needs). */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const pluralForms = (language: string) =>
  [...new Intl.PluralRules(language).resolvedOptions().pluralCategories].sort();
/** Keys without their plural form, each once. */
const baseKeys = (strings: Map<string, string>) =>
  new Set([...strings.keys()].map((key) => key.replace(PLURAL, '')));
const germanBases = baseKeys(german);
const isPlural = (base: string) => german.has(`${base}_other`);
/** The placeholders a key may use: for a plural, those of any German form and the count. */
function allowedVariables(base: string): string[] {
  if (!isPlural(base)) return variables(german.get(base)!);
  const forms = [...german].filter(([key]) => key.replace(PLURAL, '') === base);
  return [...new Set(['count', ...forms.flatMap(([, text]) => variables(text))])].sort();
}

test('every language of the terminal has a translation file', () => {
  for (const language of LANGUAGES)
    assert.ok(existsSync(fileOf(language)), `${language}.json missing`);
});

test('every screen has a title', () => {
  for (const screen of ALL_SCREENS) {
    const title = german.get(`${screen}.title`) ?? german.get(`${screen}.title_other`);
    assert.ok(title, `${screen}.title`);
  }
});

for (const language of LANGUAGES.filter((candidate) => candidate !== 'de')) {
  test(`${language} has exactly the keys of German, none empty, with the same placeholders`, () => {
    const strings = flatten(load(language));
    const bases = baseKeys(strings);
    const missing = [...germanBases].filter((key) => !bases.has(key));
    const extra = [...bases].filter((key) => !germanBases.has(key));
    assert.deepEqual(missing, [], `missing in ${language}`);
    assert.deepEqual(extra, [], `not in German (${language})`);
    for (const [key, text] of strings) {
      const base = key.replace(PLURAL, '');
      assert.ok(text.trim() !== '', `${language}: ${key} is empty`);
      if (isPlural(base)) {
        const extraVariables = variables(text).filter((v) => !allowedVariables(base).includes(v));
        assert.deepEqual(extraVariables, [], `${language}: ${key}`);
      } else {
        assert.deepEqual(variables(text), variables(german.get(key)!), `${language}: ${key}`);
      }
    }
  });
}

for (const language of LANGUAGES) {
  test(`${language}: every count has its plural forms (${pluralForms(language).join(', ')}), each naming the count or worded for it`, () => {
    const strings = flatten(load(language));
    for (const base of [...germanBases].filter(isPlural)) {
      const forms = [...strings.keys()]
        .filter((key) => key.replace(PLURAL, '') === base)
        .map((key) => PLURAL.exec(key)![1]!)
        .sort();
      assert.deepEqual(forms, pluralForms(language), `${language}: ${base}`);
      assert.ok(!strings.has(base), `${language}: ${base} without a plural form`);
    }
  });
}

test('counts read right: "ein weiteres Fach", "2 weitere Fächer", per language its own form', async () => {
  const i18n = i18next.createInstance();
  await i18n.init({
    resources: Object.fromEntries(
      LANGUAGES.map((language) => [language, { translation: load(language) }]),
    ),
    lng: 'de',
    lowerCaseLng: true,
    interpolation: { escapeValue: false },
  });
  const de = i18n.getFixedT('de');
  assert.equal(de('door.more-doors', { count: 1 }), 'Danach öffnet sich noch ein weiteres Fach.');
  assert.equal(de('door.more-doors', { count: 2 }), 'Danach öffnen sich noch 2 weitere Fächer.');
  assert.equal(
    de('parcel.take-and-close.intro', { count: 1 }),
    'Bitte nehmen Sie Ihr Paket heraus und schließen Sie die Tür.',
  );
  assert.equal(
    de('parcel.opening.title', { count: 2, compartment: formatList(['A1', 'B2'], 'de') }),
    '2 Fächer werden geöffnet: A1 und B2',
  );
  const arabicDoors = formatList(['A1', 'B2', 'C3'], 'ar');
  assert.doesNotMatch(
    i18n.getFixedT('ar')('parcel.opening.title', { count: 3, compartment: arabicDoors }),
    /,/,
  );
  assert.equal(
    i18n.getFixedT('pl')('courier.size-full.take-offer', { size: 'L' }),
    'Skrytka w rozmiarze L',
  );
  assert.equal(i18n.getFixedT('en')('entry.count', { count: 1 }), '1 character entered');
  assert.equal(i18n.getFixedT('pl')('entry.count', { count: 5 }), 'Wpisano 5 znaków');
  assert.equal(de('pickup.choose.confirm', { count: 1 }), '1 Dokument abholen');
  assert.equal(i18n.getFixedT('ar')('pickup.choose.take-all', { count: 2 }), 'استلام المستندين');
  assert.equal(i18n.getFixedT('ru')('door.more-doors', { count: 5 }).includes('5 ячеек'), true);
  assert.equal(i18n.getFixedT('pl')('door.more-doors', { count: 3 }).includes('3 skrytki'), true);
  for (const language of LANGUAGES) {
    const t = i18n.getFixedT(language);
    for (const base of [...germanBases].filter(isPlural)) {
      for (const count of [1, 2, 3, 5, 11, 21]) {
        const text = t(base, { count, compartment: 'A1' });
        assert.ok(!text.includes('{{') && text !== base, `${language}: ${base} (${count})`);
        // A form that names no number is only right for exactly one.
        if (count !== 1)
          assert.ok(
            text.includes(String(count)) || (language === 'ar' && count === 2),
            `${language}: ${base} (${count}): ${text}`,
          );
      }
    }
  }
});

test('no count in brackets ("Alle abholen (1)"): a number is worded with its plural', () => {
  for (const language of LANGUAGES)
    for (const [key, text] of flatten(load(language)))
      assert.doesNotMatch(text, /\(\{\{\s*\w+\s*\}\}\)/, `${language}: ${key}`);
});

test('German has no empty text', () => {
  for (const [key, text] of german) assert.ok(text.trim() !== '', key);
});
