/**
 * The evaluation's charts (issue #13), one series each, drawn twice from the same geometry:
 * as SVG on the console's evaluation page and as vector drawings in the PDF report. A
 * suppressed point has no bar (its table cell says so); a target is a line across the
 * points it applies to (100 uses a week, 15 uses per device and day from month 4, parcel
 * reach 20/30/35 %).
 */
import { type KpiRow, PARTIAL_WEEK, type Scope } from './kpis.ts';

export interface ChartPoint {
  label: string;
  value: number | null;
  suppressed: boolean;
  target: number | null;
  /** A week cut by the period's edge or an installation: its rate is extrapolated (drawn hollow). */
  partial: boolean;
}

export type ChartId = 'uses-per-week' | 'uses-per-device-day-m4' | 'parcel-reach';

export interface Chart {
  id: ChartId;
  /** The KPI the points are rows of (`uses` per week for a service: no per-week rate there). */
  kpi: string;
  unit: 'count' | 'rate' | 'share';
  points: ChartPoint[];
}

export interface ChartSelection {
  scope: Scope;
  scopeId: string;
}

const pointOf = (row: KpiRow, label = row.period): ChartPoint => ({
  label,
  value: row.suppressed ? null : row.value,
  suppressed: row.suppressed,
  target: row.target,
  partial: row.flag.split(' ').includes(PARTIAL_WEEK),
});

/** The charts of a selection (the whole fleet, a site or a service), from suppressed rows. */
export function evaluationCharts(rows: readonly KpiRow[], selection: ChartSelection): Chart[] {
  const of = (kpi: string, periodKind: KpiRow['periodKind']) =>
    rows
      .filter(
        (r) =>
          r.kpi === kpi &&
          r.breakdown === '' &&
          r.scope === selection.scope &&
          r.scopeId === selection.scopeId &&
          r.periodKind === periodKind,
      )
      .sort((a, b) => a.period.localeCompare(b.period));
  const charts: Chart[] = [];
  if (selection.scope === 'service') {
    charts.push({
      id: 'uses-per-week',
      kpi: 'uses',
      unit: 'count',
      points: of('uses', 'week').map((r) => pointOf(r)),
    });
  } else {
    charts.push({
      id: 'uses-per-week',
      kpi: 'uses-per-week',
      unit: 'rate',
      points: of('uses-per-week', 'week').map((r) => pointOf(r)),
    });
    charts.push({
      id: 'uses-per-device-day-m4',
      kpi: 'uses-per-device-day-m4',
      unit: 'rate',
      points: of('uses-per-device-day-m4', 'month').map((r) => pointOf(r)),
    });
  }
  // Reach is a figure of the whole period, per site: the selected site, or every site and the total.
  const reach = rows
    .filter(
      (r) =>
        r.kpi === 'parcel-reach' &&
        r.periodKind === 'total' &&
        (selection.scope === 'site'
          ? r.scope === 'site' && r.scopeId === selection.scopeId
          : selection.scope === 'total'),
    )
    .sort((a, b) =>
      a.scope === b.scope ? a.scopeId.localeCompare(b.scopeId) : a.scope === 'total' ? 1 : -1,
    );
  if (reach.length > 0) {
    charts.push({
      id: 'parcel-reach',
      kpi: 'parcel-reach',
      unit: 'share',
      points: reach.map((r) => pointOf(r, r.scope === 'total' ? 'all' : r.scopeId)),
    });
  }
  return charts;
}

/** What both renderers draw, in their own coordinates (origin top left). */
export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bars: { x: number; y: number; width: number; height: number; index: number; partial: boolean }[];
  /** One segment per point with a target; neighbours with the same target join up. */
  targets: { x1: number; x2: number; y: number; value: number }[];
  yTicks: { y: number; value: number }[];
  xLabels: { x: number; label: string }[];
}

/** A "nice" axis maximum and step: 1, 2 or 5 times a power of ten, about five steps. */
function niceAxis(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step };
}

export function chartGeometry(chart: Chart, width: number, height: number): ChartGeometry {
  const plot = { left: 56, top: 12, right: width - 12, bottom: height - 40 };
  const values = chart.points.flatMap((p) => [p.value ?? 0, p.target ?? 0]);
  const { top, step } = niceAxis(Math.max(0, ...values) * 1.05);
  const y = (value: number) => plot.bottom - (value / top) * (plot.bottom - plot.top);
  const slot = (plot.right - plot.left) / Math.max(1, chart.points.length);
  const barWidth = Math.max(1, slot * 0.7);
  const bars: ChartGeometry['bars'] = [];
  const targets: ChartGeometry['targets'] = [];
  chart.points.forEach((point, index) => {
    const x = plot.left + index * slot;
    if (point.value !== null && point.value > 0) {
      const yTop = y(point.value);
      bars.push({
        x: x + (slot - barWidth) / 2,
        y: yTop,
        width: barWidth,
        height: plot.bottom - yTop,
        index,
        partial: point.partial,
      });
    }
    if (point.target !== null) {
      const last = targets.at(-1);
      if (last && last.value === point.target && Math.abs(last.x2 - x) < 0.01) last.x2 = x + slot;
      else targets.push({ x1: x, x2: x + slot, y: y(point.target), value: point.target });
    }
  });
  const yTicks: ChartGeometry['yTicks'] = [];
  for (let value = 0; value <= top + step / 2; value += step) {
    yTicks.push({ y: y(value), value: Number(value.toPrecision(6)) });
  }
  // At most about twelve labels below the axis: every n-th point.
  const every = Math.max(1, Math.ceil(chart.points.length / 12));
  const xLabels = chart.points
    .map((point, index) => ({ x: plot.left + index * slot + slot / 2, label: point.label, index }))
    .filter((label) => label.index % every === 0)
    .map(({ x, label }) => ({ x, label }));
  return { width, height, plot, bars, targets, yTicks, xLabels };
}

/** Numbers as people read them: shares in per cent, others with up to two decimals. */
export function numberFormatter(locale: string) {
  const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  return (value: number, unit: Chart['unit'] | string) =>
    unit === 'share' ? percent.format(value) : plain.format(value);
}
