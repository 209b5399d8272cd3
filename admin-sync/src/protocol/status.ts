/**
 * What a terminal reports about itself on every sync cycle, for the Bürgerbüro's terminal
 * overview: latest wins, nothing personal in it. Sent to `paths.status(id)` (signed).
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const DOOR_ALARMS = ['left-open', 'forced-open'] as const;

export const TerminalStatusSchema = z
  .object({
    /** When the terminal took this picture (its clock). */
    at: z.number().int().nonnegative(),
    /** Outbox events not yet acknowledged by the server. */
    queueLength: count,
    compartments: z.object({ total: count, occupied: count, defective: count }).strict(),
    doorAlarms: z
      .array(
        z.object({ compartment: z.string().min(1).max(20), alarm: z.enum(DOOR_ALARMS) }).strict(),
      )
      .max(500),
    /** Lock boards not answering when the picture was taken (their ids), for availability. */
    boardsOffline: z.array(z.string().min(1).max(40)).max(64).optional(),
    /** The terminal software's version, for rollouts. */
    version: z.string().min(1).max(50).optional(),
  })
  .strict();
export type TerminalStatus = z.infer<typeof TerminalStatusSchema>;
