/**
 * The commissioning's record: every answer, every test result, saved after each step
 * (atomically, like the site file) beside the site file as `<site file>.commission.json`.
 * An interrupted wizard (Ctrl-C, an unplugged adapter, a power cut) continues from it; the
 * re-run for one board after a repair starts from it; the acceptance report is made from it.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import { compartmentSizes } from '@amtomat/locker-controller';
import { PROTOCOL_IDS } from '@amtomat/locker-controller/protocols';
import { z } from 'zod';
import { t } from './i18n.ts';

const lockSchema = z
  .object({
    bus: z.string(),
    board: z.number().int(),
    lock: z.number().int(),
    /** `door`: a door opened and was described; `no-door`: nothing opened (an unused output). */
    outcome: z.enum(['door', 'no-door', 'not-opened']),
    /** Why it did not open: the locker's failure kind (`jammed`, `board-silent`, …). */
    failure: z.string().optional(),
    label: z.string().optional(),
    size: z.enum(compartmentSizes).optional(),
    column: z.number().int().optional(),
    row: z.number().int().optional(),
    heightCm: z.number().int().optional(),
    accessible: z.boolean().optional(),
    purpose: z.enum(['pickup', 'drop-off']).optional(),
    closed: z.boolean().optional(),
    /** `seen`, `not-seen`, or `none` when the board has no item sensors. */
    sensor: z.enum(['seen', 'not-seen', 'none']).optional(),
  })
  .strict();
export type LockRecord = z.infer<typeof lockSchema>;

const deviceResultSchema = z
  .object({
    fitted: z.boolean(),
    /** vendor:product in hex, `simulated`, or a printer's CUPS queue. */
    device: z.string().optional(),
    ok: z.boolean(),
    detail: z.string(),
  })
  .strict();
export type DeviceResult = z.infer<typeof deviceResultSchema>;

export const progressSchema = z
  .object({
    version: z.literal(1),
    startedAt: z.string(),
    installer: z.string().optional(),
    site: z.object({ id: z.string(), name: z.string() }).strict().optional(),
    buses: z
      .array(
        z
          .object({
            id: z.string(),
            path: z.string(),
            protocol: z.enum(PROTOCOL_IDS),
            baud: z.number().int(),
            boards: z.array(
              z.object({ board: z.number().int(), locks: z.number().int().optional() }).strict(),
            ),
          })
          .strict(),
      )
      .optional(),
    locks: z.array(lockSchema).default([]),
    devices: z
      .object({
        cardReader: deviceResultSchema.optional(),
        scanner: deviceResultSchema.optional(),
        /** `device`: the CUPS queue the test page went to. */
        printer: deviceResultSchema.optional(),
      })
      .strict()
      .default({}),
    fleet: z
      .object({
        url: z.string().optional(),
        reachable: z.boolean(),
        deviceId: z.string().optional(),
        detail: z.string(),
      })
      .strict()
      .optional(),
    finishedAt: z.string().optional(),
  })
  .strict();
export type Progress = z.infer<typeof progressSchema>;

export const progressPath = (siteFile: string) => `${siteFile}.commission.json`;

export function newProgress(now: Date): Progress {
  return { version: 1, startedAt: now.toISOString(), locks: [], devices: {} };
}

/** The saved progress; undefined when there is none yet. */
export function readProgress(path: string): Result<Progress | undefined, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err(t('progress.cannotRead', { path, message: (error as Error).message }));
  }
  try {
    const parsed = progressSchema.safeParse(JSON.parse(text));
    if (parsed.success) return ok(parsed.data);
  } catch {
    // falls through to the one message below
  }
  return err(t('progress.notRecord', { path }));
}

/** Whole or not at all: a temporary file beside it, flushed, renamed over it. */
export function saveProgress(path: string, progress: Progress): Result<void, string> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(progress, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    return ok(undefined);
  } catch (error) {
    rmSync(temporary, { force: true });
    return err(t('progress.cannotSave', { path, message: (error as Error).message }));
  }
}
