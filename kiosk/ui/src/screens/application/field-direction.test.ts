import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slotDirection } from './field-direction.ts';

test('numbers, dates, codes and addresses of the machine world run left to right', () => {
  for (const type of ['number', 'date', 'phone', 'email', 'iban', 'postcode'] as const) {
    assert.equal(slotDirection(type, 'answer'), 'ltr', type);
  }
});

test('names and free text follow the page', () => {
  for (const type of ['text', 'multiline', 'choice', 'yes-no'] as const) {
    assert.equal(slotDirection(type, 'answer'), 'page', type);
  }
});

test('an address: house number and postcode left to right, street and town as the page', () => {
  assert.equal(slotDirection('address', 'home.houseNumber'), 'ltr');
  assert.equal(slotDirection('address', 'home.postcode'), 'ltr');
  assert.equal(slotDirection('address', 'home.street'), 'page');
  assert.equal(slotDirection('address', 'home.town'), 'page');
});
