/**
 * No personal data in any event a terminal sends (issue #13): every event type's schema is
 * walked field by field; a field named like a code, name, date of birth, phone, e-mail or
 * address may exist only as a closed set of values (a reason code), never as free text.
 * The usage events are strict: an extra field is refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { EVENT_TYPES, eventPayloadSchemas } from './events.ts';
import { USAGE_EVENT_TYPES, usagePayloadSchemas } from './usage.ts';

const PERSONAL =
  /code|name|birth|dob|phone|mobile|mail|address|street|house|zip|postcode|city|contact/i;
/** Schema kinds that cannot carry a person's data: a closed set or a flag. */
const CLOSED = new Set(['enum', 'literal', 'boolean']);

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
const defOf = (schema: z.ZodType) => (schema as unknown as { def: Def }).def;

/** Unwraps nullable/optional/default to the schema underneath. */
function core(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  return def.innerType ? core(def.innerType) : schema;
}

/** Field paths whose name suggests personal data and whose schema is open (text, numbers). */
export function personalFields(schema: z.ZodType, path = ''): string[] {
  const inner = core(schema);
  const def = defOf(inner);
  if (def.type === 'array') {
    return personalFields((inner as unknown as { element: z.ZodType }).element, `${path}[]`);
  }
  if (def.type !== 'object') return [];
  const shape = (inner as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).flatMap(([name, field]) => {
    const at = path ? `${path}.${name}` : name;
    const open = !CLOSED.has(defOf(core(field)).type);
    return [...(PERSONAL.test(name) && open ? [at] : []), ...personalFields(field, at)];
  });
}

describe('no personal data in events', () => {
  test('the check finds a personal field, also nested and in arrays, and lets reason codes pass', () => {
    const bad = z.object({
      service: z.string(),
      email: z.string().nullable(),
      visit: z.object({ dateOfBirth: z.string().optional() }),
      people: z.array(z.object({ lastName: z.string() })),
      code: z.enum(['wrong-code', 'timeout']),
    });
    assert.deepEqual(personalFields(bad), ['email', 'visit.dateOfBirth', 'people[].lastName']);
  });

  test('every event type, business and usage, is free of personal fields', () => {
    assert.ok(EVENT_TYPES.length >= 12, 'all event types are walked');
    for (const type of EVENT_TYPES) {
      assert.deepEqual(personalFields(eventPayloadSchemas[type]), [], type);
    }
  });

  test('usage events are strict: an extra field (a name, say) is refused', () => {
    const samples: Record<(typeof USAGE_EVENT_TYPES)[number], Record<string, unknown>> = {
      'usage-session': {
        sessionId: '2f1d6c1e-6a8b-4d5e-9f00-0c1b2a3d4e5f',
        service: 'parcel-pickup',
        language: 'de-easy',
        largeText: false,
        highContrast: false,
        speech: true,
        outcome: 'abandoned',
        reason: null,
        abandonStep: 'code',
        startedAt: 1,
        endedAt: 2,
        durationMs: 1,
        extensions: 0,
        reopened: 0,
        wrongEntries: 2,
        doorFaults: 0,
        satisfaction: null,
        alternative: 'counter-car',
        distanceBand: '5-10',
      },
      'usage-application': {
        sessionId: '2f1d6c1e-6a8b-4d5e-9f00-0c1b2a3d4e5f',
        form: 'hund-anmelden',
        formVersion: '1.2',
        event: 'abandoned',
        step: 'dog',
        durationMs: 41_000,
        at: 3,
      },
      'usage-staff': { task: 'load', itemKind: 'document', items: 1, durationMs: 1, at: 1 },
      'usage-courier': { size: 'M', durationMs: 1, at: 1 },
    };
    for (const type of USAGE_EVENT_TYPES) {
      const schema = usagePayloadSchemas[type];
      assert.ok(schema.safeParse(samples[type]).success, `${type}: the sample is valid`);
      assert.equal(schema.safeParse({ ...samples[type], name: 'Erika' }).success, false, type);
    }
    // A retrieval round (the kiosk's `staff-retrieve`): no staff id may ride along.
    const round = { task: 'retrieve', itemKind: null, items: 3, durationMs: 90_000, at: 1 };
    assert.ok(usagePayloadSchemas['usage-staff'].safeParse(round).success);
    for (const extra of [{ staffId: 'staff-anna' }, { staff: 'staff-anna' }]) {
      assert.equal(
        usagePayloadSchemas['usage-staff'].safeParse({ ...round, ...extra }).success,
        false,
      );
    }
    const typed = { ...samples['usage-session'], reason: 'code 1234' };
    assert.equal(usagePayloadSchemas['usage-session'].safeParse(typed).success, false);
    // An application's step is the catalogue's step id, never an answer typed into it.
    for (const step of ['Müller', 'erika@example.org', '01.02.1990', 'Hauptstraße 1']) {
      const answer = { ...samples['usage-application'], step };
      assert.equal(usagePayloadSchemas['usage-application'].safeParse(answer).success, false, step);
    }
  });
});
