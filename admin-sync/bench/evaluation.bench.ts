/**
 * Evaluation benchmark (issue #13). Prints one JSON object per line.
 *
 *   evaluation_export_s  `export-evaluation` from SQLite: read, KPIs, suppression, CSVs,
 *                        datapackage.json and the PDF report. Median of the runs.
 *     - the simulated year: six terminals, seed 2026, hourly status reports, filled through
 *       the server's event path (as terminals push);
 *     - 100 terminals × 3 years: the same simulation written straight into the evaluation
 *       tables (`fill: 'tables'`; simulate.test.ts shows it gives the event path's KPIs),
 *       since the event path would take about half an hour to fill it.
 *   The fill is not timed; its time is printed as `fill_s` for context.
 *   evaluation_page_figures_ms  the console's evaluation page figures for the simulated year:
 *                        cold (computed) vs warm (from the cache, evaluation/cache.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKpiCache } from '../src/server/evaluation/cache.ts';
import { EvaluationConfigSchema } from '../src/server/evaluation/config.ts';
import { exportEvaluation } from '../src/server/evaluation/export.ts';
import { simulateEvaluation } from '../src/server/evaluation/simulate.ts';
import { openSqliteStorage } from '../src/server/index.ts';

/**
 * evaluation_page_figures_ms: the evaluation page's figures for the period, first without the
 * cache (cold: computed and suppressed) and then from it (warm: the version check only).
 */
async function measureCache(
  storage: Awaited<ReturnType<typeof openSqliteStorage>>,
  period: { from: string; to: string },
  config: ReturnType<typeof EvaluationConfigSchema.parse>,
) {
  const cache = createKpiCache({ sql: storage.sql, config, now: Date.now });
  const cold = performance.now();
  await cache.figures(period);
  const cold_ms = performance.now() - cold;
  const warm: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    await cache.figures(period);
    warm.push(performance.now() - start);
  }
  warm.sort((a, b) => a - b);
  print({
    bench: 'evaluation_page_figures_ms',
    storage: 'sqlite',
    cold_ms: Number(cold_ms.toFixed(1)),
    warm_median_ms: Number(warm[2]!.toFixed(2)),
    hits: cache.stats.hits,
  });
}

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function measure(options: {
  terminals: number;
  from: string;
  to: string;
  fill: 'events' | 'tables';
  runs: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-evaluation-'));
  try {
    const storage = await openSqliteStorage(join(dir, 'fleet.sqlite'));
    const period = { from: options.from, to: options.to };
    const fillStart = performance.now();
    const simulated = await simulateEvaluation(storage, {
      ...period,
      terminals: options.terminals,
      seed: 2026,
      fill: options.fill,
    });
    const fill_s = (performance.now() - fillStart) / 1000;
    const config = EvaluationConfigSchema.parse(simulated.config);
    const runs: number[] = [];
    let figures = 0;
    for (let run = 0; run < options.runs; run++) {
      const start = performance.now();
      const result = await exportEvaluation(storage.sql, {
        ...period,
        out: join(dir, `out-${run}`),
        config,
        now: Date.now(),
      });
      if (!result.ok) throw new Error(result.error);
      runs.push((performance.now() - start) / 1000);
      figures = result.value.rows;
    }
    runs.sort((a, b) => a - b);
    print({
      bench: 'evaluation_export_s',
      storage: 'sqlite',
      terminals: options.terminals,
      days: Math.round((Date.parse(options.to) - Date.parse(options.from)) / 86_400_000) + 1,
      events: simulated.events,
      figures,
      fill: options.fill,
      median_s: Number(runs[Math.floor(runs.length / 2)]!.toFixed(3)),
      runs: runs.length,
      fill_s: Number(fill_s.toFixed(1)),
    });
    if (options.fill === 'events') await measureCache(storage, period, config);
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await measure({ terminals: 6, from: '2026-01-01', to: '2026-12-31', fill: 'events', runs: 3 });
await measure({ terminals: 100, from: '2026-01-01', to: '2028-12-31', fill: 'tables', runs: 1 });
