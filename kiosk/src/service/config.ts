import { readFileSync } from 'node:fs';
import { DEFAULT_TIME_ZONE, isTimeZone } from '@amtomat/admin-sync/protocol';
import { err, ok, type Result } from '@amtomat/basics';
import { lockerConfigSchema } from '@amtomat/locker-controller';
import { hidSelectorSchema } from '@amtomat/locker-controller/devices';
import { z } from 'zod';

/** How an input device is reached; `none` where a site has no such device. */
const deviceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hid'), selector: hidSelectorSchema }),
  z.object({ kind: z.literal('none') }),
]);

const hasNoPath = (url: string) => {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && parsed.search === '' && parsed.hash === '';
  } catch {
    return true; // the URL check reports it
  }
};

/**
 * One site's configuration (installers/sites/*.json): the lock boards and compartments,
 * the input devices, the session timers. Validated on start; a bad file names its field.
 */
export const siteConfigSchema = z
  .object({
    /** The editor's schema (installers/site.schema.json, generated from this one). */
    $schema: z.string().optional(),
    site: z.object({
      id: z.string().regex(/^[a-z0-9-]{2,40}$/),
      name: z.string().min(1).max(80),
      /** Named to a courier when this station is full. */
      nearestOtherStation: z.string().max(120).optional(),
      /** Times on screen (staff menu, receipts) are shown in this IANA zone. */
      timeZone: z
        .string()
        .refine(isTimeZone, 'not a time zone; use an IANA name such as Europe/Berlin')
        .default(DEFAULT_TIME_ZONE),
    }),
    locker: lockerConfigSchema,
    /** Per compartment: height of its floor and whether it is in reach from a wheelchair. */
    compartments: z
      .record(
        z.string(),
        z
          .object({
            heightCm: z.number().int().min(0).max(250),
            accessible: z.boolean(),
            purpose: z.enum(['pickup', 'drop-off']).default('pickup'),
          })
          .strict(),
      )
      .default({}),
    devices: z
      .object({ cardReader: deviceSchema, scanner: deviceSchema })
      .default({ cardReader: { kind: 'none' }, scanner: { kind: 'none' } }),
    timers: z
      .object({
        inactivityMs: z.number().int().min(10_000),
        warningMs: z.number().int().min(5_000),
        returnHomeMs: z.number().int().min(5_000),
        maxExtensions: z.number().int().min(10),
        staffTimeoutMs: z.number().int().min(30_000),
        reopenGraceMs: z.number().int().min(0),
      })
      .partial()
      .strict()
      .default({}),
    /**
     * The fleet server (admin-sync). Absent: the terminal works alone, its outbox waits.
     * The token is used once, at the first start; the device identity then lives in
     * `<dataDir>/sync/`.
     */
    sync: z
      .object({
        /** The server's origin, no path (the agent signs the server's own paths). */
        url: z
          .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
          .refine(hasNoPath, 'must be the server origin, without a path or query'),
        enrolmentToken: z.string().min(1).max(200).optional(),
        /** Between successful cycles; default 30 s. */
        intervalMs: z.number().int().min(1_000).max(86_400_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A typo in a label here would silently give that door the default height and purpose.
    const labels = new Set(config.locker.compartments.map((compartment) => compartment.label));
    for (const label of Object.keys(config.compartments)) {
      if (labels.has(label)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['compartments', label],
        message: `no compartment ${label} in locker.compartments`,
      });
    }
  });

export type SiteConfig = z.infer<typeof siteConfigSchema>;

/** Reads and validates a site file; the error is one line naming each wrong field. */
export function loadSiteConfig(path: string): Result<SiteConfig, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
    return err(`site file ${path}: ${reason}`);
  }
  const parsed = siteConfigSchema.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((issue) => describeIssue(raw, issue));
  return err(`site file ${path} is not valid: ${problems.join('; ')}`);
}

/** Names the entries of the locker's lists by what is written on them, not by position. */
const LISTS: Record<string, { noun: string; key: string }> = {
  compartments: { noun: 'compartment', key: 'label' },
  buses: { noun: 'bus', key: 'id' },
};

/**
 * `compartment A3 (locker.compartments): lock: missing` rather than
 * `locker.compartments.2.lock: Invalid input`: an installer finds a door by its label.
 */
function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  const absent = valueAt(raw, issue.path) === undefined;
  const message =
    absent && issue.code === 'invalid_type'
      ? 'missing'
      : absent && issue.path.length > 0
        ? `missing (${issue.message})`
        : issue.message;
  const list = path[0] === 'locker' && path.length > 2 ? LISTS[path[1]!] : undefined;
  if (!list) return `${path.join('.') || '(top level)'}: ${message}`;
  const name = valueAt(raw, [...issue.path.slice(0, 3), list.key]);
  const entry =
    typeof name === 'string' && name !== ''
      ? `${list.noun} ${name}`
      : `${list.noun} no. ${Number(path[2]) + 1}`;
  const field = path.slice(3).join('.');
  return `${entry} (locker.${path[1]})${field ? `: ${field}` : ''}: ${message}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
