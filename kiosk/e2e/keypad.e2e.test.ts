/**
 * A blind citizen at the terminal (EN 301 549 closed functionality): the tactile keypad
 * only (keyboard presses: digits, Enter, arrows, the help key — never a click) and the
 * service's speech, captured to WAV. The test decides every next key from what was SAID,
 * never from the page: it is the person who cannot see the screen. A document pickup and a
 * parcel pickup, each to the open door with the item picked up in the store; every
 * utterance is measured with sox (not silent, a length that fits its text); no digit of the
 * code or the date of birth is ever spoken.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { trustTestKeys } from '../src/applications/keys.testing.ts';
import { type Captured, type CaptureSpeech, captureSpeech } from '../src/speech/speech.ts';
import { type KioskInBrowser, launchChromium, openKiosk } from './harness.ts';

const DOCUMENT = {
  code: '483921',
  dateOfBirth: '01021990',
  compartment: 'A2',
  ref: 'PA-2026-0042',
};
const PARCEL = { code: '736251', compartment: 'A5', ref: 'PKG-1001' };

const REACTION_MS = 80;

let browser: Browser;
let dir: string;
before(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'amtomat-keypad-'));
});
after(async () => {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The person's ears: what the terminal said since the last key. */
class Listener {
  private heard = 0;
  private readonly speech: CaptureSpeech;
  private readonly k: KioskInBrowser;
  constructor(speech: CaptureSpeech, k: KioskInBrowser) {
    this.speech = speech;
    this.k = k;
  }

  /** Waits until something said after the last key matches; returns that utterance. */
  async hear(pattern: RegExp, what: string, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = this.speech.spoken.slice(this.heard);
      const match = fresh.find((said) => pattern.test(said.text));
      if (match) {
        this.heard = this.speech.spoken.indexOf(match) + 1;
        return match.text;
      }
      if (Date.now() > deadline) {
        const said = fresh.map((s) => s.text).join('\n  ');
        assert.fail(`${what}: not heard within ${timeoutMs} ms; heard:\n  ${said}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * A key, after a person's reaction time: the service speaks a new screen as it publishes
   * the view, a moment before the page has it (a key pressed within that moment would meet
   * the old screen; no person is that fast).
   */
  async press(key: string) {
    await new Promise((resolve) => setTimeout(resolve, REACTION_MS));
    await this.k.page.keyboard.press(key);
  }

  /** The help key, held for more than a second. */
  async holdHelp() {
    await this.k.page.keyboard.down('F1');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await this.k.page.keyboard.up('F1');
  }

  /** Digits on the keypad, each answered with how many are typed (never the digit). */
  async type(digits: string) {
    for (const [index, digit] of [...digits].entries()) {
      await this.press(digit);
      const count = index + 1;
      await this.hear(
        count === 1 ? /^Eine Ziffer eingegeben\.$/ : new RegExp(`^${count} Ziffern eingegeben\\.$`),
        `${count} digits typed`,
      );
    }
  }

  /** Letters on a keyboard, each answered with how many the field holds (never the letter). */
  async letters(text: string) {
    for (const [index, letter] of [...text].entries()) {
      await this.press(letter);
      await this.hear(
        new RegExp(`^${index + 1 === 1 ? 'Ein' : index + 1} Zeichen eingegeben\\.$`),
        `${index + 1} letters typed`,
      );
    }
  }

  /** Down arrow until speech names the wanted control (as a person listens for it). */
  async focus(control: RegExp, what: string) {
    for (let presses = 0; presses < 30; presses++) {
      await this.press('ArrowDown');
      const named = await this.hear(/./, `the focus after ArrowDown (${what})`);
      if (control.test(named)) return;
    }
    assert.fail(`${what}: never named within 30 presses of the down arrow`);
  }
}

/** Length and loudness of a WAV, as sox measures them. */
function measure(wav: string): { seconds: number; amplitude: number } {
  const stat = execFileSync('sh', ['-c', 'sox "$1" -n stat 2>&1', 'sox', wav], {
    encoding: 'utf8',
  });
  return {
    seconds: Number(/Length \(seconds\):\s*([\d.]+)/.exec(stat)?.[1]),
    amplitude: Number(/Maximum amplitude:\s*([\d.]+)/.exec(stat)?.[1]),
  };
}

/** Every utterance was audible and as long as its words: about 6–25 characters a second. */
async function assertAudible(speech: CaptureSpeech) {
  await speech.settled();
  for (const said of speech.spoken as Captured[]) {
    const { seconds, amplitude } = measure(said.wav);
    const chars = said.text.length;
    assert.ok(amplitude > 0.1, `silent: "${said.text}"`);
    assert.ok(
      seconds >= chars / 25 && seconds <= chars / 6 + 1,
      `${seconds} s for ${chars} characters: "${said.text}"`,
    );
  }
}

test('a document pickup and a parcel pickup with the keypad only, by ear', async () => {
  const speech = captureSpeech({ dir: join(dir, 'speech') });
  const k = await openKiosk({ browser, speech });
  const ear = new Listener(speech, k);
  const store = k.service.terminal.store;
  // The screens the person passes, each once per change (the service's views).
  const screens: string[] = [];
  const unsubscribe = k.service.terminal.core.subscribe((view) => {
    if (screens.at(-1) !== view.screen) screens.push(view.screen);
  });
  try {
    // Holding the help key switches speech on; no headphones yet: only the request for them.
    await ear.holdHelp();
    await ear.hear(/Bitte stecken Sie Kopfhörer ein/, 'the request for headphones');
    // Headphones in: the start screen, its services, and how the keys work.
    k.service.hardware.headphones.set(true);
    const start = await ear.hear(/Willkommen/, 'the start screen');
    assert.match(start, /Zur Auswahl: Dokument abholen, .*Paket abholen/);
    assert.match(start, /Bedienung mit den Tasten/);

    // ── the document: 4 more screens after the start screen, the door one that changes
    await ear.focus(/^Dokument abholen\.$/, 'the document pickup');
    await ear.press('Enter');
    await ear.hear(/Schritt 1\. Bitte geben Sie Ihren Abholcode ein\./, 'the code screen');
    await ear.type(DOCUMENT.code);
    await ear.press('Enter');
    await ear.hear(/Bitte geben Sie Ihr Geburtsdatum ein\./, 'the date-of-birth screen');
    await ear.type(DOCUMENT.dateOfBirth);
    await ear.press('Enter');
    const pinLetter = await ear.hear(/Haben Sie Ihren PIN-Brief erhalten\?/, 'the PIN letter');
    assert.match(
      pinLetter,
      /Zur Auswahl: Ja, ich habe den PIN-Brief erhalten, Zurück oder Abbrechen\./,
    );
    await ear.focus(/^Ja, ich habe den PIN-Brief erhalten\.$/, 'the PIN letter confirmation');
    await ear.press('Enter');
    const opening = await ear.hear(/Fach A2 wird geöffnet/, 'the door opening');
    // Where the door is: the door map's sentence, spoken on the door screen.
    assert.match(opening, /Ihr Fach: linke Spalte, auf Hüfthöhe\./);
    const take = await ear.hear(/Bitte nehmen Sie Ihr Dokument aus Fach A2/, 'the door open');
    assert.match(take, /Schritt 4 von 4\./);
    assert.match(take, /Ihr Fach: linke Spalte, auf Hüfthöhe\./);
    assert.equal(k.door(DOCUMENT.compartment).open, true);
    assert.equal(store.itemByReference(DOCUMENT.ref)?.status, 'picked_up');
    // At most 5 screens from the start screen to the open door (#11; it was 7). Counted as
    // the issue counts them: the moments "being checked" while the service looks the code
    // up are not a step of the person's.
    const steps = screens.filter((screen) => !screen.endsWith('.checking'));
    assert.deepEqual(steps, [
      'attract',
      'pickup.code',
      'pickup.date-of-birth',
      'pickup.pin-letter',
      'pickup.door',
    ]);

    k.closeDoor(DOCUMENT.compartment, { itemPresent: false });
    await ear.hear(/Vielen Dank!/, 'the survey');
    await ear.focus(/^Fertig\.$/, 'finish');
    await ear.press('Enter');
    // A new session starts with speech off (settings reset); the help key held switches it on.
    await ear.holdHelp();
    const again = await ear.hear(/Willkommen/, 'the start screen again');
    assert.match(again, /Bedienung mit den Tasten/);

    // ── the parcel
    await ear.focus(/^Paket abholen\.$/, 'the parcel pickup');
    await ear.press('Enter');
    await ear.hear(/Bitte geben Sie Ihren Paket-Abholcode ein\./, 'the parcel code screen');
    await ear.type(PARCEL.code);
    await ear.press('Enter');
    const parcel = await ear.hear(/Bitte nehmen Sie Ihr Paket heraus/, 'the parcel door open');
    assert.match(parcel, /Ihr Fach: linke Spalte, [^.]+\./);
    assert.equal(k.door(PARCEL.compartment).open, true);
    assert.equal(store.itemByReference(PARCEL.ref)?.status, 'picked_up');

    // Never a digit of what was typed: no code, no date, not even part of one.
    const everything = speech.spoken.map((said) => said.text).join('\n');
    for (const secret of [DOCUMENT.code, DOCUMENT.dateOfBirth, PARCEL.code, '1990', '0102']) {
      assert.ok(!everything.includes(secret), `"${secret}" was spoken`);
    }
    await assertAudible(speech);
  } finally {
    unsubscribe();
    await k.close();
  }
});

test('an application by ear: each field named as the focus reaches it, what was typed never said', async () => {
  const speech = captureSpeech({ dir: join(dir, 'speech-application') });
  const k = await openKiosk({ browser, speech });
  await trustTestKeys(k.service.terminal.store);
  const ear = new Listener(speech, k);
  try {
    k.service.hardware.headphones.set(true);
    await ear.holdHelp();
    await ear.hear(/Willkommen/, 'the start screen');
    await ear.focus(/^Anträge stellen\.$/, 'the applications');
    await ear.press('Enter');
    await ear.hear(/Welchen Antrag möchten Sie stellen\?/, 'the list of applications');
    await ear.focus(/^Tiere\.$/, 'the category of animals');
    await ear.press('Enter');
    await ear.focus(/^Hund anmelden\.$/, 'the dog registration');
    await ear.press('Enter');
    await ear.hear(/Das brauchen Sie/, 'what the registration needs');
    await ear.focus(/^Antrag beginnen\.$/, 'start');
    await ear.press('Enter');
    await ear.hear(/Ihre Angaben/, 'the first question');
    await ear.letters('MEIER'); // the surname has the keyboard first
    await ear.focus(
      /^Familienname, 5 Zeichen eingegeben\.$/,
      'the surname, with how much it holds',
    );
    await ear.focus(/^Vornamen\.$/, 'the first names');
    await ear.press('Enter');
    await ear.letters('ANNA');
    await ear.focus(/^Bestätigen\.$/, 'next');
    await ear.press('Enter');
    await ear.hear(/Ihre Anschrift/, 'the address');
    // A part of the address: its id holds a dot (slot-address.postcode), named all the same.
    await ear.focus(/^Postleitzahl\.$/, 'the postcode');
    const everything = speech.spoken.map((said) => said.text.toUpperCase()).join('\n');
    for (const typed of ['MEIER', 'ANNA']) {
      assert.ok(!everything.includes(typed), `"${typed}" was spoken`);
    }
  } finally {
    await k.close();
  }
});
