import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DEFAULT_SPEECH } from '../flows/session.machine.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { simulatedHeadphoneJack } from './headphones.ts';
import { type Narrator, startNarrator } from './narrator.ts';
import { soxFigures } from './sox.testing.ts';
import { type CaptureSpeech, captureSpeech } from './speech.ts';
import { headphonesPrompt } from './speech-text.ts';

const CODE = '483921';
const BIRTH_DATE = '1990-02-01';
const TYPED_BIRTH_DATE = '01021990';

let kiosk: KioskFixture;
let speech: CaptureSpeech;
let jack: ReturnType<typeof simulatedHeadphoneJack>;
let narrator: Narrator;

/** An ID card in A2, waiting for its citizen. */
function loadIdCard() {
  const item = kiosk.store.announceItem({
    kind: 'id-document',
    reference: 'DOC-A2',
    code: CODE,
    secondFactor: BIRTH_DATE,
    needsPinLetterConfirmation: true,
  });
  kiosk.store.markLoaded(item.id, 'A2', 'staff-7');
  kiosk.sim.setItem(0, 2, true);
}

const said = () => speech.spoken.map((utterance) => utterance.text);
/** Waits until the narrator has said something after the `count` utterances before. */
const saidAfter = (count: number) =>
  kiosk.until('speech', () => (speech.spoken.length > count ? speech.spoken.slice(count) : false));

describe('the narrator speaks the kiosk (real core on SQLite, simulator over a pty, espeak-ng)', () => {
  beforeEach(async () => {
    kiosk = await startKiosk();
    speech = captureSpeech({ dir: mkdtempSync(join(tmpdir(), 'amtomat-speech-')) });
    jack = simulatedHeadphoneJack(false);
    narrator = startNarrator({ core: kiosk.core, speech, headphones: jack, logger: kiosk.logger });
    await kiosk.waitForScreen('attract');
  });
  afterEach(async () => {
    narrator.close();
    await speech.close();
    await kiosk.close();
  });

  test('with headphones a pickup is spoken step by step; code and date of birth never, only their count', async () => {
    loadIdCard();
    jack.set(true); // plugging in headphones switches speech on
    await saidAfter(0);
    assert.match(said()[0] ?? '', /Willkommen/);
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type(CODE);
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.date-of-birth');
    kiosk.type(TYPED_BIRTH_DATE);
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.pin-letter');
    kiosk.press({ type: 'CONFIRM_PIN_LETTER' });
    await kiosk.waitForOpenDoor('pickup.door');
    kiosk.sim.setItem(0, 2, false);
    kiosk.sim.closeDoor(0, 2);
    await kiosk.waitForScreen('survey');
    await kiosk.until('survey spoken', () => said().some((text) => /Vielen Dank/.test(text)));
    await speech.settled();

    const spoken = said();
    const position = (pattern: RegExp) => spoken.findIndex((text) => pattern.test(text));
    const steps = [
      /Willkommen/,
      /Bitte geben Sie Ihren Abholcode ein/,
      /6 Ziffern eingegeben/,
      /Bitte geben Sie Ihr Geburtsdatum ein/,
      /8 Ziffern eingegeben/,
      /PIN-Brief/,
      /Fach A2/,
      /Vielen Dank/,
    ];
    const found = steps.map(position);
    assert.ok(
      found.every((index, i) => index >= 0 && (i === 0 || index > found[i - 1]!)),
      `spoken in order: ${JSON.stringify(spoken, null, 1)}`,
    );
    // Nothing typed comes back: no three digits in a row of the code or the date.
    const all = spoken.join('\n');
    for (const secret of [CODE, TYPED_BIRTH_DATE]) {
      for (let start = 0; start + 3 <= secret.length; start += 1) {
        const digits = secret.slice(start, start + 3);
        assert.ok(!all.includes(digits), `"${digits}" of a typed value was spoken`);
      }
    }
    assert.ok(!all.includes('1990'), 'the year of birth was spoken');

    // The capture holds real audio of plausible length for its text (sox).
    const codeScreen = speech.spoken[position(/Bitte geben Sie Ihren Abholcode ein/)]!;
    const figures = soxFigures(codeScreen.wav);
    const seconds = figures['Length (seconds)'] ?? 0;
    const words = codeScreen.text.split(/\s+/).length;
    // espeak-ng speaks `rate` words a minute; pauses at the stops add some.
    const expected = (words / codeScreen.rate) * 60;
    assert.ok(
      seconds > expected * 0.5 && seconds < expected * 2,
      `${seconds} s for ${words} words at ${codeScreen.rate}/min`,
    );
    assert.ok((figures['Maximum amplitude'] ?? 0) > 0.1, 'not silent');
    assert.ok((figures['RMS     amplitude'] ?? 0) > 0.01, 'not silent');
    assert.ok(codeScreen.voice === 'de');
  });

  test('Arabic is read with the Arabic voice', async () => {
    jack.set(true);
    kiosk.press({ type: 'SET_LANGUAGE', language: 'ar' });
    const before = speech.spoken.length;
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    const [code] = await saidAfter(before);
    assert.equal(code?.voice, 'ar');
    assert.match(code?.text ?? '', /[\u0600-\u06ff]/);
    await speech.settled();
    assert.ok((soxFigures(code!.wav)['Maximum amplitude'] ?? 0) > 0.1);
  });

  test('without headphones the loudspeaker only asks for them; plugged in, the screen is read', async () => {
    loadIdCard();
    kiosk.press({ type: 'SET_ACCESSIBILITY', settings: { speech: true } });
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type(CODE);
    await kiosk.until('typed', () => kiosk.core.view().props.entered === CODE.length);
    const prompt = headphonesPrompt('de');
    assert.ok(said().length > 0);
    assert.deepEqual(new Set(said()), new Set([prompt]), 'nothing but the request');
    const before = speech.spoken.length;
    jack.set(true);
    const [read] = await saidAfter(before);
    assert.match(read?.text ?? '', /Abholcode.*6 Ziffern eingegeben/);
  });

  test('speech stays silent until switched on', async () => {
    kiosk.press({ type: 'CHOOSE', service: 'parcel-pickup' });
    kiosk.type('12');
    await kiosk.waitForScreen('parcel.code');
    assert.deepEqual(said(), []);
  });

  test('a key repeats the screen; volume and rate change with keys and reset at the end of the session', async () => {
    jack.set(true);
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    const [code] = await saidAfter(1);
    kiosk.press({ type: 'SPEECH', action: 'repeat' });
    const [again] = await saidAfter(2);
    assert.equal(again?.text, code?.text);
    kiosk.press({ type: 'SPEECH', action: 'louder' });
    kiosk.press({ type: 'SPEECH', action: 'faster' });
    const [adjusted] = await kiosk.until('faster', () => speech.spoken.slice(4));
    assert.ok(adjusted && code && adjusted.volume > code.volume && adjusted.rate > code.rate);
    assert.deepEqual(kiosk.core.view().session.speech, { volume: 1, rate: 1, repeat: 1 });

    kiosk.press({ type: 'CANCEL' });
    await kiosk.waitForScreen('survey');
    kiosk.press({ type: 'FINISH' });
    const home = await kiosk.waitForScreen('attract');
    assert.deepEqual(home.session.speech, DEFAULT_SPEECH);
    const before = speech.spoken.length;
    kiosk.press({ type: 'SET_ACCESSIBILITY', settings: { speech: true } });
    const [fresh] = await saidAfter(before);
    assert.equal(fresh?.volume, code?.volume);
    assert.equal(fresh?.rate, code?.rate);
  });
});
