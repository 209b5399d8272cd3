/**
 * The wizard's texts live in locales/de.json and locales/en.json: both files have the same
 * keys and each key the same placeholders, and no sentence is left inline in the wizard's code
 * (a scan of every string literal: two words in a row are text a person reads, and that
 * belongs in the locale files).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chooseLanguage, MESSAGES, t, useLanguage } from './i18n.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const WIZARD_FILES = [
  'cli.ts',
  'wizard.ts',
  'hardware.ts',
  'devices.ts',
  'fleet.ts',
  'progress.ts',
  'report.ts',
  'site-file.ts',
  'printer.ts',
];

/**
 * Every string literal and template part of a file, comments left out. A small scanner (the
 * project's TypeScript has no parser API): strings, templates with nested `${…}`, comments.
 * It does not know regular-expression literals: a quote in one is written as \x27.
 */
function literals(file: string): string[] {
  const code = readFileSync(join(import.meta.dirname, file), 'utf8');
  const found: string[] = [];
  const open: number[] = []; // brace depth at each `${` still open
  let depth = 0;
  let i = 0;
  // Reads from i to the closing `end` (or a `${` in a template); returns where it stopped.
  const read = (template: boolean, end: string) => {
    let text = '';
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') {
        text += code[i + 1];
        i += 2;
      } else if (c === end) {
        i++;
        break;
      } else if (template && c === '$' && code[i + 1] === '{') {
        open.push(depth);
        i += 2;
        break;
      } else {
        text += c;
        i++;
      }
    }
    found.push(text);
  };
  while (i < code.length) {
    const c = code[i]!;
    if (c === '/' && code[i + 1] === '/') i = code.indexOf('\n', i) + 1 || code.length;
    else if (c === '/' && code[i + 1] === '*') i = code.indexOf('*/', i) + 2;
    else if (c === "'" || c === '"') {
      i++;
      read(false, c);
    } else if (c === '`' || (c === '}' && open.at(-1) === depth)) {
      if (c === '}') open.pop();
      i++;
      read(true, '`');
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      i++;
    }
  }
  return found;
}

describe('the wizard texts', () => {
  test('German and English have the same keys, each with the same placeholders', () => {
    const { de, en } = MESSAGES;
    assert.deepEqual(Object.keys(en).sort(), Object.keys(de).sort());
    for (const [key, text] of Object.entries(de)) {
      assert.deepEqual(
        placeholders(en[key as keyof typeof en]),
        placeholders(text),
        `placeholders of ${key}`,
      );
      assert.ok(text.trim() !== '', `${key} is empty`);
    }
  });

  test('no sentence is left inline in the wizard code', () => {
    const inline = WIZARD_FILES.flatMap((file) =>
      literals(file)
        .filter((text) => /[A-Za-zÄÖÜäöüß]{2,} +[A-Za-zÄÖÜäöüß]{2,}/.test(text))
        .map((text) => `${file}: ${JSON.stringify(text)}`),
    );
    assert.deepEqual(inline, []);
  });

  test('the scan sees the literals, also inside templates', () => {
    // Guards the check above against a scanner that sees nothing.
    const all = WIZARD_FILES.flatMap(literals);
    assert.ok(all.includes('wizard.askName'), 'a key in a call');
    assert.ok(all.includes('cli.error'), 'a key inside a template substitution');
    assert.ok(all.includes('/'), 'the text after a nested template');
  });

  test('the language: --lang first, then LC_ALL, LC_MESSAGES, LANG; de_* is German', () => {
    assert.equal(chooseLanguage('en', { LANG: 'de_DE.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, { LANG: 'de_DE.UTF-8' }), 'de');
    assert.equal(chooseLanguage(undefined, { LANG: 'de_AT.UTF-8', LC_ALL: 'C' }), 'en');
    assert.equal(chooseLanguage(undefined, { LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(chooseLanguage(undefined, {}), 'en');
    assert.equal(chooseLanguage(undefined, { LANG: 'deu' }), 'en');
  });

  test('placeholders are filled; the report reads German in German', () => {
    useLanguage('de');
    assert.equal(
      t('report.summary', { passed: 3, all: 4 }),
      '3 von 4 Fächern bestanden den Türtest.',
    );
    useLanguage('en');
    assert.equal(
      t('wizard.wholeNumber', { min: 1, max: 16 }),
      'a whole number from 1 to 16, please',
    );
  });
});
