/**
 * `export-evaluation` and `simulate-evaluation` (issue #13): options checked into one line
 * each, then the export (Data Package in --out) or the simulation (into an empty database,
 * with the evaluation config that fits it written beside the data).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import type { FleetStorage } from '../storage/storage.ts';
import { defaultEvaluationConfig, type EvaluationConfig, loadEvaluationConfig } from './config.ts';
import { exportEvaluation } from './export.ts';
import { simulateEvaluation } from './simulate.ts';

export interface EvaluationOptions {
  from: string;
  to: string;
  out: string | undefined;
  /** The config file: given, or `<data>/evaluation.json` when it exists. */
  configFile: string | undefined;
  terminals: number;
  seed: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (text: string) => DAY.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));

export function checkEvaluationOptions(
  command: 'export-evaluation' | 'simulate-evaluation',
  given: {
    from?: string | undefined;
    to?: string | undefined;
    out?: string | undefined;
    config?: string | undefined;
    terminals?: string | undefined;
    seed?: string | undefined;
  },
  dataDir: string | undefined,
): Result<EvaluationOptions, string> {
  if (!given.from || !isDay(given.from)) return err(`${command} needs --from YYYY-MM-DD`);
  if (!given.to || !isDay(given.to)) return err(`${command} needs --to YYYY-MM-DD`);
  if (given.from > given.to) return err(`--from ${given.from} is after --to ${given.to}`);
  if (command === 'export-evaluation' && !given.out)
    return err('export-evaluation needs --out DIR');
  const terminals = Number(given.terminals ?? '6');
  if (!Number.isInteger(terminals) || terminals < 1 || terminals > 1000) {
    return err(`--terminals must be a whole number between 1 and 1000 (got "${given.terminals}")`);
  }
  const seed = Number(given.seed ?? '2026');
  if (!Number.isInteger(seed) || seed < 0)
    return err(`--seed must be a whole number (got "${given.seed}")`);
  const fallback = dataDir ? join(dataDir, 'evaluation.json') : undefined;
  const configFile =
    given.config ??
    (command === 'export-evaluation' && fallback && existsSync(fallback) ? fallback : undefined);
  return ok({
    from: given.from,
    to: given.to,
    out: given.out === undefined ? undefined : resolve(given.out),
    configFile: command === 'simulate-evaluation' ? (given.config ?? fallback) : configFile,
    terminals,
    seed,
  });
}

/** Runs the command; the value is the line to print. */
export async function runEvaluationCommand(
  command: 'export-evaluation' | 'simulate-evaluation',
  storage: FleetStorage,
  options: EvaluationOptions,
  now: number,
): Promise<Result<string, string>> {
  if (command === 'simulate-evaluation') {
    const devices = await storage.devices();
    if (devices.length > 0) {
      return err('simulate-evaluation fills an empty database only: use a new --data DIR');
    }
    const result = await simulateEvaluation(storage, {
      from: options.from,
      to: options.to,
      terminals: options.terminals,
      seed: options.seed,
    });
    if (options.configFile)
      writeFileSync(options.configFile, `${JSON.stringify(result.config, null, 2)}\n`);
    return ok(
      `simulated ${options.terminals} terminals, ${result.events} events` +
        (options.configFile ? `; evaluation config in ${options.configFile}` : ''),
    );
  }
  let config: EvaluationConfig = defaultEvaluationConfig();
  if (options.configFile) {
    const loaded = loadEvaluationConfig(options.configFile);
    if (!loaded.ok) return loaded;
    config = loaded.value;
  }
  const exported = await exportEvaluation(storage.sql, {
    from: options.from,
    to: options.to,
    out: options.out!,
    config,
    now,
  });
  if (!exported.ok) return exported;
  const { files, rows, suppressed } = exported.value;
  return ok(
    `wrote ${files.join(', ')} to ${options.out} (${rows} figures, ${suppressed} suppressed)`,
  );
}
