import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { View } from '../contract/index.ts';
import { DEFAULT_LAYOUT, type TerminalLayout, type Wall } from '../contract/layout.ts';
import { ALL_SCREENS } from '../core/views.ts';
import { LANGUAGES, type Language } from '../flows/session.machine.ts';
import { screenViews } from './screen-views.testing.ts';
import { utterance, VOICES } from './speech.ts';
import { changeSpeech, focusSpeech, headphonesPrompt, screenSpeech } from './speech-text.ts';

test('every screen in every language has its own speech text from the translation files', () => {
  for (const language of LANGUAGES) {
    const views = screenViews(language);
    assert.deepEqual(
      [...new Set(views.map((view) => view.screen))].sort(),
      [...ALL_SCREENS].sort(),
      'the catalogue holds every screen',
    );
    for (const view of views) {
      const text = screenSpeech(view);
      const where = `${language} ${view.screen}: ${text}`;
      assert.ok(text.length > 10, where);
      // A missing key or placeholder would be read out as "pickup.code.title" or "{{n}}".
      assert.doesNotMatch(text, /\{\{|\b[a-z-]+\.[a-z-]+\.[a-z-]+\b/, where);
    }
  }
  // The same screen is read in the session's language, not in German.
  const [code] = screenViews('ar').filter((view) => view.screen === 'pickup.code');
  assert.ok(code);
  assert.match(screenSpeech(code), /[\u0600-\u06ff]/);
  assert.doesNotMatch(screenSpeech(code), /Abholcode/);
});

test('a screen is read as step, title, instructions, error, typed count, then the choices', () => {
  const view = screenViews('de').find(
    (candidate) => candidate.screen === 'pickup.code' && candidate.props.error,
  );
  assert.ok(view);
  assert.equal(
    screenSpeech(view),
    'Schritt 1. Bitte geben Sie Ihren Abholcode ein. Sie finden den Code in Ihrer SMS, E-Mail ' +
      'oder im Brief. Dieser Code stimmt nicht. Bitte prüfen Sie den Code in Ihrer ' +
      'Nachricht und geben Sie ihn noch einmal ein. 3 Ziffern eingegeben. Zur Auswahl: Bestätigen, ' +
      'Zurück oder Abbrechen.',
  );
});

test('on the same screen only the change is said: the count of digits, never the digits', () => {
  const [before] = screenViews('de').filter((view) => view.screen === 'pickup.code');
  assert.ok(before);
  const typed = (entered: number) => ({ ...before, props: { ...before.props, entered } }) as View;
  assert.equal(changeSpeech(before, typed(1)), 'Eine Ziffer eingegeben.');
  assert.equal(changeSpeech(typed(1), typed(2)), '2 Ziffern eingegeben.');
  assert.equal(changeSpeech(typed(2), typed(0)), 'Alle Zeichen sind gelöscht.');
  assert.equal(changeSpeech(typed(2), typed(2)), null);
  const warned = {
    ...before,
    session: { ...before.session, warning: { endsAt: 1, extensionsLeft: 3 } },
  } as View;
  assert.equal(
    changeSpeech(before, warned),
    'Brauchen Sie noch Zeit? Zur Auswahl: Ich brauche mehr Zeit.',
  );
  const alerted = {
    ...before,
    session: { ...before.session, doorAlerts: [{ compartment: 'A3', kind: 'left-open' }] },
  } as View;
  assert.match(changeSpeech(before, alerted) ?? '', /Fach A3 ist offen/);
});

test('each language has its voice; Leichte Sprache is German, slower', () => {
  assert.deepEqual(
    Object.keys(VOICES).sort(),
    [...LANGUAGES].sort(),
    'a voice for every language of the terminal',
  );
  assert.equal(utterance('x', 'ar', { volume: 0, rate: 0 }).voice, 'ar');
  assert.equal(utterance('x', 'uk', { volume: 0, rate: 0 }).voice, 'uk');
  const german = utterance('x', 'de', { volume: 0, rate: 0 });
  const easy = utterance('x', 'de-easy', { volume: 0, rate: 0 });
  assert.equal(easy.voice, 'de');
  assert.ok(easy.rate < german.rate);
  const louder = utterance('x', 'de', { volume: 2, rate: 1 });
  assert.ok(louder.volume > german.volume && louder.rate > german.rate);
  for (const language of LANGUAGES) assert.ok(headphonesPrompt(language).length > 20);
});

/** Controls the keypad reaches, by the page's id, on a screen of the catalogue. */
const FOCUSABLE: [screen: string, controls: string[]][] = [
  ['attract', ['service-document-pickup', 'service-parcel-pickup', 'lang-ar', 'toggle-speech']],
  ['pickup.code', ['key-4', 'key-0', 'submit', 'delete', 'clear', 'back', 'cancel', 'show-code']],
  ['pickup.pin-letter', ['confirm-pin-letter', 'cancel']],
  ['survey', ['satisfaction-4', 'alternative-postal', 'finish', 'extend']],
  ['courier.size', ['size-M']],
  ['staff.menu', ['task-load', 'task-retrieve', 'logout']],
  ['staff.door-failed', ['mark-defective', 'continue']],
];

test('the keypad focus is named in every language, an on-screen key never by its digit', () => {
  for (const language of LANGUAGES) {
    const views = screenViews(language);
    for (const [screen, controls] of FOCUSABLE) {
      const view = views.find((candidate) => candidate.screen === screen);
      assert.ok(view, screen);
      for (const control of controls) {
        const focused = {
          ...view,
          session: { ...view.session, focus: { control, moves: 1 } },
        } as View;
        const said = focusSpeech(focused) ?? '';
        const where = `${language} ${screen} ${control}: ${said}`;
        assert.ok(said.length > 1, where);
        assert.doesNotMatch(said, /\{\{|\b[a-z-]+\.[a-z-]+\.[a-z-]+\b/, where);
        if (control.startsWith('key-')) assert.doesNotMatch(said, /\d/, where);
        // Said on the same screen, as the focus moves: nothing else with it.
        assert.equal(changeSpeech(view, focused), said, where);
      }
    }
  }
  const [start] = screenViews('de').filter((view) => view.screen === 'attract');
  assert.ok(start);
  const on = (control: string) =>
    focusSpeech({ ...start, session: { ...start.session, focus: { control, moves: 1 } } } as View);
  assert.equal(on('service-document-pickup'), 'Dokument abholen.');
  assert.equal(on('no-such-control'), null);
});

/** Every screen where a door stands open, with the open compartment set in its props. */
const DOOR_OPEN: [screen: string, props: object][] = [
  ['pickup.door', { compartment: 'B1', doorOpen: true }],
  ['parcel.take-and-close', { compartments: ['B1'] }],
  ['drop-off.put-in-and-close', { compartment: 'B1' }],
  ['courier.deposit-and-close', { compartment: 'B1' }],
  ['staff.door-open', { door: { compartment: 'B1', purpose: 'load', remaining: 0 } }],
];

test('every door-open screen says where the door is, in every language (the door map)', () => {
  const wall: Wall = {
    columns: 2,
    compartments: [
      { label: 'A1', column: 1, row: 1, bottomCm: 100, topCm: 140 },
      { label: 'B1', column: 2, row: 1, bottomCm: 40, topCm: 80 },
    ],
  };
  const known: Partial<Record<Language, string>> = {
    de: 'Ihr Fach: rechte Spalte, auf Kniehöhe',
    ar: 'خزانتك: العمود الأيمن، بمستوى الركبة',
  };
  for (const language of LANGUAGES) {
    const views = screenViews(language);
    for (const [screen, props] of DOOR_OPEN) {
      const view = views.find((candidate) => candidate.screen === screen);
      assert.ok(view, screen);
      const open = (layout: TerminalLayout) =>
        screenSpeech({
          ...view,
          props: { ...view.props, ...props },
          session: { ...view.session, layout },
        } as View);
      const withMap = open({ ...DEFAULT_LAYOUT, wall });
      const without = open(DEFAULT_LAYOUT);
      const where = `${language} ${screen}: ${withMap}`;
      // The map's sentence comes on top of what the screen says without a wall.
      assert.ok(withMap.length > without.length + 10, where);
      if (known[language]) assert.ok(withMap.includes(known[language]), where);
    }
  }
});

test('a receipt screen: "print receipt" among the choices, then what became of it is said', () => {
  for (const language of ['de', 'ar'] as const) {
    const [receipt] = screenViews(language).filter((view) => view.screen === 'drop-off.receipt');
    assert.ok(receipt);
    const printing = (print: string | null, printer = true) =>
      ({ ...receipt, props: { ...receipt.props, printer, print } }) as View;
    const offered = screenSpeech(printing(null));
    const printed = changeSpeech(printing('printing'), printing('printed'));
    const outOfPaper = changeSpeech(printing('printing'), printing('out-of-paper'));
    if (language === 'de') {
      assert.match(offered, /Zur Auswahl: Beleg drucken, Fertig oder Abbrechen\.$/);
      assert.doesNotMatch(screenSpeech(printing(null, false)), /Beleg drucken/);
      assert.equal(printed, 'Der Beleg ist gedruckt. Bitte nehmen Sie ihn aus dem Drucker.');
      assert.equal(
        outOfPaper,
        'Der Drucker hat kein Papier mehr. Bitte notieren Sie die Nummer auf diesem Bildschirm.',
      );
      // A fault stays on the screen: read again with it, as its error.
      assert.match(screenSpeech(printing('out-of-paper')), /Der Drucker hat kein Papier mehr/);
    } else {
      assert.match(offered, /طباعة الإيصال/);
      assert.equal(printed, 'تمت طباعة الإيصال. يرجى أخذه من الطابعة.');
      assert.match(outOfPaper ?? '', /نفد الورق من الطابعة/);
    }
    assert.equal(changeSpeech(printing('printed'), printing('printed')), null);
  }
});

test('the application screens name their controls: a field by its label, never what was typed', () => {
  const [base] = screenViews('de');
  assert.ok(base);
  const texts = (de: string) => ({ de, en: `${de} (en)` });
  const field = (id: string, type: string, value: unknown, more: object = {}) => ({
    id,
    type,
    label: texts(id === 'surname' ? 'Familienname' : id === 'address' ? 'Anschrift' : id),
    hint: null,
    required: true,
    options: null,
    maxLength: null,
    slots: [],
    value,
    error: null,
    ...more,
  });
  const fields = [
    field('surname', 'text', 'Müller'),
    field('address', 'address', { street: 'Hauptstraße', postcode: '' }),
    field('listedDog', 'yes-no', null, { label: texts('Listenhund'), required: false }),
    field('size', 'choice', null, {
      label: texts('Größe'),
      options: [{ value: 'small', label: texts('klein') }],
    }),
  ];
  const on = (screen: string, props: object, control: string, language = 'de') =>
    focusSpeech({
      ...base,
      screen,
      props,
      session: { ...base.session, language, focus: { control, moves: 1 } },
    } as View);
  const question = { question: { stepId: 'keeper', stepTitle: texts('Halter'), fields } };
  const surname = on('application.question', question, 'slot-surname') ?? '';
  assert.match(surname, /^Familienname, 6 /);
  const street = on('application.question', question, 'slot-address.street') ?? '';
  assert.match(street, /^Straße/);
  for (const typed of ['Müller', 'Hauptstraße']) {
    assert.doesNotMatch(`${surname} ${street}`, new RegExp(typed));
  }
  assert.equal(
    on('application.question', question, 'set-listedDog-false'),
    'Listenhund (freiwillig): Nein.',
  );
  assert.equal(on('application.question', question, 'set-size-small'), 'Größe: klein.');
  assert.equal(on('application.question', question, 'set-size-huge'), null);
  assert.equal(on('application.question', question, 'slot-unknown'), null);

  const services = [{ id: 'hund-anmelden', title: texts('Hund anmelden'), available: true }];
  assert.equal(on('application.choose', { services }, 'form-hund-anmelden'), 'Hund anmelden.');
  assert.equal(
    on('application.choose', { services }, 'form-hund-anmelden', 'en'),
    'Hund anmelden (en).',
  );
  // Typing says how much the field holds; another field taking the keyboard clears nothing.
  const typing = (focus: string, surname: string, firstNames: string) =>
    ({
      ...base,
      screen: 'application.question',
      props: {
        focus,
        question: {
          ...question.question,
          fields: [field('surname', 'text', surname), field('firstNames', 'text', firstNames)],
        },
      },
    }) as unknown as View;
  assert.equal(
    changeSpeech(typing('surname', 'Mülle', ''), typing('surname', 'Müller', '')),
    '6 Zeichen eingegeben.',
  );
  assert.equal(
    changeSpeech(typing('surname', 'Müller', ''), typing('firstNames', 'Müller', '')),
    null,
  );
  assert.equal(
    changeSpeech(typing('firstNames', 'Müller', ''), typing('firstNames', 'Müller', 'A')),
    'Ein Zeichen eingegeben.',
  );
  const review = { review: [{ stepId: 'dog', title: texts('Hund'), fields: [] }] };
  assert.equal(on('application.review', review, 'change-dog'), 'Ändern: Hund.');
  assert.equal(on('application.review', review, 'confirm'), 'Stimmt so, weiter.');
});
