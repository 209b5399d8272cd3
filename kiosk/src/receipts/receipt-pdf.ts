/**
 * The receipt as a PDF, 80 mm wide like a receipt roll, as long as its text: the terminal's
 * name, date and time, what was done and its number, in the session's language from the
 * page's translation files. It holds no personal data by construction: what a receipt can
 * say is `ReceiptContent` (a form's title, a case number; a receipt number and a
 * compartment), nothing a person typed.
 *
 * The font is the system's DejaVu Sans (Debian fonts-dejavu-core, a dependency of the .deb):
 * one face for every script the kiosk speaks (Latin with German, Turkish and Polish letters,
 * Cyrillic, Arabic with its joining forms, which pdfkit's fontkit shapes). The standard PDF
 * fonts (Helvetica) have none of Cyrillic or Arabic. fontkit lays a run out in one direction
 * only, so an Arabic line is placed word by word from the right (`rtlLine`), with Latin runs
 * (a case number) kept left to right.
 */
import { createRequire } from 'node:module';
import { err, ok, type Result } from '@amtomat/basics';
import { formatDateTime } from '../../ui/src/components/date-time.ts';
import { textsIn } from '../speech/speech-text.ts';
import type { ReceiptContent } from './types.ts';

export type { ReceiptContent };

export interface ReceiptPage {
  content: ReceiptContent;
  /** The site's name (site file `site.name`), e.g. "Rathaus Mayen". */
  terminal: string;
  at: number;
  timeZone: string;
  language: string;
}

/** The faces the receipt is set in (Debian fonts-dejavu-core). */
export const RECEIPT_FONTS = {
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
};
export type ReceiptFonts = typeof RECEIPT_FONTS;

/** The part of pdfkit used here (pdfkit ships no types; this keeps them local, not ambient). */
interface Pdf {
  y: number;
  registerFont(name: string, path: string): Pdf;
  font(name: string): Pdf;
  fontSize(size: number): Pdf;
  text(text: string, x?: number, y?: number, options?: object): Pdf;
  widthOfString(text: string): number;
  currentLineHeight(includeGap?: boolean): number;
  moveDown(lines?: number): Pdf;
  moveTo(x: number, y: number): Pdf;
  lineTo(x: number, y: number): Pdf;
  lineWidth(width: number): Pdf;
  stroke(): Pdf;
  on(event: 'data', listener: (chunk: Buffer) => void): Pdf;
  on(event: 'end' | 'error', listener: (error?: Error) => void): Pdf;
  end(): void;
}
type PdfConstructor = new (options: object) => Pdf;
/** Loaded on the first receipt: a kiosk that never prints never needs it. */
const pdfkit = () => createRequire(import.meta.url)('pdfkit') as PdfConstructor;

/** 80 mm in points; the printable width of a receipt roll is a little less. */
const WIDTH = 226.77;
const MARGIN = 12;
const TEXT_WIDTH = WIDTH - 2 * MARGIN;
/** Long enough for any receipt; the second pass cuts the page to the text. */
const PROBE_HEIGHT = 2000;

const ARABIC = /\p{Script=Arabic}/u;
const LATIN_OR_DIGIT = /[\p{Script=Latin}\p{Script=Cyrillic}\p{N}]/u;
/** A left-to-right word and the punctuation after it ("2026،", "B2:"). */
const TRAILING = /^(.*[\p{L}\p{N}])([^\p{L}\p{N}]+)$/u;
/** Direction marks the date formatter puts in (Arabic): no glyph, and pdfkit has no bidi. */
const BIDI_MARKS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/g;

type Style = { size: number; bold?: boolean };

/** Renders the receipt; an error names what is missing (a font file) or what pdfkit said. */
export async function renderReceipt(
  page: ReceiptPage,
  fonts: ReceiptFonts = RECEIPT_FONTS,
): Promise<Result<Buffer, string>> {
  try {
    const probe = layout(page, fonts, PROBE_HEIGHT);
    // Only its height is wanted; its bytes (or a late stream error) go unread.
    probe.pdf.catch(() => undefined);
    return ok(await layout(page, fonts, probe.height).pdf);
  } catch (error) {
    return err(String((error as Error).message ?? error));
  }
}

function layout(page: ReceiptPage, fonts: ReceiptFonts, height: number) {
  const t = textsIn(page.language);
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({
    size: [WIDTH, height],
    margin: MARGIN,
    info: { Title: t('receipt.paper.title') },
  });
  const chunks: Buffer[] = [];
  const pdf = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', fonts.regular).registerFont('bold', fonts.bold);
  draw(doc, page);
  const used = Math.ceil(doc.y + MARGIN);
  doc.end();
  return { pdf, height: used };
}

/** The receipt's lines, top to bottom. */
function draw(doc: Pdf, page: ReceiptPage) {
  const t = textsIn(page.language);
  const rtl = page.language === 'ar';
  const write = (text: string, style: Style) => paragraph(doc, text, style, rtl);
  const { content } = page;
  write(page.terminal, { size: 11, bold: true });
  write(formatDateTime(page.at, page.language, page.timeZone, 'medium'), { size: 9 });
  rule(doc);
  write(t('receipt.paper.title'), { size: 13, bold: true });
  doc.moveDown(0.3);
  if (content.kind === 'application') {
    const form = content.formTitle[page.language] ?? content.formTitle.de ?? '';
    write(t('receipt.paper.application', { form }), { size: 10 });
    doc.moveDown(0.4);
    write(t('application.receipt.case-label'), { size: 9 });
    write(content.caseNumber, { size: 16, bold: true });
  } else {
    write(t('receipt.paper.drop-off'), { size: 10 });
    doc.moveDown(0.4);
    write(t('drop-off.receipt.number-label'), { size: 9 });
    write(content.receiptNumber, { size: 16, bold: true });
    write(t('receipt.paper.compartment', { compartment: content.compartment }), { size: 10 });
  }
  rule(doc);
  write(t('receipt.paper.keep'), { size: 8 });
}

function rule(doc: Pdf) {
  doc.moveDown(0.5);
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(WIDTH - MARGIN, doc.y)
    .lineWidth(0.5)
    .stroke();
  doc.moveDown(0.5);
}

/** A paragraph in the page's direction, wrapped to the roll's width. */
function paragraph(doc: Pdf, raw: string, style: Style, rtl: boolean) {
  const text = raw.replace(BIDI_MARKS, '');
  doc.font(style.bold ? 'bold' : 'regular').fontSize(style.size);
  if (!rtl || !ARABIC.test(text)) {
    doc.text(text, MARGIN, doc.y, { width: TEXT_WIDTH, align: rtl ? 'right' : 'left' });
    return;
  }
  for (const line of wrap(doc, text.split(/\s+/).filter(Boolean))) rtlLine(doc, line);
}

/** Words into lines no wider than the roll (a word wider than the roll stands alone). */
function wrap(doc: Pdf, words: string[]): string[][] {
  const space = doc.widthOfString(' ');
  const lines: string[][] = [];
  let current: string[] = [];
  let width = 0;
  for (const word of words) {
    const w = doc.widthOfString(word);
    if (current.length > 0 && width + space + w > TEXT_WIDTH) {
      lines.push(current);
      current = [];
      width = 0;
    }
    width += (current.length > 0 ? space : 0) + w;
    current.push(word);
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

/**
 * One right-to-left line: runs of words placed from the right edge leftwards; inside a run
 * of Latin words (no Arabic letter, a Latin letter or digit) the words go left to right.
 */
function rtlLine(doc: Pdf, words: string[]) {
  const space = doc.widthOfString(' ');
  const y = doc.y;
  let right = WIDTH - MARGIN;
  for (const run of runs(words)) {
    if (run.glued) right += space;
    const widths = run.words.map((word) => doc.widthOfString(word));
    const total = widths.reduce((sum, w) => sum + w, 0) + space * (run.words.length - 1);
    if (run.ltr) {
      let x = right - total;
      run.words.forEach((word, i) => {
        doc.text(word, x, y, { lineBreak: false });
        x += widths[i]! + space;
      });
    } else {
      let x = right;
      run.words.forEach((word, i) => {
        x -= widths[i]!;
        doc.text(word, x, y, { lineBreak: false });
        x -= space;
      });
    }
    right -= total + space;
  }
  doc.y = y + doc.currentLineHeight(true);
}

/** Words of one direction; `glued`: no space before it (punctuation after a Latin word). */
interface Run {
  ltr: boolean;
  words: string[];
  glued?: boolean;
}

function runs(words: string[]): Run[] {
  const found: Run[] = [];
  const add = (word: string, ltr: boolean, glued = false) => {
    const last = found.at(-1);
    if (last && last.ltr === ltr && !glued) last.words.push(word);
    else found.push({ ltr, words: [word], glued });
  };
  for (const word of words) {
    const ltr = !ARABIC.test(word) && LATIN_OR_DIGIT.test(word);
    const split = ltr ? TRAILING.exec(word) : null;
    if (!split) {
      add(word, ltr);
      continue;
    }
    // The punctuation follows in the line's direction: to the left of the Latin word.
    add(split[1]!, true);
    add(split[2]!, false, true);
  }
  return found;
}
