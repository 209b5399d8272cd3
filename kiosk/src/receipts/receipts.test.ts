/**
 * The receipt: the PDF read back with poppler (`pdftotext`, `pdffonts`) in the scripts the
 * kiosk speaks; the folder printer on a real folder; the CUPS printer against a real private
 * cupsd with a network printer on a real socket behind its queue; and what is logged when a
 * page does not come out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import {
  hasCups,
  startCups,
  startNetworkPrinter,
  switchedOffPrinterUri,
} from '@amtomat/hardware-mocks';
import { pdfFonts, pdfText } from '../testing/pdf-text.ts';
import { cupsPrinter } from './cups-printer.ts';
import { folderPrinter } from './folder-printer.ts';
import { RECEIPT_FONTS, type ReceiptPage, renderReceipt } from './receipt-pdf.ts';
import { createReceipts } from './receipts.ts';
import type { ReceiptContent } from './types.ts';

/** 6 December 2026, 09:30 in Berlin. */
const AT = Date.UTC(2026, 11, 6, 8, 30);
const DOG: ReceiptContent = {
  kind: 'application',
  formTitle: {
    de: 'Hund anmelden',
    'de-easy': 'Hund anmelden',
    en: 'Register a dog',
    tr: 'Köpek kaydı',
    ar: 'تسجيل كلب',
    uk: 'Реєстрація собаки',
    ru: 'Регистрация собаки',
    pl: 'Rejestracja psa',
  },
  caseNumber: 'A-7KQ2-M9XD',
};
const DROP_OFF: ReceiptContent = {
  kind: 'drop-off',
  receiptNumber: '0F3A-91C2-77B0',
  compartment: 'B2',
};

const page = (content: ReceiptContent, language: string): ReceiptPage => ({
  content,
  terminal: 'Rathaus Mayen',
  at: AT,
  timeZone: 'Europe/Berlin',
  language,
});

async function rendered(content: ReceiptContent, language: string) {
  const pdf = await renderReceipt(page(content, language));
  assert.ok(pdf.ok, pdf.ok ? '' : pdf.error);
  return pdf.value;
}

/** The text as one line: a long line wraps on the 80 mm roll. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/**
 * Every word of `line` in the text, its letters compared as a set and punctuation aside:
 * pdftotext reads a ligature (lam-alef) back with its two letters swapped and puts a colon on
 * the other word; the page shows both right (looked at).
 */
function hasWords(text: string, line: string) {
  const letters = (word: string) => [...word].sort().join('');
  const words = (some: string) => some.split(/[^\p{L}]+/u).filter(Boolean);
  const found = new Set(words(text).map(letters));
  for (const word of words(line)) {
    assert.ok(found.has(letters(word)), `"${word}" in:\n${text}`);
  }
}

describe('the receipt as a PDF', () => {
  test('German: terminal, date and time, the application and its case number', async () => {
    const text = pdfText(await rendered(DOG, 'de'));
    const lines = text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    assert.deepEqual(lines, [
      'Rathaus Mayen',
      '06.12.2026, 09:30',
      'Beleg',
      'Antrag gestellt: Hund anmelden',
      'Antragsnummer',
      'A-7KQ2-M9XD',
      'Bitte bewahren Sie diesen Beleg auf.',
    ]);
  });

  test('a drop-off: its receipt number and compartment', async () => {
    const text = pdfText(await rendered(DROP_OFF, 'en'));
    for (const line of [
      'Rathaus Mayen',
      '6 Dec 2026, 09:30',
      'Receipt',
      'Documents dropped off',
      'Receipt number',
      '0F3A-91C2-77B0',
      'Compartment B2',
      'Please keep this receipt.',
    ]) {
      assert.ok(text.includes(line), `"${line}" in:\n${text}`);
    }
  });

  test('Turkish, Polish, Ukrainian and Russian letters come out as they are', async () => {
    const expected: Record<string, string[]> = {
      tr: ['Başvuru yapıldı: Köpek kaydı', 'Dosya numarası', 'Lütfen bu makbuzu saklayın.'],
      pl: ['Złożono wniosek: Rejestracja psa', 'Numer sprawy', 'Prosimy zachować'],
      uk: ['Заяву подано: Реєстрація собаки', 'Номер справи', 'збережіть цю квитанцію'],
      ru: ['Заявление подано: Регистрация собаки', 'Номер дела', 'сохраните эту квитанцию'],
    };
    for (const [language, lines] of Object.entries(expected)) {
      const text = flat(pdfText(await rendered(DOG, language)));
      for (const line of lines)
        assert.ok(text.includes(line), `${language}: "${line}" in:\n${text}`);
      assert.ok(text.includes('A-7KQ2-M9XD'), language);
    }
  });

  test('Arabic: its words, joined and right to left; the case number left to right', async () => {
    const pdf = await rendered(DOG, 'ar');
    const text = pdfText(pdf);
    hasWords(text, 'تم تقديم الطلب');
    hasWords(text, 'تسجيل كلب');
    hasWords(text, 'رقم المعاملة');
    hasWords(text, 'يرجى الاحتفاظ بهذا الإيصال.');
    assert.ok(text.includes('A-7KQ2-M9XD'), 'the number as it is, not mirrored');
    // pdftotext reads right-to-left words back in reading order only where they stand from
    // the right: "تم تقديم الطلب", not mirrored.
    const title = text.split('\n').find((line) => line.includes('تقديم')) ?? '';
    assert.ok(title.indexOf('تم') < title.indexOf('تقديم'), title);
    assert.ok(title.indexOf('تقديم') < title.indexOf('الطلب'), title);
  });

  test('the font is embedded (DejaVu Sans, a subset), not a standard PDF font', async () => {
    const fonts = pdfFonts(await rendered(DOG, 'ru'));
    assert.ok(fonts.length > 0);
    for (const font of fonts) {
      assert.match(font.name, /DejaVuSans/);
      assert.equal(font.embedded, true, font.name);
    }
  });

  test('a font file that is not there: an error value, no exception', async () => {
    const pdf = await renderReceipt(page(DOG, 'de'), {
      ...RECEIPT_FONTS,
      regular: '/nonexistent/DejaVuSans.ttf',
    });
    assert.equal(pdf.ok, false);
  });
});

describe('the folder printer', () => {
  test('each receipt a PDF file of its own; a folder that is gone is a missing printer', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-receipts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const printer = folderPrinter(dir, () => AT);
    const pdf = await rendered(DOG, 'de');
    assert.deepEqual(await printer.print(pdf), { ok: true, value: undefined });
    assert.deepEqual(await printer.print(pdf), { ok: true, value: undefined });
    const files = readdirSync(dir);
    assert.equal(files.length, 2, files.join(', '));
    for (const file of files) {
      assert.match(file, /^receipt-2026-12-06T08-30-00-000Z-[0-9a-f]{8}\.pdf$/);
      assert.match(pdfText(join(dir, file)), /A-7KQ2-M9XD/);
    }
    renameSync(dir, `${dir}-away`);
    t.after(() => rmSync(`${dir}-away`, { recursive: true, force: true }));
    const missing = await printer.print(pdf);
    assert.equal(!missing.ok && missing.error.kind, 'missing');
  });
});

async function scheduler(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-cups-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return startCups(t, dir);
}

describe('the CUPS printer (a real cupsd)', { skip: !hasCups() && 'needs cupsd and root' }, () => {
  test('the receipt reaches the network printer behind the queue, as PDF', async (t) => {
    const cups = await scheduler(t);
    const device = await startNetworkPrinter();
    t.after(() => device.close());
    cups.addQueue('receipt', device.uri);
    const job = device.nextJob();
    const printer = cupsPrinter({ queue: 'receipt', server: cups.server });
    assert.deepEqual(await printer.print(await rendered(DROP_OFF, 'pl')), {
      ok: true,
      value: undefined,
    });
    const text = pdfText(new Uint8Array(await job));
    assert.match(text, /0F3A-91C2-77B0/);
    assert.match(text, /Skrytka B2/);
  });

  test('no such queue: missing; a printer that does not answer: offline, and the job goes', async (t) => {
    const cups = await scheduler(t);
    const pdf = await rendered(DOG, 'de');
    const nowhere = await cupsPrinter({ queue: 'nowhere', server: cups.server }).print(pdf);
    assert.equal(!nowhere.ok && nowhere.error.kind, 'missing');
    cups.addQueue('receipt', await switchedOffPrinterUri());
    const off = await cupsPrinter({ queue: 'receipt', server: cups.server, waitMs: 1500 }).print(
      pdf,
    );
    assert.equal(!off.ok && off.error.kind, 'offline');
    const pending = execFileSync('lpstat', ['-W', 'not-completed', '-o', 'receipt'], {
      env: { ...process.env, CUPS_SERVER: cups.server },
      encoding: 'utf8',
    });
    assert.equal(pending.trim(), '', 'no receipt left to come out later');
  });

  test('a queue stopped for want of paper: out-of-paper', async (t) => {
    const cups = await scheduler(t);
    const device = await startNetworkPrinter();
    t.after(() => device.close());
    cups.addQueue('receipt', device.uri);
    cups.disableQueue('receipt', 'Out of paper');
    const printed = await cupsPrinter({ queue: 'receipt', server: cups.server }).print(
      await rendered(DOG, 'de'),
    );
    assert.equal(!printed.ok && printed.error.kind, 'out-of-paper');
    assert.equal(device.jobs.length, 0);
  });
});

describe('printing a receipt', () => {
  test('the outcome is logged as a fact: kind, printer, fault; never a number of the page', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'amtomat-receipts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const logger = memoryLogger();
    const receipts = createReceipts({
      printer: folderPrinter(dir),
      terminal: 'Rathaus Mayen',
      timeZone: 'Europe/Berlin',
      now: () => AT,
      logger,
    });
    assert.deepEqual(await receipts.print(DOG, 'tr'), { ok: true, value: undefined });
    const [file] = readdirSync(dir);
    assert.match(pdfText(join(dir, file!)), /Köpek kaydı/);
    rmSync(dir, { recursive: true });
    assert.deepEqual(await receipts.print(DROP_OFF, 'de'), { ok: false, error: 'missing' });
    assert.deepEqual(
      logger.entries.map((entry) => [entry.event, entry.fields]),
      [
        ['receipts.printed', { receipt: 'application', printer: 'folder' }],
        [
          'receipts.print_failed',
          { receipt: 'drop-off', printer: 'folder', fault: 'missing', said: `no folder ${dir}` },
        ],
      ],
    );
    const logged = JSON.stringify(logger.entries);
    for (const number of ['A-7KQ2-M9XD', '0F3A-91C2-77B0', 'B2']) {
      assert.ok(!logged.includes(number), number);
    }
  });
});
