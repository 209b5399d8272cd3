/** Message texts: the same keys in every language, the right placeholders, nothing left over. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NOTICE_LANGUAGES } from '../announce.ts';
import { NOTICE_KINDS } from '../storage/storage.ts';
import { placeholdersOf, renderNotice, TemplateFileSchema } from './templates.ts';

const raw = (language: string): unknown =>
  JSON.parse(readFileSync(new URL(`./templates/${language}.json`, import.meta.url), 'utf8'));

/** Every leaf's path, e.g. `notices.ready.sms`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    keyPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

/** GSM 03.38 basic set (incl. ä ö ü ß …): outside it an SMS falls back to 70 characters. */
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/;

const facts = (kind: (typeof NOTICE_KINDS)[number], language: string) => ({
  kind,
  language,
  itemKind: 'id-document',
  terminal: 'Rathaus Mayen',
  place: undefined,
  office: undefined,
  senderName: 'Kreisverwaltung Mayen-Koblenz',
  loadedAt: Date.UTC(2025, 11, 31, 23, 30),
  deadline: Date.UTC(2026, 0, 14, 23, 30),
  timeZone: 'Europe/Berlin',
  ...(kind === 'ready' ? { code: '04711815' } : {}),
});

const LATIN_SMS = new Set(['de', 'de-easy', 'en']);

/** The kiosk's button names, which the notices tell the citizen to tap. */
const kioskButtons = (language: string) => {
  const file = new URL(`../../../../kiosk/ui/src/locales/${language}.json`, import.meta.url);
  const strings = JSON.parse(readFileSync(file, 'utf8')) as {
    menu: { service: Record<string, { name: string }> };
  };
  return new Set(Object.values(strings.menu.service).map((service) => service.name));
};

describe('notice templates', () => {
  it('every language has the keys of German', () => {
    const [de, ...others] = NOTICE_LANGUAGES.map((language) => keyPaths(raw(language)).sort());
    for (const keys of others) assert.deepEqual(keys, de);
  });

  it('every file passes its schema; the same placeholders per text in each language', () => {
    for (const language of NOTICE_LANGUAGES) {
      const parsed = TemplateFileSchema.safeParse(raw(language));
      assert.ok(parsed.success, `${language}: ${parsed.error?.message}`);
    }
    // {Item} and {item} differ only in case: where a sentence starts differs by language.
    const names = (text: string) => new Set(placeholdersOf(text).map((n) => n.toLowerCase()));
    const de = TemplateFileSchema.parse(raw('de'));
    for (const language of NOTICE_LANGUAGES) {
      const other = TemplateFileSchema.parse(raw(language));
      for (const kind of NOTICE_KINDS) {
        for (const field of ['subject', 'text', 'sms'] as const) {
          assert.deepEqual(
            names(other.notices[kind][field]),
            names(de.notices[kind][field]),
            `${language}: ${kind}.${field}`,
          );
        }
      }
    }
  });

  it('refuses a code where it does not belong, and a ready text without it', () => {
    const file = TemplateFileSchema.parse(raw('de'));
    const leaky = structuredClone(file);
    leaky.notices.reminder.sms = 'Ihr Code: {code}';
    leaky.notices.ready.text = 'kein Code';
    const result = TemplateFileSchema.safeParse(leaky);
    assert.equal(result.success, false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths?.sort(), ['notices.ready.text', 'notices.reminder.sms']);
  });

  it('renders every kind in every language completely, dates in Berlin time', () => {
    for (const language of NOTICE_LANGUAGES) {
      for (const kind of NOTICE_KINDS) {
        const out = renderNotice(facts(kind, language));
        for (const part of [out.subject, out.text, out.sms]) {
          assert.doesNotMatch(part, /[{}]/, `${language} ${kind}: placeholder left`);
          assert.doesNotMatch(part, /\n\n\n/, `${language} ${kind}: gap`);
        }
        assert.equal(out.text.includes('04711815'), kind === 'ready', `${language} ${kind}`);
        assert.equal(out.sms.includes('04711815'), kind === 'ready', `${language} ${kind}`);
        assert.equal(out.language, language);
        // German and English fit the GSM alphabet (153 per part); the others are sent as
        // UCS-2 (67 per part): at most two parts in GSM, three in UCS-2.
        if (LATIN_SMS.has(language)) {
          assert.match(out.sms, GSM7, `${language} ${kind}: SMS outside the GSM alphabet`);
          assert.ok(out.sms.length <= 306, `${language} ${kind}: more than two SMS`);
        } else {
          assert.ok(out.sms.length <= 201, `${language} ${kind}: more than three SMS`);
        }
      }
    }
    // 23:30 UTC on 14 January is the 15th in Germany.
    assert.match(renderNotice(facts('ready', 'de')).text, /Donnerstag, 15\. Januar 2026/);
    assert.match(renderNotice(facts('ready', 'en')).text, /Thursday, 15 January 2026/);
    assert.match(renderNotice(facts('reminder', 'de')).text, /seit Donnerstag, 1\. Januar 2026/);
  });

  it('names the button exactly as the terminal shows it in the same language', () => {
    for (const language of NOTICE_LANGUAGES) {
      const file = TemplateFileSchema.parse(raw(language));
      for (const [kind, texts] of Object.entries(file.itemKinds))
        assert.ok(kioskButtons(language).has(texts.action), `${language}: ${kind} ${texts.action}`);
    }
  });

  it('each of the 8 languages renders ready, reminder, expiring and expired in itself', () => {
    const expected: Record<(typeof NOTICE_LANGUAGES)[number], RegExp> = {
      de: /Ihr Abholcode: 04711815/,
      'de-easy': /Ihr Abhol-Code: 04711815/,
      en: /Your pickup code: 04711815/,
      tr: /Teslim alma kodunuz: 04711815/,
      ar: /رمز الاستلام: 04711815/,
      uk: /Ваш код отримання: 04711815/,
      ru: /Ваш код получения: 04711815/,
      pl: /Kod odbioru: 04711815/,
    };
    for (const language of NOTICE_LANGUAGES) {
      assert.match(renderNotice(facts('ready', language)).text, expected[language]);
    }
    // The deadline in the language's own words, Arabic with the code's digits.
    assert.match(renderNotice(facts('expiring', 'tr')).text, /15 Ocak 2026 Perşembe/);
    assert.match(renderNotice(facts('expiring', 'ar')).text, /الخميس، 15 يناير 2026/);
    assert.match(renderNotice(facts('reminder', 'uk')).text, /четвер, 1 січня 2026/);
    assert.match(renderNotice(facts('expired', 'ru')).subject, /Срок получения истёк/);
    assert.match(renderNotice(facts('expired', 'pl')).sms, /Termin odbioru minął/);
    assert.match(renderNotice(facts('reminder', 'de-easy')).subject, /^Erinnerung: Ihr Ausweis/);
  });

  it('hints at the date of birth only for ID documents; unknown languages get German', () => {
    const id = renderNotice(facts('ready', 'de'));
    assert.match(id.text, /Geburtsdatum/);
    assert.match(id.sms, /Geburtsdatum/);
    const parcel = renderNotice({ ...facts('ready', 'de'), itemKind: 'parcel' });
    assert.doesNotMatch(parcel.text, /Geburtsdatum/);
    assert.match(parcel.text, /„Paket abholen“/);
    const other = renderNotice({ ...facts('ready', 'fr'), itemKind: null, deadline: null });
    assert.equal(other.language, 'de');
    assert.match(other.text, /Ihr Dokument liegt/);
    assert.match(other.text, /Abholbar bis: siehe Anzeige am Automaten/);
  });

  it('uses the configured place and office, else the terminal and a general line', () => {
    const configured = renderNotice({
      ...facts('expired', 'en'),
      place: 'Town hall, side entrance',
      office: 'Bürgerbüro Mayen, Rosengasse 2',
    });
    assert.match(configured.text, /Contact: Bürgerbüro Mayen, Rosengasse 2/);
    const ready = renderNotice({ ...facts('ready', 'en'), place: 'Town hall, side entrance' });
    assert.match(ready.text, /Place: Town hall, side entrance/);
    const plain = renderNotice(facts('ready', 'en'));
    assert.match(plain.text, /Place: Rathaus Mayen/);
    assert.match(plain.text, /your Bürgerbüro \(citizens' office\) will be glad to help/);
  });
});
