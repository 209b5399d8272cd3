/**
 * What the evaluation needs to know beyond the events (issue #13): each terminal's site and
 * installation date, site coordinates, the residents near each parcel station, the
 * parameters of the route reduction — each with its source, printed in the export — and the
 * small-cell threshold. A JSON file (`--evaluation-config FILE`); every field has a default.
 */
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const point = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });
const parameter = z.object({ value: z.number().nonnegative(), source: z.string().min(1) });

/** The route reduction's parameters; each is printed with its source in the export. */
export const DEFAULT_PARAMETERS = {
  detourFactor: {
    value: 1.3,
    source:
      'Road vs straight-line distance, about 1.3 (circuity factor; Ballou, Rahardja, Sakai 2002, ' +
      'Transportation Research Part A 36(9)); to be checked for the district',
  },
  co2GramsPerCarKm: {
    value: 166,
    source:
      'Umweltbundesamt, TREMOD: greenhouse gases of a passenger car per passenger-km, reference ' +
      'year 2022 (g CO2e/Pkm); to be checked against the current edition',
  },
};

export const EvaluationConfigSchema = z
  .object({
    /** Counts of people below this are suppressed (3 is German official statistics' minimum). */
    suppressionThreshold: z.number().int().min(3).max(100).default(5),
    /** Terminals by their name (the console's label). */
    terminals: z
      .record(
        z.string(),
        z
          .object({
            site: z.string().min(1).optional(),
            /** Counted from here: uses per device and day, month 4 onward, reach years. */
            installedOn: day.optional(),
          })
          .strict(),
      )
      .default({}),
    sites: z
      .record(
        z.string(),
        z
          .object({
            location: point.optional(),
            /** The Bürgerbüro a counter visit would have gone to. */
            office: point.optional(),
            /** Residents within 1 km of the station, e.g. from the Zensus 2022 100 m grid. */
            residentsWithin1km: z.number().int().positive().optional(),
            residentsSource: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default({}),
    parameters: z
      .object({
        detourFactor: parameter.default(DEFAULT_PARAMETERS.detourFactor),
        co2GramsPerCarKm: parameter.default(DEFAULT_PARAMETERS.co2GramsPerCarKm),
      })
      .strict()
      .default(DEFAULT_PARAMETERS),
    timeZone: z.string().min(1).default('Europe/Berlin'),
  })
  .strict();
export type EvaluationConfig = z.infer<typeof EvaluationConfigSchema>;

export const defaultEvaluationConfig = (): EvaluationConfig => EvaluationConfigSchema.parse({});

/** Reads the file; a mistake is one line naming the field. */
export function loadEvaluationConfig(file: string): Result<EvaluationConfig, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return err(`${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  const parsed = EvaluationConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return err(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return ok(parsed.data);
}
