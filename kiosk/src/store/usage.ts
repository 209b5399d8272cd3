/**
 * Which usage facts leave the terminal, and as what (issue #13). The store records every
 * fact locally (`usage_events`) and, in the same transaction, queues the evaluation's
 * event in the outbox: the agent delivers it exactly once like every other event. The
 * payload is built from an allow-list of fields and checked against the protocol's strict
 * schema, so nothing else (let alone personal data) can leave with it.
 */
import {
  DISTANCE_BANDS,
  SURVEY_ALTERNATIVES,
  type UsageEventType,
  usagePayloadSchemas,
} from '@amtomat/admin-sync/protocol';
import type { Logger } from '@amtomat/basics';
import type { Db } from './db.ts';
import type { JsonValue } from './types.ts';

type Data = Record<string, JsonValue | undefined>;

const TOKEN = /^[a-z][a-z0-9-]{0,63}$/;
const tokenOf = (value: JsonValue | undefined) =>
  typeof value === 'string' && TOKEN.test(value) ? value : null;
const numberOf = (value: JsonValue | undefined) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : null;
/** A visit left standing overnight is still one visit: durations are capped at a day. */
const durationOf = (value: JsonValue | undefined) => {
  const ms = numberOf(value);
  return ms === null ? null : Math.min(ms, 86_400_000);
};
const oneOf = <T extends string>(values: readonly T[], value: JsonValue | undefined): T | null =>
  typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : null;

/** A session's outcome as the evaluation counts it: an interrupted visit is its own outcome. */
function outcomeOf(data: Data) {
  if (data.outcome === 'failed' && data.reason === 'interrupted') return 'interrupted';
  return oneOf(['completed', 'abandoned', 'timed-out', 'failed'] as const, data.outcome);
}

/** Wrong codes typed and doors that failed during the visit (one visit at a time per terminal). */
function errorsDuring(db: Db, sessionId: string, from: number, to: number) {
  const wrongEntries = db
    .prepare('SELECT count(*) AS n FROM code_failures WHERE at >= ? AND at <= ?')
    .get(from, to) as { n: number };
  const doorFaults = db
    .prepare("SELECT count(*) AS n FROM door_intents WHERE session_id = ? AND state = 'failed'")
    .get(sessionId) as { n: number };
  return { wrongEntries: wrongEntries.n, doorFaults: doorFaults.n };
}

function sessionPayload(
  db: Db,
  sessionId: string,
  service: string | null,
  data: Data,
  now: number,
) {
  const durationMs = durationOf(data.durationMs);
  const startedAt = Math.max(0, now - (durationMs ?? 0));
  const outcome = outcomeOf(data);
  const steps = typeof data.steps === 'string' ? data.steps.split(',') : [];
  const gaveUp = outcome === 'abandoned' || outcome === 'timed-out';
  return {
    sessionId,
    service: tokenOf(service),
    language: typeof data.language === 'string' ? data.language : 'de',
    largeText: data.largeText === true,
    highContrast: data.highContrast === true,
    speech: data.speech === true,
    outcome,
    reason: outcome === 'interrupted' ? null : tokenOf(data.reason),
    abandonStep: gaveUp ? tokenOf(steps.at(-1) ?? null) : null,
    startedAt,
    endedAt: now,
    durationMs,
    extensions: numberOf(data.extensions) ?? 0,
    reopened: numberOf(data.reopened) ?? 0,
    ...errorsDuring(db, sessionId, startedAt, now),
    satisfaction: numberOf(data.satisfaction),
    alternative: oneOf(SURVEY_ALTERNATIVES, data.alternative),
    distanceBand: oneOf(DISTANCE_BANDS, data.distanceBand),
  };
}

/** The outbox event for a recorded usage fact, or undefined when the fleet does not take it. */
export function usageOutboxEvent(
  db: Db,
  fact: { sessionId: string; type: string; service: string | null; data: Data },
  now: number,
  logger: Logger,
): { type: UsageEventType; payload: Record<string, unknown> } | undefined {
  const { data } = fact;
  let type: UsageEventType;
  let payload: Record<string, unknown>;
  switch (fact.type) {
    case 'session-ended':
      type = 'usage-session';
      payload = sessionPayload(db, fact.sessionId, fact.service, data, now);
      break;
    case 'staff-load':
      type = 'usage-staff';
      payload = {
        task: 'load',
        itemKind: tokenOf(data.kind),
        items: 1,
        durationMs: durationOf(data.durationMs),
        at: now,
      };
      break;
    case 'staff-retrieve':
      // One round: start = at − durationMs, end = at; the items staff confirmed taken out.
      type = 'usage-staff';
      payload = {
        task: 'retrieve',
        itemKind: null,
        items: numberOf(data.items) ?? 0,
        durationMs: durationOf(data.durationMs),
        at: now,
      };
      break;
    case 'courier-deposit':
      type = 'usage-courier';
      payload = {
        size: oneOf(['S', 'M', 'L', 'XL'] as const, data.size),
        durationMs: durationOf(data.durationMs),
        at: now,
      };
      break;
    case 'application-started':
    case 'application-step':
    case 'application-abandoned':
    case 'application-submitted':
      type = 'usage-application';
      payload = {
        sessionId: fact.sessionId,
        form: tokenOf(fact.service),
        formVersion: data.formVersion,
        event: fact.type.slice('application-'.length),
        step: tokenOf(data.step),
        durationMs: durationOf(data.durationMs),
        at: now,
      };
      break;
    default:
      return undefined; // session-started and the like: the session's end says it all
  }
  const parsed = usagePayloadSchemas[type].safeParse(payload);
  if (!parsed.success) {
    // A bug here, not a person's doing: keep the local record, send nothing doubtful.
    logger.log('warn', 'store.usage-not-sent', {
      type,
      issues: parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.code}`)
        .join('; '),
    });
    return undefined;
  }
  return { type, payload: parsed.data };
}
