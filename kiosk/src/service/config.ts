import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { DEFAULT_TIME_ZONE, isTimeZone } from '@amtomat/admin-sync/protocol';
import { err, ok, type Result } from '@amtomat/basics';
import { lockerConfigSchema } from '@amtomat/locker-controller';
import { hidSelectorSchema } from '@amtomat/locker-controller/devices';
import { z } from 'zod';
import {
  REACH_CM,
  reachBand,
  reachOverlapCm,
  screenHeightCm,
  type TerminalLayout,
  type Wall,
} from '../contract/layout.ts';
import { LANGUAGES } from '../flows/session.machine.ts';

/** How an input device is reached; `none` where a site has no such device. */
const deviceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hid'), selector: hidSelectorSchema }),
  z.object({ kind: z.literal('none') }),
]);

/**
 * The receipt printer: a queue of the OS print system (CUPS), which the kiosk hands PDFs to
 * (`lp -d QUEUE`); or a folder the receipts are written to as PDF files (the demo's printer;
 * a path relative to the data folder, or absolute); `none` where no printer is fitted (the
 * receipt screens offer no printing). The commissioning wizard prints its test page through
 * the same CUPS queue.
 */
const printerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cups'), queue: z.string().regex(/^[A-Za-z0-9_.-]{1,127}$/) }),
  z.object({ kind: z.literal('folder'), dir: z.string().min(1).max(500) }).strict(),
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
 * The screen as mounted: its size (diagonal in inches of a 16:9 screen, or the picture's
 * height in cm), orientation, and how high its lower edge is above the floor. The page puts
 * every control within the reach band (DIN 18040-1) from it.
 */
const screenSchema = z
  .object({
    orientation: z.enum(['portrait', 'landscape']),
    diagonalInch: z.number().min(7).max(110).optional(),
    heightCm: z.number().min(10).max(250).optional(),
    lowerEdgeCm: z.number().min(0).max(250),
  })
  .strict()
  .refine(
    (screen) => (screen.diagonalInch === undefined) !== (screen.heightCm === undefined),
    'give either diagonalInch or heightCm (the picture height), not both or neither',
  )
  .transform(({ orientation, diagonalInch, heightCm, lowerEdgeCm }) => ({
    orientation,
    heightCm: heightCm ?? screenHeightCm(diagonalInch!, orientation),
    lowerEdgeCm,
  }))
  .refine(
    (screen) => reachOverlapCm(screen) >= 10,
    `less than 10 cm of the screen lies ${REACH_CM.low}–${REACH_CM.high} cm above the floor, where a wheelchair user reaches (DIN 18040-1); mount it so its lower edge is at most ${REACH_CM.high - 10} cm high`,
  );

const absolutePath = z
  .string()
  .min(2)
  .max(500)
  .refine(isAbsolute, 'must be an absolute path (the service does not start in a known folder)');

/** A Piper voice converted for sherpa-onnx: its model, tokens and espeak-ng-data folder. */
const neuralVoiceSchema = z
  .object({
    model: absolutePath.refine((path) => path.endsWith('.onnx'), 'must be the .onnx model file'),
    tokens: absolutePath,
    /** Piper voices: their `espeak-ng-data` folder. */
    dataDir: absolutePath.optional(),
    /** A multi-speaker model's speaker; default 0. */
    speaker: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

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
    /** Default: a 21.5-inch portrait screen with its lower edge 80 cm above the floor. */
    screen: screenSchema.prefault({ orientation: 'portrait', diagonalInch: 21.5, lowerEdgeCm: 80 }),
    /**
     * Per compartment: height of its floor, whether it is in reach from a wheelchair, and its
     * place on the wall (column 1 leftmost as one faces it, row 1 the top of its column), from
     * which the door-open screens draw the wall and say where the door is.
     */
    compartments: z
      .record(
        z.string(),
        z
          .object({
            heightCm: z.number().int().min(0).max(250),
            accessible: z.boolean(),
            purpose: z.enum(['pickup', 'drop-off']).default('pickup'),
            column: z.number().int().min(1).max(40).optional(),
            row: z.number().int().min(1).max(40).optional(),
          })
          .strict(),
      )
      .default({}),
    devices: z
      .object({
        cardReader: deviceSchema,
        scanner: deviceSchema,
        printer: printerSchema.default({ kind: 'none' }),
      })
      .default({
        cardReader: { kind: 'none' },
        scanner: { kind: 'none' },
        printer: { kind: 'none' },
      }),
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
    /**
     * Speech output (espeak-ng). `player`: the system's player reading a WAV stream on its
     * standard input, e.g. ["aplay", "-q"] or ["paplay"]; absent: espeak-ng plays itself.
     */
    speech: z
      .object({
        player: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
        /** The espeak-ng program (default: `espeak-ng` on PATH). */
        espeak: z.string().min(1).max(200).optional(),
        /**
         * Neural voices (Piper models through sherpa-onnx) by language; espeak-ng speaks
         * every other language, and any whose files cannot be used. A German voice also
         * reads Leichte Sprache unless `de-easy` has its own.
         */
        voices: z.partialRecord(z.enum(LANGUAGES), neuralVoiceSchema).optional(),
      })
      .strict()
      .default({}),
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
    checkWallPlaces(config.compartments, ctx);
  });

type CompartmentSite = { column?: number | undefined; row?: number | undefined };

/** Places on the wall: all or none, each with both column and row, no two alike. */
function checkWallPlaces(compartments: Record<string, CompartmentSite>, ctx: z.RefinementCtx) {
  const entries = Object.entries(compartments);
  const placed = entries.filter(([, c]) => c.column !== undefined || c.row !== undefined);
  if (placed.length === 0) return;
  const taken = new Map<string, string>();
  for (const [label, c] of entries) {
    const path = ['compartments', label];
    if (c.column === undefined || c.row === undefined) {
      const missing = c.column === undefined ? 'column' : 'row';
      ctx.addIssue({
        code: 'custom',
        path: [...path, missing],
        message: 'give every compartment a column and a row, or none',
      });
      continue;
    }
    const place = `${c.column}/${c.row}`;
    const other = taken.get(place);
    if (other) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `column ${c.column}, row ${c.row} is already ${other}'s place`,
      });
    }
    taken.set(place, label);
  }
}

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

/** The inner height of a compartment at the top of its column, by size (cm). */
const TOP_ROW_HEIGHT_CM = { S: 30, M: 40, L: 50, XL: 70 } as const;

/**
 * What the page needs of the site's geometry: the reach band on its screen and the locker
 * wall (each compartment's top is the floor of the one above it in its column).
 */
export function terminalLayout(site: SiteConfig): TerminalLayout {
  return { reach: reachBand(site.screen), orientation: site.screen.orientation, wall: wall(site) };
}

function wall(site: SiteConfig): Wall | null {
  const placed = site.locker.compartments.flatMap((compartment) => {
    const { column, row, heightCm } = site.compartments[compartment.label] ?? {};
    if (column === undefined || row === undefined || heightCm === undefined) return [];
    return [{ label: compartment.label, size: compartment.size, column, row, heightCm }];
  });
  if (placed.length === 0) return null;
  const compartments = placed.map((c) => {
    const above = placed
      .filter((other) => other.column === c.column && other.row < c.row)
      .sort((a, b) => b.row - a.row)[0];
    const topCm = above ? above.heightCm : c.heightCm + TOP_ROW_HEIGHT_CM[c.size];
    return { label: c.label, column: c.column, row: c.row, bottomCm: c.heightCm, topCm };
  });
  return { columns: Math.max(...compartments.map((c) => c.column)), compartments };
}
