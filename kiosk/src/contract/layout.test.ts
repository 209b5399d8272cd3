/**
 * Where a compartment is, in words, from the real translation files: the column from the
 * nearer side, the height from the compartment's middle; and the reach band on a screen.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { reachBand, screenHeightCm, type Translate, type Wall, whereText } from './layout.ts';

type Strings = { [key: string]: string | Strings };

/** A `t` over one language file: nested keys, `{{name}}` placeholders. */
function translator(language: string): Translate {
  const file = new URL(`../../ui/src/locales/${language}.json`, import.meta.url);
  const strings = JSON.parse(readFileSync(file, 'utf8')) as Strings;
  return (key, values = {}) => {
    let entry: string | Strings | undefined = strings;
    for (const part of key.split('.')) entry = (entry as Strings | undefined)?.[part];
    assert.equal(typeof entry, 'string', `${language}: ${key}`);
    return (entry as string).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));
  };
}

const box = (label: string, column: number, bottomCm: number, topCm: number) => ({
  label,
  column,
  row: 1,
  bottomCm,
  topCm,
});

test('the column is counted from the nearer side; the height names a part of the body', () => {
  const wall: Wall = {
    columns: 5,
    compartments: [
      box('A', 1, 10, 50),
      box('B', 2, 40, 70),
      box('C', 3, 80, 110),
      box('D', 4, 110, 140),
      box('E', 5, 150, 190),
      box('F', 2, 130, 160),
    ],
  };
  const en = translator('en');
  assert.equal(
    whereText(en, wall, 'A'),
    'Your compartment: first column from the left, near the floor',
  );
  assert.equal(
    whereText(en, wall, 'B'),
    'Your compartment: second column from the left, at knee height',
  );
  assert.equal(whereText(en, wall, 'C'), 'Your compartment: middle column, at hip height');
  assert.equal(
    whereText(en, wall, 'D'),
    'Your compartment: second column from the right, at chest height',
  );
  assert.equal(
    whereText(en, wall, 'E'),
    'Your compartment: first column from the right, above head height',
  );
  assert.equal(
    whereText(en, wall, 'F'),
    'Your compartment: second column from the left, at eye level',
  );
  assert.equal(whereText(en, wall, 'Z'), null);
  const de = translator('de');
  assert.equal(whereText(de, wall, 'B'), 'Ihr Fach: zweite Spalte von links, auf Kniehöhe');
});

test('two columns are left and right; one column says only the height', () => {
  const two: Wall = { columns: 2, compartments: [box('L', 1, 80, 110), box('R', 2, 10, 70)] };
  assert.equal(whereText(translator('de'), two, 'L'), 'Ihr Fach: linke Spalte, auf Hüfthöhe');
  assert.equal(whereText(translator('ar'), two, 'R'), 'خزانتك: العمود الأيمن، بمستوى الركبة');
  const one: Wall = { columns: 1, compartments: [box('M', 1, 100, 130)] };
  assert.equal(whereText(translator('en'), one, 'M'), 'Your compartment: at chest height');
});

test('every language has every phrase', () => {
  const wall: Wall = {
    columns: 9,
    compartments: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((column) =>
      box(`C${column}`, column, column * 20, column * 20 + 30),
    ),
  };
  for (const language of ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl']) {
    const t = translator(language);
    for (const { label } of wall.compartments) {
      const text = whereText(t, wall, label);
      assert.ok(
        text && !text.includes('{{') && !text.includes('undefined'),
        `${language} ${label}`,
      );
    }
  }
});

test('the reach band on a portrait and a landscape 21.5-inch screen at 80 cm', () => {
  const portrait = reachBand({
    orientation: 'portrait',
    heightCm: screenHeightCm(21.5, 'portrait'),
    lowerEdgeCm: 80,
  });
  assert.ok(Math.abs(portrait.top * 1920 - 912) < 2, `top ${portrait.top * 1920}`);
  assert.ok(Math.abs(portrait.bottom * 1920 - 1718) < 2, `bottom ${portrait.bottom * 1920}`);
  // 26.8 cm tall: 105 cm is near its top edge, 85 cm 81 % down.
  const landscape = reachBand({
    orientation: 'landscape',
    heightCm: screenHeightCm(21.5, 'landscape'),
    lowerEdgeCm: 80,
  });
  assert.ok(landscape.top < 0.08 && landscape.bottom > 0.8, JSON.stringify(landscape));
  // Hung too low: the band is clipped to the screen.
  const low = reachBand({ orientation: 'portrait', heightCm: 40, lowerEdgeCm: 100 });
  assert.deepEqual({ top: low.top, bottom: low.bottom }, { top: 0.875, bottom: 1 });
});
