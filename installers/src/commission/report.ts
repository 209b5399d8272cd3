/**
 * The site acceptance report (Abnahmeprotokoll) the town hall signs: the site, the terminal,
 * every lock the walk met with its door test (opened, closed, item sensor), the devices
 * tested, the software version, the fleet enrolment, date, installer and signature lines.
 * In the wizard's language (German in a German district, as the town hall files it). Written to a temporary file and renamed, like the site
 * file, so an interruption never leaves half a PDF.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { t } from './i18n.ts';
import type { DeviceResult, LockRecord, Progress } from './progress.ts';

const COLUMNS = [
  'label',
  'wiring',
  'size',
  'place',
  'height',
  'purpose',
  'opened',
  'closed',
  'sensor',
] as const;

/** The part of pdfkit used here (pdfkit ships no types; this keeps them local, not ambient). */
export interface Pdf {
  x: number;
  y: number;
  page: { width: number; height: number };
  font(name: string): Pdf;
  fontSize(size: number): Pdf;
  text(text: string, x?: number | object, y?: number, options?: object): Pdf;
  moveDown(lines?: number): Pdf;
  moveTo(x: number, y: number): Pdf;
  lineTo(x: number, y: number): Pdf;
  lineWidth(width: number): Pdf;
  stroke(): Pdf;
  addPage(): Pdf;
  pipe(stream: NodeJS.WritableStream): void;
  end(): void;
}
type PdfConstructor = new (options: object) => Pdf;

export async function pdfDocument(options: object): Promise<Pdf> {
  const module = (await import('pdfkit' as string)) as { default: PdfConstructor };
  return new module.default(options);
}

const MARGIN = 50;
const WIDTHS = [45, 70, 35, 60, 50, 55, 50, 60, 70];

export async function writeReport(
  path: string,
  progress: Progress,
  meta: { version: string; siteFile: string },
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const doc = await pdfDocument({
      size: 'A4',
      margin: MARGIN,
      info: { Title: t('report.title') },
    });
    const written = new Promise<void>((resolve, reject) => {
      const stream = createWriteStream(temporary, { mode: 0o644 });
      stream.on('finish', resolve).on('error', reject);
      doc.pipe(stream);
    });
    draw(doc, progress, meta);
    doc.end();
    await written;
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function draw(doc: Pdf, progress: Progress, meta: { version: string; siteFile: string }) {
  doc.font('Helvetica-Bold').fontSize(16).text(t('report.title'));
  doc.moveDown(0.8);
  const date = (progress.finishedAt ?? progress.startedAt).slice(0, 10);
  const facts: [string, string][] = [
    [t('report.site'), `${progress.site?.name ?? '?'} (${progress.site?.id ?? '?'})`],
    [t('report.terminal'), progress.fleet?.deviceId ?? t('report.notEnrolled')],
    [t('report.version'), meta.version],
    [t('report.date'), date],
    [t('report.installer'), progress.installer ?? '?'],
    [t('report.siteFile'), meta.siteFile],
  ];
  for (const [name, value] of facts) {
    doc.font('Helvetica-Bold').fontSize(10).text(`${name}: `, { continued: true });
    doc.font('Helvetica').text(value);
  }
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text(t('report.compartments'));
  doc.moveDown(0.3);
  row(
    doc,
    COLUMNS.map((column) => t(`report.col.${column}`)),
    true,
  );
  for (const lock of progress.locks) row(doc, lockCells(lock), false);
  const doors = progress.locks.filter((l) => l.outcome !== 'no-door');
  const passed = doors.filter((l) => l.outcome === 'door' && l.closed).length;
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(8).text(t('report.legend'), MARGIN);
  doc.moveDown(0.5);
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(t('report.summary', { passed, all: doors.length }), MARGIN);
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text(t('report.devices'));
  doc.font('Helvetica').fontSize(10);
  doc.text(`${t('report.cardReader')}: ${deviceLine(progress.devices.cardReader)}`);
  doc.text(`${t('report.scanner')}: ${deviceLine(progress.devices.scanner)}`);
  doc.text(`${t('report.printer')}: ${printerLine(progress.devices.printer)}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text(t('report.fleet'));
  doc.font('Helvetica').fontSize(10);
  doc.text(
    progress.fleet?.deviceId && progress.fleet.url
      ? t('report.enrolled', { url: progress.fleet.url, id: progress.fleet.deviceId })
      : t('report.alone'),
  );
  signatures(doc);
}

function lockCells(lock: LockRecord): string[] {
  const where = `${lock.board}/${lock.lock}`;
  // The last cell of a short row runs to the right edge.
  if (lock.outcome === 'no-door') return ['—', where, t('report.noDoor')];
  if (lock.outcome === 'not-opened')
    return ['—', where, t('report.notOpened', { why: failureText(lock.failure) })];
  return [
    lock.label ?? '',
    where,
    lock.size ?? '',
    `${lock.column}/${lock.row}`,
    `${lock.heightCm} cm${lock.accessible ? '*' : ''}`,
    t(`report.purpose.${lock.purpose ?? 'pickup'}`),
    t('report.yes'),
    lock.closed ? t('report.yes') : t('report.no'),
    t(`report.sensor.${lock.sensor ?? 'none'}`),
  ];
}

/** The reasons the locker gives a name for; any other kind is shown as it is recorded. */
function failureText(failure: string | undefined): string {
  switch (failure) {
    case 'jammed':
    case 'board-silent':
    case 'board-refused':
      return t(`report.why.${failure}`);
    default:
      return failure ?? '';
  }
}

function row(doc: Pdf, cells: string[], header: boolean) {
  if (doc.y > doc.page.height - MARGIN - 40) doc.addPage();
  const y = doc.y;
  let x = MARGIN;
  doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
  const right = MARGIN + WIDTHS.reduce((sum, w) => sum + w, 0);
  cells.forEach((cell, i) => {
    const width = i === cells.length - 1 ? right - x : WIDTHS[i]!;
    doc.text(cell, x, y, { width: width - 4, lineBreak: false, ellipsis: true });
    x += width;
  });
  doc
    .moveTo(MARGIN, y + 12)
    .lineTo(right, y + 12)
    .lineWidth(0.3)
    .stroke();
  doc.y = y + 15;
  doc.x = MARGIN;
}

function deviceLine(result: DeviceResult | undefined): string {
  if (!result) return '—';
  if (!result.fitted) return t('report.notFitted');
  return `${result.device ?? ''}: ${t(result.ok ? 'report.passed' : 'report.failed')}`;
}

/** The queue and whether the test page came out; why not, where it did not. */
function printerLine(result: DeviceResult | undefined): string {
  if (!result) return '—';
  if (!result.fitted) return t('report.notFitted');
  const outcome = result.ok
    ? t('report.printerPassed')
    : t('report.printerFailed', { detail: result.detail });
  return `${result.device ?? ''}: ${outcome}`;
}

function signatures(doc: Pdf) {
  if (doc.y > doc.page.height - MARGIN - 140) doc.addPage();
  doc.moveDown(2);
  doc.font('Helvetica-Bold').fontSize(12).text(t('report.sign'), MARGIN);
  const top = doc.y + 50;
  const width = (doc.page.width - 2 * MARGIN - 40) / 2;
  for (const [i, who] of [t('report.signInstaller'), t('report.signTownHall')].entries()) {
    const x = MARGIN + i * (width + 40);
    doc
      .moveTo(x, top)
      .lineTo(x + width, top)
      .lineWidth(0.5)
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(t('report.signatureLine', { who }), x, top + 4, { width });
  }
  doc.x = MARGIN;
}
