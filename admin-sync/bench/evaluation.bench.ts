/**
 * Evaluation benchmark (issue #13). Prints one JSON object per line.
 *
 *   evaluation_export_s  `export-evaluation` of the simulated year (six terminals, seed 2026,
 *                        hourly status reports) from SQLite: read, KPIs, suppression, CSVs
 *                        and datapackage.json. The fill (the simulation through the event
 *                        path) is not timed; its time is printed as `fill_s` for context.
 * Not yet measured: 100 terminals × 3 years (the fill through the event path takes too long
 * for `npm run bench`; a bulk fill is needed first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvaluationConfigSchema } from '../src/server/evaluation/config.ts';
import { exportEvaluation } from '../src/server/evaluation/export.ts';
import { simulateEvaluation } from '../src/server/evaluation/simulate.ts';
import { openSqliteStorage } from '../src/server/index.ts';

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const dir = mkdtempSync(join(tmpdir(), 'bench-evaluation-'));
try {
  const storage = await openSqliteStorage(join(dir, 'fleet.sqlite'));
  const period = { from: '2026-01-01', to: '2026-12-31' };
  const fillStart = performance.now();
  const simulated = await simulateEvaluation(storage, { ...period, terminals: 6, seed: 2026 });
  const fill_s = (performance.now() - fillStart) / 1000;
  const config = EvaluationConfigSchema.parse(simulated.config);
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const result = await exportEvaluation(storage.sql, {
      ...period,
      out: join(dir, `out-${run}`),
      config,
      now: Date.now(),
    });
    if (!result.ok) throw new Error(result.error);
    runs.push((performance.now() - start) / 1000);
  }
  runs.sort((a, b) => a - b);
  print({
    bench: 'evaluation_export_s',
    storage: 'sqlite',
    terminals: 6,
    days: 365,
    events: simulated.events,
    median_s: Number(runs[1]!.toFixed(3)),
    runs: runs.length,
    fill_s: Number(fill_s.toFixed(1)),
  });
  await storage.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
