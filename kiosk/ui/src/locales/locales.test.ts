import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ALL_SCREENS } from '../../../src/core/views.ts';
import { LANGUAGES } from '../../../src/flows/session.machine.ts';

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
  [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const german = flatten(load('de'));

test('every language of the terminal has a translation file', () => {
  for (const language of LANGUAGES)
    assert.ok(existsSync(fileOf(language)), `${language}.json missing`);
});

test('every screen has a title', () => {
  for (const screen of ALL_SCREENS) assert.ok(german.get(`${screen}.title`), `${screen}.title`);
});

for (const language of LANGUAGES.filter((candidate) => candidate !== 'de')) {
  test(`${language} has exactly the keys of German, none empty, with the same placeholders`, () => {
    const strings = flatten(load(language));
    const missing = [...german.keys()].filter((key) => !strings.has(key));
    const extra = [...strings.keys()].filter((key) => !german.has(key));
    assert.deepEqual(missing, [], `missing in ${language}`);
    assert.deepEqual(extra, [], `not in German (${language})`);
    for (const [key, text] of strings) {
      assert.ok(text.trim() !== '', `${language}: ${key} is empty`);
      assert.deepEqual(variables(text), variables(german.get(key)!), `${language}: ${key}`);
    }
  });
}

test('German has no empty text', () => {
  for (const [key, text] of german) assert.ok(text.trim() !== '', key);
});
