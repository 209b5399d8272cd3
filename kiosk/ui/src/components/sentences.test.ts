import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinSentences } from './sentences.ts';

test('pieces read as sentences: a full stop where one is missing, none after a question', () => {
  assert.equal(
    joinSentences(['Schritt 1 von 3', 'Bitte geben Sie Ihren Abholcode ein', null, '']),
    'Schritt 1 von 3. Bitte geben Sie Ihren Abholcode ein.',
  );
  assert.equal(
    joinSentences(['Wie zufrieden waren Sie?', 'Bitte wählen Sie.']),
    'Wie zufrieden waren Sie? Bitte wählen Sie.',
  );
  assert.equal(
    joinSentences(['ما الذي تريد فعله؟', 'يرجى الاختيار']),
    'ما الذي تريد فعله؟ يرجى الاختيار.',
  );
  assert.equal(joinSentences(['Bitte tippen Sie auf „Weiter“.']), 'Bitte tippen Sie auf „Weiter“.');
});
