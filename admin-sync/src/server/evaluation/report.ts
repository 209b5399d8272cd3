/**
 * The PDF report of the research export (issue #13), written beside the Data Package: the
 * charts as vector drawings from the same series and geometry as the console's SVG
 * (charts.ts), the KPI tables with the numbers exactly as in kpis.csv ("." where
 * suppressed), and a short method section: period, software version, each parameter with
 * its source, the suppression rule. German, as the district reads it.
 */
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { type Chart, type ChartId, chartGeometry, evaluationCharts } from './charts.ts';
import { KPI_DEFINITIONS, type KpiRow } from './kpis.ts';

/** The part of pdfkit's document used here (pdfkit ships no types of its own). */
interface PdfDoc {
  font(name: string): PdfDoc;
  fontSize(size: number): PdfDoc;
  fillColor(color: string): PdfDoc;
  strokeColor(color: string): PdfDoc;
  lineWidth(width: number): PdfDoc;
  dash(length: number, options: { space: number }): PdfDoc;
  undash(): PdfDoc;
  moveTo(x: number, y: number): PdfDoc;
  lineTo(x: number, y: number): PdfDoc;
  rect(x: number, y: number, w: number, h: number): PdfDoc;
  fill(color?: string): PdfDoc;
  stroke(): PdfDoc;
  text(text: string, x?: number, y?: number, options?: Record<string, unknown>): PdfDoc;
  heightOfString(text: string, options?: Record<string, unknown>): number;
  addPage(): PdfDoc;
  pipe<T extends NodeJS.WritableStream>(stream: T): T;
  end(): void;
}
type PdfDocConstructor = new (options: Record<string, unknown>) => PdfDoc;
const PDFDocument = createRequire(import.meta.url)('pdfkit') as PdfDocConstructor;

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const BOTTOM = PAGE.height - PAGE.margin;
const TEXT = '#1a1a1a';

const CHART_TITLES: Readonly<Record<ChartId, string>> = {
  'uses-per-week': 'Nutzungen je Woche (alle Terminals), Ziel: 100',
  'uses-per-device-day-m4': 'Nutzungen je Gerät und Tag ab dem 4. Monat, Ziel: 15',
  'parcel-reach':
    'Reichweite der Paketstationen (Anteil der Einwohner im Umkreis von 1 km), Ziel: 20/30/35 %',
};

export interface ReportInput {
  from: string;
  to: string;
  software: { name: string; version: string };
  created: string;
  threshold: number;
  rule: string;
  /** Rows after suppression, as in kpis.csv. */
  rows: readonly KpiRow[];
  /** [parameter, value, unit, source] as in parameters.csv. */
  parameters: readonly (readonly (string | number | boolean | null)[])[];
}

/** A value as kpis.csv writes it; "." where suppressed, "" where not defined. */
const csvValue = (row: KpiRow, value: number | null) =>
  row.suppressed ? '.' : value === null ? '' : String(value);

/** Writes the report to `file`; resolves when the file is complete. */
export async function writeEvaluationReport(file: string, input: ReportInput): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: {
      Title: `Amt-O-Mat Evaluation ${input.from} – ${input.to}`,
      Author: `${input.software.name} ${input.software.version}`,
      CreationDate: new Date(input.created),
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    const out = doc.pipe(createWriteStream(file));
    out.on('finish', () => resolve());
    out.on('error', reject);
  });
  let y = PAGE.margin;
  const need = (height: number) => {
    if (y + height > BOTTOM) {
      doc.addPage();
      y = PAGE.margin;
    }
  };
  const heading = (text: string, size = 13) => {
    need(size * 3);
    doc
      .font('Helvetica-Bold')
      .fontSize(size)
      .fillColor(TEXT)
      .text(text, PAGE.margin, y, { width: CONTENT_WIDTH });
    y += doc.heightOfString(text, { width: CONTENT_WIDTH }) + 6;
  };
  const paragraph = (text: string, size = 9) => {
    doc.font('Helvetica').fontSize(size);
    const height = doc.heightOfString(text, { width: CONTENT_WIDTH });
    need(height + 4);
    doc.fillColor(TEXT).text(text, PAGE.margin, y, { width: CONTENT_WIDTH });
    y += height + 4;
  };

  heading(`Amt-O-Mat: Evaluationsbericht ${input.from} bis ${input.to}`, 16);
  paragraph(
    `Software ${input.software.name} ${input.software.version}, erstellt ${input.created}. ` +
      'Alle Zahlen sind Aggregate; die Daten stehen im Data Package im selben Ordner (kpis.csv).',
  );

  const charts = evaluationCharts(input.rows, { scope: 'total', scopeId: 'all' });
  for (const chart of charts) {
    heading(CHART_TITLES[chart.id], 11);
    need(210);
    drawChart(doc, chart, PAGE.margin, y, CONTENT_WIDTH, 190);
    y += 172;
    paragraph(
      'Blaue Balken: Wert. ' +
        (chart.points.some((p) => p.partial)
          ? 'Hohle gestrichelte Balken: Teilwochen (weniger als 7 Tage im Zeitraum, hochgerechnet). '
          : '') +
        'Rote gestrichelte Linie: Ziel. Unterdrückte Werte (.) haben keinen Balken.',
      8,
    );
  }

  doc.addPage();
  y = PAGE.margin;
  const totals = input.rows.filter((r) => r.scope === 'total' && r.periodKind === 'total');
  const order = new Map(KPI_DEFINITIONS.map((d, i) => [d.id, i]));
  totals.sort(
    (a, b) =>
      (order.get(a.kpi) ?? 0) - (order.get(b.kpi) ?? 0) || a.breakdown.localeCompare(b.breakdown),
  );
  heading(
    'Kennzahlen im ganzen Zeitraum, alle Terminals (kpis.csv: scope total, period_kind total)',
  );
  table(
    [
      { title: 'Kennzahl', width: 200 },
      { title: 'Aufteilung', width: 95 },
      { title: 'Wert', width: 70, align: 'right' },
      { title: 'n', width: 60, align: 'right' },
      { title: 'Ziel', width: 60, align: 'right' },
    ],
    totals.map((r) => [
      r.kpi,
      r.breakdown,
      csvValue(r, r.value),
      csvValue(r, r.n),
      r.target === null ? '' : String(r.target),
    ]),
  );
  for (const chart of charts) {
    heading(`Zahlen zum Diagramm: ${CHART_TITLES[chart.id]} (kpis.csv: ${chart.kpi})`, 11);
    table(
      [
        { title: chart.id === 'parcel-reach' ? 'Standort' : 'Zeitraum', width: 200 },
        { title: 'Wert', width: 100, align: 'right' },
        { title: 'Ziel', width: 100, align: 'right' },
      ],
      chart.points.map((p) => [
        p.partial ? `${p.label} (Teilwoche)` : p.label,
        p.suppressed ? '.' : p.value === null ? '' : String(p.value),
        p.target === null ? '' : String(p.target),
      ]),
    );
  }

  heading('Methode');
  paragraph(
    `Zeitraum: ${input.from} bis ${input.to} (Tage in der Zeitzone des Landkreises). ` +
      `Software: ${input.software.name} ${input.software.version}. ` +
      'Nutzungen sind abgeschlossene Besuche; Nutzungen je Gerät und Tag zählen ab dem Installationsdatum, ' +
      'das Ziel von 15 gilt ab dem 4. Monat. Eingesparte Wege kommen aus der freiwilligen Befragung am Ende ' +
      'eines Besuchs (Verkehrsmittel und Entfernung eines sonst nötigen Schaltergangs).',
  );
  paragraph(`Geheimhaltung (Schwelle ${input.threshold}): ${input.rule}`);
  heading('Parameter und Quellen', 11);
  table(
    [
      { title: 'Parameter', width: 130 },
      { title: 'Wert', width: 50, align: 'right' },
      { title: 'Einheit', width: 60 },
      { title: 'Quelle', width: 255 },
    ],
    input.parameters.map((p) => p.map((cell) => (cell === null ? '' : String(cell)))),
  );

  doc.end();
  return done;

  function table(
    columns: { title: string; width: number; align?: 'right' }[],
    rows: readonly (readonly string[])[],
  ) {
    const line = (cells: readonly string[], bold: boolean) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
      const height = Math.max(
        10,
        ...cells.map((cell, i) =>
          doc.heightOfString(cell || ' ', { width: columns[i]!.width - 4 }),
        ),
      );
      need(height + 3);
      let x = PAGE.margin;
      cells.forEach((cell, i) => {
        const column = columns[i]!;
        doc
          .fillColor(TEXT)
          .text(cell, x, y, { width: column.width - 4, align: column.align ?? 'left' });
        x += column.width;
      });
      y += height + 3;
    };
    line(
      columns.map((c) => c.title),
      true,
    );
    for (const row of rows) line(row, false);
    y += 8;
  }
}

/** The chart at (x0, y0), drawn from the same geometry as the console's SVG. */
function drawChart(
  doc: PdfDoc,
  chart: Chart,
  x0: number,
  y0: number,
  width: number,
  height: number,
) {
  const g = chartGeometry(chart, width, height);
  const { plot } = g;
  const share = chart.unit === 'share';
  const label = (value: number) => (share ? `${Math.round(value * 1000) / 10} %` : String(value));
  for (const tick of g.yTicks) {
    doc
      .moveTo(x0 + plot.left, y0 + tick.y)
      .lineTo(x0 + plot.right, y0 + tick.y)
      .lineWidth(0.4)
      .strokeColor('#c8c8c8')
      .stroke();
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(TEXT)
      .text(label(tick.value), x0, y0 + tick.y - 3, {
        width: plot.left - 6,
        align: 'right',
        lineBreak: false,
      });
  }
  for (const bar of g.bars) {
    if (!bar.partial) {
      doc.rect(x0 + bar.x, y0 + bar.y, bar.width, bar.height).fill('#1d4f91');
      continue;
    }
    // A partial week: hollow, so it does not read as a week like the others.
    doc
      .rect(x0 + bar.x, y0 + bar.y, bar.width, bar.height)
      .lineWidth(1.4)
      .dash(3, { space: 1.5 })
      .strokeColor('#1d4f91')
      .stroke();
    doc.undash();
  }
  for (const target of g.targets) {
    doc
      .moveTo(x0 + target.x1, y0 + target.y)
      .lineTo(x0 + target.x2, y0 + target.y)
      .lineWidth(1.8)
      .dash(6, { space: 3 })
      .strokeColor('#b00020')
      .stroke();
    doc.undash();
  }
  doc
    .moveTo(x0 + plot.left, y0 + plot.bottom)
    .lineTo(x0 + plot.right, y0 + plot.bottom)
    .lineWidth(1)
    .strokeColor(TEXT)
    .stroke();
  for (const x of g.xLabels) {
    doc
      .font('Helvetica')
      .fontSize(6.5)
      .fillColor(TEXT)
      .text(x.label === 'all' ? 'alle' : x.label, x0 + x.x - 30, y0 + plot.bottom + 4, {
        width: 60,
        align: 'center',
        lineBreak: false,
      });
  }
}
