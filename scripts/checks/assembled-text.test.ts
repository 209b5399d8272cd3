/**
 * No sentence of the kiosk page, the console or the notices is glued together from
 * translated pieces in code: word order, commas and agreement differ by language ("Fach A1,
 * A2" with a Latin comma in Arabic, "Weź Duża (L)"). A message is one key with placeholders,
 * a list goes through Intl.ListFormat (`formatList`), texts read one after another go through
 * `joinSentences`. This finds the ways pieces are glued: `.join(' ')` and friends, a `t()`
 * inside a template string or next to `+`, and two translations in one run of console text.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$|test-support|testing/.test(file))
    .map((file) => join(folder, file));
}

/** Joins that glue no words: the helpers themselves, and lists that are not sentences. */
const ALLOWED = [
  { file: 'kiosk/ui/src/components/sentences.ts', snippet: ".join(' ')" },
  // One dot per typed character, not text.
  { file: 'kiosk/ui/src/components/Entry.tsx', snippet: ".split('').join(' ')" },
  // "Fach: A1; Grund: …": separate label-value fields of a history line, not a sentence.
  { file: 'admin-sync/src/server/console/routes-items.ts', snippet: "parts.join('; ')" },
];

/** A join with words between: a space, comma, full stop or semicolon in the separator. */
const GLUING_JOIN = /\.join\(\s*(['"`])[^'"`]*[ ,.;][^'"`]*\1\s*\)/g;
const T_CALL = String.raw`\b(?:view\.)?t\(`;
/** `t(…)` in a template string of plain text (not markup), or added with `+`. */
const T_IN_TEMPLATE = new RegExp(String.raw`(?<!html)\x60[^\x60]*\$\{${T_CALL}`, 'g');
const T_PLUS = new RegExp(
  String.raw`${T_CALL}[^;\n]*?\)\s*\+\s*['"\x60]|['"\x60]\s*\+\s*${T_CALL}`,
  'g',
);
/** Two translations in one run of console text, with no tag between them. */
const TWO_IN_ONE_RUN = new RegExp(
  String.raw`\$\{${T_CALL}[^}]*\}[^<>\x60$]*[^\s<>\x60$][^<>\x60$]*\$\{${T_CALL}`,
  'g',
);

function findings(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const allowed = ALLOWED.filter((entry) => entry.file === file).map((entry) => entry.snippet);
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const found: string[] = [];
  const lines = text.split('\n');
  const translatesNear = (line: number) =>
    new RegExp(T_CALL).test(lines.slice(Math.max(0, line - 8), line).join('\n'));
  const check = (pattern: RegExp, what: string, onlyNearTranslation = false) => {
    for (const match of text.matchAll(pattern)) {
      const line = lines[lineOf(match.index) - 1] ?? '';
      if (allowed.some((snippet) => line.includes(snippet))) continue;
      if (onlyNearTranslation && !translatesNear(lineOf(match.index))) continue;
      found.push(`${relative(ROOT, join(ROOT, file))}:${lineOf(match.index)}: ${what}`);
    }
  };
  // The server also joins technical text (SQL, log reasons): there only translated pieces count.
  const joinMessage = 'pieces joined into a sentence (use one key, formatList or joinSentences)';
  check(GLUING_JOIN, joinMessage, !file.startsWith('kiosk/'));
  check(T_PLUS, 'a translation added to other text with +');
  if (file.startsWith('kiosk/')) check(T_IN_TEMPLATE, 'a translation inside a template string');
  else check(TWO_IN_ONE_RUN, 'two translations in one run of text');
  return found;
}

test('no text is assembled from translated pieces (kiosk page, console, notices)', () => {
  const files = [
    ...sources('kiosk/ui/src'),
    ...sources('admin-sync/src/server/console'),
    ...sources('admin-sync/src/server/notifications'),
  ];
  assert.ok(files.length > 50, 'the sources were found');
  assert.deepEqual(files.flatMap(findings), []);
});

test('the check finds each way of gluing', () => {
  const probe = (source: string) =>
    [GLUING_JOIN, T_PLUS, T_IN_TEMPLATE, TWO_IN_ONE_RUN].some(
      (pattern) => [...source.matchAll(pattern)].length > 0,
    );
  assert.ok(probe("const s = [a, b].join(', ');"));
  assert.ok(probe("const s = t('a') + ' ' + other;"));
  // `$` + `{` written apart: these are source texts, not templates of this file.
  const x = (name: string) => `$${'{'}t('${name}')}`;
  assert.ok(probe(`const s = \`${x('size')} nehmen\`;`));
  assert.ok(probe(`html\`<p>${x('a')}: ${x('b')}</p>\``));
  assert.ok(!probe(`html\`<dt>${x('a')}</dt><dd>${x('b')}</dd>\``));
  assert.ok(!probe("const s = codes.join('');"));
});
