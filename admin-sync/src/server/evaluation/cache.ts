/**
 * The evaluation page's cache (issue #13): a year of KPIs takes seconds to compute, and the
 * page is asked for again and again with the same period. The computed and suppressed figures
 * are kept per period (a site or service filter is a view of the same figures) and dropped
 * when new data arrive: every push and status report moves the devices' `last_seen_at` or
 * `last_seq`, so a cheap look at the devices table says whether anything changed, also when
 * another process wrote it. A short lifetime covers writes that bypass the devices (a direct
 * fill of the evaluation tables).
 */
import type { SqlQueryable } from '../storage/driver.ts';
import type { EvaluationConfig } from './config.ts';
import { computeKpis, type KpiResult } from './kpis.ts';
import { suppressSmallCells } from './suppression.ts';

export interface EvaluationFigures extends KpiResult {
  /** The rows after small-cell suppression: what may be shown. */
  shown: KpiResult['rows'];
}

export interface KpiCache {
  figures(period: { from: string; to: string }): Promise<EvaluationFigures>;
  readonly stats: { hits: number; misses: number };
}

/** What changes with every event and status report a terminal sends. */
async function dataVersion(sql: SqlQueryable): Promise<string> {
  const [row] = await sql.all<{ n: number; seqs: number | null; seen: number | null }>(
    'SELECT COUNT(*) AS n, SUM(last_seq) AS seqs, MAX(last_seen_at) AS seen FROM devices',
  );
  return `${row?.n ?? 0}/${row?.seqs ?? 0}/${row?.seen ?? 0}`;
}

export function createKpiCache(options: {
  sql: SqlQueryable;
  config: EvaluationConfig;
  now: () => number;
  /** The longest a result is kept without a change seen (default 5 minutes). */
  ttlMs?: number;
  /** Periods kept at once (default 8); the oldest goes first. */
  max?: number;
}): KpiCache {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const max = options.max ?? 8;
  const entries = new Map<
    string,
    { version: string; at: number; figures: Promise<EvaluationFigures> }
  >();
  const stats = { hits: 0, misses: 0 };
  return {
    stats,
    async figures({ from, to }) {
      const key = `${from}/${to}`;
      const version = await dataVersion(options.sql);
      const now = options.now();
      const kept = entries.get(key);
      if (kept && kept.version === version && now - kept.at < ttlMs) {
        stats.hits += 1;
        entries.delete(key); // most recently used last
        entries.set(key, kept);
        return kept.figures;
      }
      stats.misses += 1;
      const figures = computeKpis(options.sql, { from, to, config: options.config }).then(
        (computed) => ({
          ...computed,
          shown: suppressSmallCells(
            computed.rows,
            computed.groups,
            options.config.suppressionThreshold,
          ),
        }),
      );
      entries.delete(key);
      entries.set(key, { version, at: now, figures });
      // A failed computation is not kept.
      figures.catch(() => {
        if (entries.get(key)?.figures === figures) entries.delete(key);
      });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return figures;
    },
  };
}
