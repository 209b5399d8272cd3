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
      'Circuity (Umwegfaktor), road / straight-line distance. Wikibooks, "Transportation Geography ' +
      'and Network Science/Circuity" (2024), https://en.wikibooks.org/wiki/Transportation_Geography_and_Network_Science/Circuity: ' +
      "about 1.2 in towns (Newell 1980), 1.21-1.23 around stations (O'Sullivan 1996), national " +
      'values in Ballou, Rahardja, Sakai (2002), Transportation Research Part A 36(9):843-848; ' +
      'Kim, Shin, Lee, Suh (2015), J. Korean Soc. Agricultural Engineers 57(4):39-49, ' +
      'http://grec.snu.ac.kr/publications/: 1.26 for South Korea, the EU higher. 1.3 for a rural district',
  },
  co2GramsPerCarKm: {
    value: 166,
    source:
      'Umweltbundesamt (UBA), "Emissionsdaten" (TREMOD, Transport Emission Model), ' +
      'https://www.umweltbundesamt.de/themen/verkehr-laerm/emissionsdaten: greenhouse gases of a ' +
      'car per passenger-km, German fleet, reference year 2022, occupancy 1.4 (g CO2e/Pkm, with ' +
      'the fuel chain; per Pkm, i.e. the visitor’s share of an average car trip). Cross-check: TREMOD 6.02, 147 g CO2/Pkm at 1.5 persons per car ' +
      '(Bundesregierung, Deutsche Nachhaltigkeitsstrategie, "Mit dem ÖPNV das Klima schützen", ' +
      'https://nachhaltigkeitsstrategie.de/strategie/projekte/detail-1/mit-dem-oepnv-das-klima-schuetzen)',
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
