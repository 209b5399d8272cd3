import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDateTime } from './date-time.ts';

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
