import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDateTime, formatDuration, formatList } from './date-time.ts';

// 2025-06-15 10:05 UTC: 12:05 in Berlin (summer time), whatever zone the machine runs in.
const AT = Date.UTC(2025, 5, 15, 10, 5);

test('formats in the site’s time zone, not the machine’s', () => {
  assert.equal(formatDateTime(AT, 'de', 'Europe/Berlin'), '15.06.25, 12:05');
  assert.equal(formatDateTime(AT, 'de', 'UTC'), '15.06.25, 10:05');
  assert.equal(formatDateTime(AT, 'de', 'Europe/Berlin', 'medium'), '15.06.2025, 12:05');
});

test('Easy German formats as German', () => {
  assert.equal(
    formatDateTime(AT, 'de-easy', 'Europe/Berlin'),
    formatDateTime(AT, 'de', 'Europe/Berlin'),
  );
});

test('English dates are British (day first, 24 hours); Arabic keeps Latin digits', () => {
  assert.equal(formatDateTime(AT, 'en', 'Europe/Berlin'), '15/06/2025, 12:05');
  const arabic = formatDateTime(AT, 'ar', 'Europe/Berlin');
  assert.match(arabic, /15.*2025/);
  assert.doesNotMatch(arabic, /[٠-٩]/);
});

test('a wait is said with its unit in each language, never as "0:45"', () => {
  assert.equal(formatDuration(45, 'de'), '45 Sekunden');
  assert.equal(formatDuration(1, 'de-easy'), '1 Sekunde');
  assert.equal(formatDuration(90, 'en'), '1 minute, 30 seconds');
  assert.equal(formatDuration(120, 'pl'), '2 minuty');
  assert.equal(formatDuration(300, 'ru'), '5 минут');
  assert.equal(formatDuration(45, 'ar'), '45 ثانية');
  for (const language of ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'])
    assert.doesNotMatch(formatDuration(59, language), /:/, language);
});

test('lists are joined in the language’s own way', () => {
  assert.equal(formatList(['A1', 'A2', 'B3'], 'de'), 'A1, A2 und B3');
  assert.equal(formatList(['A1', 'B3'], 'pl'), 'A1 i B3');
  assert.equal(formatList(['A1'], 'ar'), 'A1');
  assert.doesNotMatch(formatList(['A1', 'B3'], 'ar'), /,/);
});
