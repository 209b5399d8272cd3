/**
 * The words docs/glossary.md settles, per language: what a citizen reads uses the glossary's
 * terms, never the ones a native reviewer struck out (issue #15). Staff and courier texts
 * (`staff.*`, `courier.*`) may use the trade's words ("Sendung", "Terminal").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LANGUAGES } from '../../../src/flows/session.machine.ts';

type Strings = { [key: string]: string | Strings };
const flatten = (strings: Strings, prefix = ''): [string, string][] =>
  Object.entries(strings).flatMap(([key, value]) =>
    typeof value === 'string' ? [[prefix + key, value]] : flatten(value, `${prefix}${key}.`),
  );
const texts = (language: string) =>
  flatten(
    JSON.parse(readFileSync(new URL(`./${language}.json`, import.meta.url), 'utf8')) as Strings,
  );
const forCitizens = ([key]: [string, string]) => !/^(staff|courier)\./.test(key);

/** Struck out, with the reason; `all` also covers staff and courier texts. */
const AVOID: Record<string, { pattern: RegExp; why: string; all?: boolean }[]> = {
  de: [
    { pattern: /entnehm/i, why: '"herausnehmen": entnehmen is office German', all: true },
    { pattern: /Vorgang/, why: 'IT word', all: true },
    { pattern: /Eingabe/, why: 'IT word: say what is typed (Code, PIN)' },
    { pattern: /nicht bekannt/, why: '"Dieser Code stimmt nicht"' },
    { pattern: /rechtzeitig geantwortet/, why: 'doors do not answer', all: true },
    { pattern: /\b(Terminal|Station)\b/, why: 'citizens read "Automat" (glossary)' },
    { pattern: /Mitarbeitermodus|Kuriere und Lieferanten/, why: 'gender-fair', all: true },
    { pattern: /Angemeldet als Technik\b/, why: 'a role is a person', all: true },
  ],
  'de-easy': [
    { pattern: /\bman\b/, why: 'Leichte Sprache says who', all: true },
    { pattern: /Vorgang|Eingabe/, why: 'hard word', all: true },
    { pattern: /hätten|würden|wären/, why: 'no subjunctive' },
    { pattern: /weg"?$/, why: 'keys say what they do ("löschen")' },
    { pattern: /Geburtstag/, why: 'the glossary says "Geburts-Datum"' },
  ],
  en: [
    { pattern: /Last exchange|Pick up selection/, why: 'reviewer', all: true },
    { pattern: /(?<!\{\{)\bstation\b/i, why: 'one name for the machine: "terminal"', all: true },
  ],
  pl: [
    {
      pattern: /(łeś|łaś|łbym)(?=[\s.,?!]|$)|jesteś/u,
      why: 'gender-neutral polite forms',
      all: true,
    },
    { pattern: /obsługi obywateli/i, why: '"Biuro Obsługi Mieszkańców"', all: true },
    { pattern: /przetermin/i, why: '"po terminie" (przeterminowane is for food)', all: true },
    { pattern: /Nadaj paczkę/, why: 'a courier puts a parcel in ("Włóż")', all: true },
  ],
  uk: [
    { pattern: /[Пп]роцес/, why: 'calque', all: true },
    { pattern: /задоволений|Поїхав би/, why: 'gender-neutral answers', all: true },
    { pattern: /не відповіли/, why: 'doors do not answer', all: true },
  ],
  ru: [
    { pattern: /[Пп]роцесс/, why: 'calque', all: true },
    { pattern: /\bдоволен\b|Поехал бы/, why: 'gender-neutral answers', all: true },
    { pattern: /Сдача/, why: 'also "change" of money', all: true },
    { pattern: /не ответила/, why: 'doors do not answer', all: true },
  ],
  tr: [
    { pattern: /alışveriş/, why: '"eşitleme": last sync, not last shopping', all: true },
    { pattern: /Teslimat/, why: 'a drop-off is no delivery', all: true },
    { pattern: /„/, why: 'Turkish quotation marks', all: true },
    { pattern: /İstasyon/i, why: 'one name for the machine: "cihaz"', all: true },
  ],
  ar: [
    { pattern: /مسح|امسح/, why: 'scan is "قراءة بالماسح الضوئي", erase is "حذف"', all: true },
    { pattern: /كثيرة\./, why: '"too many" is "كثيرة جدًا"', all: true },
    { pattern: /„/, why: 'Arabic quotation marks', all: true },
    { pattern: /محطة/, why: 'one name for the machine: "جهاز"', all: true },
  ],
};

/** For every language: the product's brand is not a word citizens read on the screen. */
const EVERYWHERE = [{ pattern: /Amt-O-Mat/, why: 'the glossary names the machine', all: true }];

for (const language of LANGUAGES) {
  test(`${language}: the glossary's words, none a reviewer struck out`, () => {
    const found = texts(language).flatMap((entry) =>
      [...EVERYWHERE, ...(AVOID[language] ?? [])]
        .filter((rule) => (rule.all || forCitizens(entry)) && rule.pattern.test(entry[1]))
        .map((rule) => `${entry[0]}: "${entry[1]}" (${rule.why})`),
    );
    assert.deepEqual(found, []);
  });
}

test('the glossary names the machine, the code and the office in every language', () => {
  const glossary = readFileSync(new URL('../../../../docs/glossary.md', import.meta.url), 'utf8');
  for (const language of LANGUAGES)
    assert.match(glossary, new RegExp(`\\|\\s*${language}\\s*\\|`), `${language} row`);
});
