import { z } from 'zod';
import { PROTOCOL_IDS, PROTOCOLS } from '../protocols/index.ts';

/** Where one bus's boards are reached: a serial port or a Kerong BU Ethernet gateway. */
export const busConfigSchema = z.object({
  id: z.string().min(1),
  protocol: z.enum(PROTOCOL_IDS).default('kerong-cu16'),
  transport: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('serial'),
      path: z.string().min(1),
      /** Default: the protocol's factory setting. */
      baud: z.number().int().positive().optional(),
    }),
    z.object({
      kind: z.literal('tcp'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
    }),
  ]),
  timeoutMs: z.number().int().min(20).max(5000).default(300),
  retries: z.number().int().min(0).max(5).default(2),
});

export const compartmentSizes = ['S', 'M', 'L', 'XL'] as const;

/** One compartment door: its label on the front, size, and where its lock is wired. */
export const compartmentConfigSchema = z.object({
  label: z.string().min(1).max(16),
  size: z.enum(compartmentSizes),
  bus: z.string().min(1),
  board: z.number().int().min(0),
  lock: z.number().int().min(1),
  /** `normal`: hook bit 1 = door closed (the usual wiring); `inverted` for the other. */
  polarity: z.enum(['normal', 'inverted']).default('normal'),
  hasItemSensor: z.boolean().default(false),
});

export const lockerTimingSchema = z.object({
  /** How long after the unlock command the door must be seen open. */
  confirmTimeoutMs: z.number().int().min(100).max(30_000).default(2000),
  /** An open door past this raises left-open. */
  leftOpenMs: z.number().int().min(1000).default(120_000),
  /** Gap between polls while a door is open or an unlock runs. */
  fastPollMs: z.number().int().min(0).max(1000).default(20),
  /** Gap between polls when all doors are closed. */
  idlePollMs: z.number().int().min(10).max(10_000).default(250),
  /** Failed polls in a row (each already retried by the bus) before a board is offline. */
  offlineAfterFailures: z.number().int().min(1).max(20).default(2),
});

export const lockerConfigSchema = z
  .object({
    buses: z.array(busConfigSchema).min(1),
    compartments: z.array(compartmentConfigSchema).min(1),
    timing: lockerTimingSchema.default(lockerTimingSchema.parse({})),
  })
  .superRefine((config, ctx) => {
    const buses = new Map(config.buses.map((bus) => [bus.id, bus]));
    if (buses.size !== config.buses.length) {
      ctx.addIssue({ code: 'custom', path: ['buses'], message: 'bus ids must be unique' });
    }
    const labels = new Set<string>();
    const wiring = new Set<string>();
    config.compartments.forEach((compartment, index) => {
      const path = ['compartments', index];
      const issue = (field: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [...path, field], message });
      if (labels.has(compartment.label)) issue('label', `label ${compartment.label} used twice`);
      labels.add(compartment.label);
      const bus = buses.get(compartment.bus);
      if (!bus) {
        issue('bus', `no bus with id ${compartment.bus}`);
        return;
      }
      const protocol = PROTOCOLS[bus.protocol];
      if (compartment.board < protocol.minBoard || compartment.board > protocol.maxBoard) {
        issue('board', `${bus.protocol} boards are ${protocol.minBoard}..${protocol.maxBoard}`);
      }
      if (compartment.lock > protocol.locksPerBoard) {
        issue('lock', `${bus.protocol} has locks 1..${protocol.locksPerBoard}`);
      }
      if (compartment.hasItemSensor && !protocol.hasItemSensors) {
        issue('hasItemSensor', `${bus.protocol} boards report no item sensors`);
      }
      const key = `${compartment.bus}/${compartment.board}/${compartment.lock}`;
      if (wiring.has(key)) issue('lock', `lock ${key} is wired to two compartments`);
      wiring.add(key);
    });
  });

export type BusConfig = z.output<typeof busConfigSchema>;
export type CompartmentConfig = z.output<typeof compartmentConfigSchema>;
export type LockerTiming = z.output<typeof lockerTimingSchema>;
export type LockerConfig = z.output<typeof lockerConfigSchema>;
export type LockerConfigInput = z.input<typeof lockerConfigSchema>;
