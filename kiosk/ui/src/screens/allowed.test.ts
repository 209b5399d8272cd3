import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_SCREENS, allowedEvents } from '../../../src/core/views.ts';
import { ALWAYS, SCREEN_EVENTS } from './allowed.ts';

test('the page knows every screen the core has, with the same events', () => {
  assert.deepEqual(Object.keys(SCREEN_EVENTS).sort(), [...ALL_SCREENS].sort());
  for (const screen of ALL_SCREENS) {
    assert.deepEqual(
      [...ALWAYS, ...(SCREEN_EVENTS[screen] ?? [])].sort(),
      [...allowedEvents(screen)].sort(),
      screen,
    );
  }
});
