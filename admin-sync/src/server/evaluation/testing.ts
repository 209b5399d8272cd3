/** Test data of the evaluation: one visit as the terminal reports it (`usage-session`). */
import { randomUUID } from 'node:crypto';

/** A visit that ended at `endedAt` after a minute, with nothing but `fields` set. */
export const usageSession = (
  endedAt: number,
  fields: Partial<Record<string, unknown>> & { service: string | null; outcome: string },
) => ({
  sessionId: randomUUID(),
  language: 'de',
  largeText: false,
  highContrast: false,
  speech: false,
  reason: null,
  abandonStep: null,
  startedAt: endedAt - 60_000,
  endedAt,
  durationMs: 60_000,
  extensions: 0,
  reopened: 0,
  wrongEntries: 0,
  doorFaults: 0,
  satisfaction: null,
  alternative: null,
  distanceBand: null,
  ...fields,
});
