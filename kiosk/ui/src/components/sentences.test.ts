import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinSentences, sentencesOf } from './sentences.ts';

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

test('Leichte Sprache: one sentence per line', () => {
  assert.deepEqual(
    sentencesOf('Hier können Sie Dokumente abholen. Pakete abholen. Und Papiere abgeben.'),
    ['Hier können Sie Dokumente abholen.', 'Pakete abholen.', 'Und Papiere abgeben.'],
  );
  assert.deepEqual(sentencesOf('In dem Brief steht Ihre PIN. Bitte tippen Sie auf: Ja.'), [
    'In dem Brief steht Ihre PIN.',
    'Bitte tippen Sie auf: Ja.',
  ]);
});
