/**
 * The evaluation page (issue #13), for evaluators and admins: the KPIs as SVG charts drawn on
 * the server with the same numbers in a table beneath each, targets as lines, filtered by
 * period, site or service. Only aggregates, after small-cell suppression — the same figures
 * as the research export; a suppressed cell shows "." as in official statistics.
 */
import type { FastifyInstance } from 'fastify';
import { createKpiCache, type KpiCache } from '../evaluation/cache.ts';
import { addDays, dayOfFn } from '../evaluation/calendar.ts';
import {
  type Chart,
  type ChartGeometry,
  type ChartSelection,
  chartGeometry,
  evaluationCharts,
  numberFormatter,
} from '../evaluation/charts.ts';
import { KPI_DEFINITIONS, type KpiRow } from '../evaluation/kpis.ts';
import { type ConsoleEnv, consolePath, EVALUATION_PATH, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { formFields, guard, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { englishCell, type FieldError, layout, selectField, textField } from './views.ts';

const PATH = consolePath(EVALUATION_PATH);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (text: string) => DAY.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
/** The longest period shown at once (computed on request, then kept: evaluation/cache.ts). */
const MAX_DAYS = 3 * 366;

const CHART_TEXT: Readonly<Record<Chart['id'], { title: MessageKey; axis: MessageKey }>> = {
  'uses-per-week': { title: 'evaluation.chart.usesPerWeek', axis: 'evaluation.axis.usesPerWeek' },
  'uses-per-device-day-m4': {
    title: 'evaluation.chart.usesPerDeviceDay',
    axis: 'evaluation.axis.usesPerDeviceDay',
  },
  'parcel-reach': { title: 'evaluation.chart.parcelReach', axis: 'evaluation.axis.parcelReach' },
};

interface Filter {
  from: string;
  to: string;
  site: string;
  service: string;
}

/** The filter asked for; without dates the last twelve months up to today. */
function readFilter(query: Record<string, string>, today: string): Filter {
  const to = query.to?.trim() || today;
  const from = query.from?.trim() || `${addDays(isDay(to) ? to : today, -364).slice(0, 7)}-01`;
  return { from, to, site: query.site ?? '', service: query.service ?? '' };
}

function checkFilter(view: SignedView, filter: Filter): FieldError[] {
  const { t } = view;
  const errors: FieldError[] = [];
  if (!isDay(filter.from)) errors.push({ field: 'from', message: t('evaluation.error.date') });
  if (!isDay(filter.to)) errors.push({ field: 'to', message: t('evaluation.error.date') });
  if (errors.length > 0) return errors;
  if (filter.from > filter.to) errors.push({ field: 'from', message: t('evaluation.error.order') });
  else if (Date.parse(filter.to) - Date.parse(filter.from) > MAX_DAYS * 86_400_000) {
    errors.push({ field: 'from', message: t('evaluation.error.tooLong') });
  }
  if (filter.site && filter.service)
    errors.push({ field: 'service', message: t('evaluation.error.siteAndService') });
  return errors;
}

function svgChart(view: SignedView, chart: Chart, id: string): SafeHtml {
  const { t } = view;
  const format = numberFormatter(view.lang === 'de' ? 'de-DE' : 'en-GB');
  const g: ChartGeometry = chartGeometry(chart, 720, 260);
  const { plot } = g;
  return html`<svg class="chart" viewBox="0 0 ${g.width} ${g.height}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${t(CHART_TEXT[chart.id].title)}</title>
<desc id="${id}-desc">${t('evaluation.chartDesc')}</desc>
${g.yTicks.map(
  (tick) =>
    html`<line x1="${plot.left}" x2="${plot.right}" y1="${tick.y.toFixed(1)}" y2="${tick.y.toFixed(1)}" stroke="#c8c8c8" stroke-width="1"/><text x="${plot.left - 6}" y="${(tick.y + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="#1a1a1a">${format(tick.value, chart.unit)}</text>`,
)}
${g.bars.map((bar) =>
  bar.partial
    ? html`<rect x="${bar.x.toFixed(1)}" y="${bar.y.toFixed(1)}" width="${bar.width.toFixed(1)}" height="${bar.height.toFixed(1)}" fill="#ffffff" stroke="#1d4f91" stroke-width="2" stroke-dasharray="4 2" class="partial"/>`
    : html`<rect x="${bar.x.toFixed(1)}" y="${bar.y.toFixed(1)}" width="${bar.width.toFixed(1)}" height="${bar.height.toFixed(1)}" fill="#1d4f91"/>`,
)}
${g.targets.map(
  (line) =>
    html`<line x1="${line.x1.toFixed(1)}" x2="${line.x2.toFixed(1)}" y1="${line.y.toFixed(1)}" y2="${line.y.toFixed(1)}" stroke="#b00020" stroke-width="2.5" stroke-dasharray="8 4"/>`,
)}
<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#1a1a1a" stroke-width="1.5"/>
${g.xLabels.map(
  (label) =>
    html`<text x="${label.x.toFixed(1)}" y="${plot.bottom + 16}" text-anchor="middle" font-size="11" fill="#1a1a1a">${label.label}</text>`,
)}
<text x="${plot.left}" y="${g.height - 6}" font-size="12" fill="#1a1a1a">${t(CHART_TEXT[chart.id].axis)}</text>
</svg>`;
}

/** The chart's numbers: the accessible equivalent of the drawing. */
function chartTable(view: SignedView, chart: Chart): SafeHtml {
  const { t } = view;
  const format = numberFormatter(view.lang === 'de' ? 'de-DE' : 'en-GB');
  const label = (text: string) => (text === 'all' ? t('evaluation.all') : text);
  return html`<table class="chart-table">
<caption>${t('evaluation.tableOf', { chart: t(CHART_TEXT[chart.id].title) })}</caption>
<thead><tr><th scope="col">${t(chart.id === 'parcel-reach' ? 'evaluation.site' : 'evaluation.period')}</th><th scope="col">${t('evaluation.value')}</th><th scope="col">${t('evaluation.target')}</th></tr></thead>
<tbody>${chart.points.map(
    (p) =>
      html`<tr><th scope="row">${label(p.label)}${p.partial ? html` <span class="hint">(${t('evaluation.partialWeek')})</span>` : ''}</th><td>${p.suppressed ? html`<abbr title="${t('evaluation.suppressedCell')}">.</abbr>` : p.value === null ? '–' : format(p.value, chart.unit)}</td><td>${p.target === null ? '–' : format(p.target, chart.unit)}</td></tr>`,
  )}</tbody>
</table>`;
}

/** Every KPI of the selection over the whole period, with the count it rests on. */
function summaryTable(view: SignedView, rows: readonly KpiRow[], selection: ChartSelection) {
  const { t } = view;
  const format = numberFormatter(view.lang === 'de' ? 'de-DE' : 'en-GB');
  const shown = rows.filter(
    (r) =>
      r.scope === selection.scope && r.scopeId === selection.scopeId && r.periodKind === 'total',
  );
  const byKpi = new Map(KPI_DEFINITIONS.map((d, i) => [d.id, { d, i }]));
  shown.sort(
    (a, b) =>
      (byKpi.get(a.kpi)?.i ?? 0) - (byKpi.get(b.kpi)?.i ?? 0) ||
      a.breakdown.localeCompare(b.breakdown),
  );
  const cell = (row: KpiRow, value: number | null, unit: string) =>
    row.suppressed
      ? html`<abbr title="${t('evaluation.suppressedCell')}">.</abbr>`
      : value === null
        ? '–'
        : format(value, unit);
  return html`<table>
<caption>${t('evaluation.summary')}</caption>
<thead><tr><th scope="col">${t('evaluation.kpi')}</th><th scope="col">${t('evaluation.value')}</th><th scope="col">${t('evaluation.unit')}</th><th scope="col">${t('evaluation.n')}</th><th scope="col">${t('evaluation.target')}</th></tr></thead>
<tbody>${shown.map((row) => {
    const def = byKpi.get(row.kpi)?.d;
    const name = def ? def[view.lang] : row.kpi;
    const unit = def?.unit ?? '';
    return html`<tr><th scope="row">${name}${row.breakdown ? html` <span class="hint">(${row.breakdown})</span>` : ''}</th><td>${cell(row, row.value, unit)}</td>${englishCell(view, unit === 'share' ? '%' : unit)}<td>${cell(row, row.n, 'count')}</td><td>${row.target === null ? '–' : format(row.target, unit)}</td></tr>`;
  })}</tbody>
</table>`;
}

async function evaluationPage(
  env: ConsoleEnv,
  cache: KpiCache,
  view: SignedView,
  filter: Filter,
  errors: FieldError[],
) {
  const { t } = view;
  const config = env.evaluation;
  const form = (
    sites: string[],
    services: string[],
  ) => html`<form method="get" action="${PATH}" class="filters" novalidate>
${textField({ name: 'from', label: t('evaluation.from'), value: filter.from, type: 'text', hint: t('evaluation.dateHint'), errors })}
${textField({ name: 'to', label: t('evaluation.to'), value: filter.to, type: 'text', hint: t('evaluation.dateHint'), errors })}
${selectField({ name: 'site', label: t('evaluation.site'), value: filter.site, errors, options: [{ value: '', label: t('evaluation.allSites') }, ...sites.map((s) => ({ value: s, label: s }))] })}
${selectField({ name: 'service', label: t('evaluation.service'), value: filter.service, errors, options: [{ value: '', label: t('evaluation.allServices') }, ...services.map((s) => ({ value: s, label: s }))] })}
<button type="submit">${t('evaluation.show')}</button>
</form>`;
  const intro = html`<p>${t('evaluation.intro', { threshold: config.suppressionThreshold })}</p>`;
  if (errors.length > 0) {
    return layout(view, { title: t('evaluation.title'), body: [intro, form([], [])], errors });
  }
  const computed = await cache.figures({ from: filter.from, to: filter.to });
  const rows = computed.shown;
  const sites = [...new Set(computed.terminals.map((x) => x.site))].sort();
  const services = [
    ...new Set(rows.filter((r) => r.scope === 'service').map((r) => r.scopeId)),
  ].sort();
  const selection: ChartSelection = filter.site
    ? { scope: 'site', scopeId: filter.site }
    : filter.service
      ? { scope: 'service', scopeId: filter.service }
      : { scope: 'total', scopeId: 'all' };
  const charts = evaluationCharts(rows, selection);
  const sections = charts.map(
    (chart, index) => html`<section aria-labelledby="chart-${index}-h">
<h2 id="chart-${index}-h">${t(CHART_TEXT[chart.id].title)}</h2>
${chart.points.length === 0 ? html`<p>${t('evaluation.noData')}</p>` : [svgChart(view, chart, `chart-${index}`), html`<p class="hint">${t('evaluation.legend')}${chart.points.some((p) => p.partial) ? html` ${t('evaluation.legendPartial')}` : ''}</p>`, chartTable(view, chart)]}
</section>`,
  );
  return layout(view, {
    title: t('evaluation.title'),
    body: [
      intro,
      form(sites, services),
      sections,
      html`<section aria-labelledby="summary-h"><h2 id="summary-h">${t('evaluation.summaryTitle')}</h2>${summaryTable(view, rows, selection)}</section>`,
    ],
  });
}

export function registerEvaluationRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  const today = () => dayOfFn(env.timeZone)(env.clock.now());
  const cache = createKpiCache({
    sql: env.storage.sql,
    config: env.evaluation,
    now: env.clock.now,
  });
  scope.get(
    EVALUATION_PATH,
    guard(env, 'evaluate', async (request, reply, view) => {
      const filter = readFilter(formFields(request.query), today());
      const errors = checkFilter(view, filter);
      return sendPage(
        reply,
        errors.length > 0 ? 400 : 200,
        await evaluationPage(env, cache, view, filter, errors),
      );
    }),
  );
}
