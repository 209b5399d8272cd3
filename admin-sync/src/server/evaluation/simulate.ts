/**
 * A simulated year (or years) of terminals for the demo, the tests and the benchmark
 * (issue #13): installation dates spread over the first half year, a ramp-up to full use
 * by the 4th month, weekdays and opening hours, services in plausible shares, abandonments
 * at different steps, survey answers, items with dwell times and some expiries, staff and
 * courier time, hourly status reports with a few outages and door alarms. Seeded: the same
 * seed gives the same database. Everything goes through the server's own event path
 * (`recordEvents` with the default handlers, as a push does) and its status path.
 */
import { randomUUID } from 'node:crypto';
import { seededRandom } from '@amtomat/basics';
import { generateDeviceKeyPair, type SyncEvent } from '../../protocol/index.ts';
import { eventApplier } from '../apply.ts';
import { tokenHash } from '../enrolment.ts';
import type { SqlQueryable, SqlValue } from '../storage/driver.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { addMonths, DAY_MS, daysBetween } from './calendar.ts';
import type { EvaluationConfig } from './config.ts';
import { periodOf, pseudonym } from './record.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  return weighted.at(-1)![0];
}

/** Poisson draw (Knuth; the means here are small). */
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > limit);
  return k - 1;
}

const SITES = [
  'Mayen',
  'Andernach',
  'Mendig',
  'Polch',
  'Vallendar',
  'Kruft',
  'Ochtendung',
  'Weißenthurm',
];
const SERVICES = [
  ['document-pickup', 45],
  ['parcel-pickup', 35],
  ['drop-off', 20],
] as const;
const WEEKDAY = [0.15, 1, 1, 1, 1.1, 1, 0.5]; // Sunday first
const HOURS = [
  [7, 3],
  [8, 8],
  [9, 10],
  [10, 10],
  [11, 9],
  [12, 7],
  [13, 6],
  [14, 6],
  [15, 8],
  [16, 9],
  [17, 9],
  [18, 7],
  [19, 4],
  [20, 2],
] as const;
/** Where visits are given up, by the steps the kiosk's flows report (their `reached` names). */
const STEPS: Record<string, readonly (readonly [string, number])[]> = {
  'document-pickup': [
    ['code', 5],
    ['second-factor', 2],
    ['choose', 1],
    ['pin-letter', 1],
  ],
  'parcel-pickup': [
    ['code', 6],
    ['take-and-close', 1],
  ],
  'drop-off': [
    ['reference', 3],
    ['full', 1],
    ['put-in-and-close', 1],
  ],
};
const ALTERNATIVES = [
  ['counter-car', 45],
  ['counter-bus', 8],
  ['counter-bike', 4],
  ['counter-foot', 6],
  ['postal', 15],
  ['not-at-all', 12],
  ['other', 10],
] as const;
const BANDS = [
  ['0-2', 15],
  ['2-5', 25],
  ['5-10', 30],
  ['10-20', 20],
  ['20-50', 8],
  ['50+', 2],
] as const;

export interface SimulationOptions {
  /** First and last day, `YYYY-MM-DD`. */
  from: string;
  to: string;
  terminals: number;
  seed: number;
  /** Hourly status reports (availability); off makes a large benchmark fill faster. */
  statusReports?: boolean;
  /**
   * `events` (default): every event through the server's event path, as a push does.
   * `tables`: the same rows written straight into the evaluation tables, many per statement
   * (no event log, no item table) — for the 100 terminals × 3 years benchmark, where the
   * event path would take half an hour. simulate.test.ts checks both give the same KPIs.
   */
  fill?: 'events' | 'tables';
}

export interface SimulationResult {
  events: number;
  config: EvaluationConfig;
}

interface Planned {
  at: number;
  type: string;
  payload: Record<string, unknown>;
}

/** Fills `storage` with the simulated terminals; returns the evaluation config that fits. */
export async function simulateEvaluation(
  storage: FleetStorage,
  options: SimulationOptions,
): Promise<SimulationResult> {
  const random = seededRandom(options.seed);
  const apply = eventApplier();
  const days = daysBetween(options.from, options.to);
  const start = Date.parse(`${options.from}T00:00:00Z`);
  const config: EvaluationConfig = {
    suppressionThreshold: 5,
    timeZone: 'Europe/Berlin',
    terminals: {},
    sites: {},
    parameters: {
      detourFactor: { value: 1.3, source: 'simulation default' },
      co2GramsPerCarKm: { value: 166, source: 'simulation default' },
    },
  };
  let total = 0;
  for (let t = 0; t < options.terminals; t++) {
    const site =
      SITES[t % SITES.length]! + (t >= SITES.length ? ` ${Math.floor(t / SITES.length) + 1}` : '');
    const label = `Terminal ${site}`;
    // Installed spread over the first half year of the period.
    const installedOn =
      days[Math.min(days.length - 1, Math.floor((t * 180) / Math.max(1, options.terminals)))]!;
    config.terminals[label] = { site, installedOn };
    const lat = 50.3 + random() * 0.2;
    const lon = 7.2 + random() * 0.3;
    config.sites[site] = {
      location: { lat, lon },
      office: { lat: lat + 0.03 + random() * 0.08, lon },
      residentsWithin1km: 800 + Math.floor(random() * 3000),
      residentsSource: 'simulated (in reality: Zensus 2022, 100 m grid)',
    };
    const deviceId = randomUUID();
    const hash = tokenHash(randomUUID());
    const installedAt = Date.parse(`${installedOn}T08:00:00Z`);
    await storage.addEnrolmentToken({
      tokenHash: hash,
      label,
      createdAt: installedAt,
      expiresAt: installedAt + DAY_MS,
    });
    const enrolled = await storage.enrolDevice({
      tokenHash: hash,
      deviceId,
      publicKey: generateDeviceKeyPair().publicKey,
      codeKey: Buffer.alloc(32, t).toString('base64url'),
      label,
      now: installedAt,
    });
    if (!enrolled.ok) throw new Error(`simulation: enrolment failed (${enrolled.error})`);
    const planned = planTerminal(random, { days, installedOn, site });
    planned.sort((a, b) => a.at - b.at);
    const end = start + days.length * DAY_MS;
    if (options.fill === 'tables') {
      const statuses =
        options.statusReports === false ? [] : statusTimeline(random, installedAt, end);
      await fillTables(storage, deviceId, planned, statuses);
      total += planned.length;
      continue;
    }
    for (let i = 0; i < planned.length; i += 500) {
      const batch: SyncEvent[] = planned.slice(i, i + 500).map((p, j) => ({
        deviceId,
        seq: i + j + 1,
        idempotencyKey: `sim-${i + j + 1}`,
        type: p.type,
        payload: p.payload as SyncEvent['payload'],
        createdAt: p.at,
      }));
      await storage.recordEvents(deviceId, batch, apply, batch.at(-1)!.createdAt! + MIN);
    }
    total += planned.length;
    if (options.statusReports !== false) {
      for (const status of statusTimeline(random, installedAt, end)) {
        await storage.setDeviceStatus(
          deviceId,
          {
            at: status.at,
            queueLength: 0,
            compartments: { total: 24, occupied: 8, defective: 0 },
            doorAlarms: status.alarm ? [{ compartment: 'A3', alarm: 'left-open' }] : [],
          },
          status.at,
        );
      }
    }
  }
  return { events: total, config };
}

/** One terminal's events, in no particular order. */
function planTerminal(
  random: () => number,
  t: { days: string[]; installedOn: string; site: string },
): Planned[] {
  const out: Planned[] = [];
  const peak = 12 + random() * 8; // uses per weekday at full use
  const recipients = 400 + Math.floor(random() * 900); // people who get parcels here
  const m4 = addMonths(t.installedOn, 3);
  let item = 0;
  for (const day of t.days) {
    if (day < t.installedOn) continue;
    const month = Math.max(0, (Date.parse(day) - Date.parse(t.installedOn)) / (30.4 * DAY_MS));
    const ramp = day >= m4 ? 1 : 0.25 + (0.75 * month) / 3;
    const base = Date.parse(`${day}T00:00:00Z`) - HOUR; // local midnight (UTC+1; close enough)
    const visits = poisson(random, peak * ramp * WEEKDAY[new Date(base + HOUR).getUTCDay()]!);
    for (let v = 0; v < visits; v++) {
      const hour = pick(random, HOURS);
      const endedAt = base + hour * HOUR + Math.floor(random() * HOUR);
      const service = pick(random, SERVICES);
      const outcome = pick(random, [
        ['completed', 85],
        ['abandoned', 8],
        ['timed-out', 4],
        ['failed', 2],
        ['interrupted', 1],
      ] as const);
      const completed = outcome === 'completed';
      const durationMs = Math.round((completed ? 45 + random() * 120 : 15 + random() * 90) * 1000);
      const answered = completed && random() < 0.4;
      const alternative = answered ? pick(random, ALTERNATIVES) : null;
      // Some walk away before choosing a service: no flow, so no step either.
      const chosen = outcome === 'abandoned' && random() < 0.15 ? null : service;
      out.push({
        at: endedAt,
        type: 'usage-session',
        payload: {
          sessionId: randomUUID(),
          service: chosen,
          language: pick(random, [
            ['de', 85],
            ['en', 4],
            ['tr', 3],
            ['ar', 2],
            ['uk', 3],
            ['ru', 1],
            ['pl', 1],
            ['de-easy', 1],
          ] as const),
          largeText: random() < 0.08,
          highContrast: random() < 0.03,
          speech: random() < 0.02,
          outcome,
          reason: outcome === 'failed' ? 'door-failed' : null,
          abandonStep:
            chosen && (outcome === 'abandoned' || outcome === 'timed-out')
              ? pick(random, STEPS[chosen]!)
              : null,
          startedAt: endedAt - durationMs,
          endedAt,
          durationMs,
          extensions: random() < 0.05 ? 1 : 0,
          reopened: completed && random() < 0.02 ? 1 : 0,
          wrongEntries: random() < 0.1 ? 1 + Math.floor(random() * 3) : 0,
          doorFaults: outcome === 'failed' ? 1 : 0,
          satisfaction: answered
            ? pick(random, [
                [5, 45],
                [4, 30],
                [3, 15],
                [2, 6],
                [1, 4],
              ] as const)
            : null,
          alternative,
          distanceBand:
            alternative?.startsWith('counter') && random() < 0.8 ? pick(random, BANDS) : null,
        },
      });
      if (!completed || service === 'drop-off') continue;
      // The item picked up: loaded a while before (staff or courier), by someone counted once.
      const kind = service === 'parcel-pickup' ? 'parcel' : 'document';
      const itemId = `sim-${t.site}-${++item}`;
      const dwell = Math.min(9 * DAY_MS, Math.round(-Math.log(1 - random()) * 30 * HOUR));
      const loadedAt = endedAt - dwell;
      out.push(
        ...loading(random, {
          itemId,
          kind,
          loadedAt,
          recipient: kind === 'parcel' ? `${t.site}-R${Math.floor(random() * recipients)}` : null,
        }),
      );
      out.push({
        at: endedAt,
        type: 'item-picked-up',
        payload: { itemId, reference: itemId, compartment: 'A1', pickedUpAt: endedAt },
      });
    }
    // Some items are never picked up: expired after 10 days, then taken out by staff.
    if (random() < 0.4 * ramp) {
      const itemId = `sim-${t.site}-${++item}`;
      const loadedAt = base + 9 * HOUR;
      const kind = random() < 0.5 ? 'parcel' : 'document';
      out.push(
        ...loading(random, {
          itemId,
          kind,
          loadedAt,
          recipient: kind === 'parcel' ? `${t.site}-R${Math.floor(random() * recipients)}` : null,
        }),
      );
      const expiredAt = loadedAt + 10 * DAY_MS;
      out.push({
        at: expiredAt,
        type: 'item-expired',
        payload: { itemId, reference: itemId, recipientRef: null, compartment: 'A1', expiredAt },
      });
      out.push({
        at: expiredAt + 20 * HOUR,
        type: 'item-retrieved',
        payload: {
          itemId,
          reference: itemId,
          compartment: 'A1',
          previousStatus: 'expired',
          retrievedAt: expiredAt + 20 * HOUR,
        },
      });
      out.push({
        at: expiredAt + 20 * HOUR,
        type: 'usage-staff',
        payload: {
          task: 'retrieve',
          itemKind: kind,
          items: 1,
          durationMs: Math.round((30 + random() * 60) * 1000),
          at: expiredAt + 20 * HOUR,
        },
      });
    }
  }
  return out;
}

function loading(
  random: () => number,
  item: { itemId: string; kind: string; loadedAt: number; recipient: string | null },
): Planned[] {
  const { itemId, kind, loadedAt } = item;
  const work: Planned =
    kind === 'parcel'
      ? {
          at: loadedAt,
          type: 'usage-courier',
          payload: {
            size: pick(random, [
              ['S', 4],
              ['M', 4],
              ['L', 2],
            ] as const),
            durationMs: Math.round((20 + random() * 40) * 1000),
            at: loadedAt,
          },
        }
      : {
          at: loadedAt,
          type: 'usage-staff',
          payload: {
            task: 'load',
            itemKind: kind,
            items: 1,
            durationMs: Math.round((40 + random() * 80) * 1000),
            at: loadedAt,
          },
        };
  return [
    work,
    {
      at: loadedAt,
      type: 'item-ready',
      payload: {
        itemId,
        reference: itemId,
        recipientRef: item.recipient,
        compartment: 'A1',
        expiresAt: loadedAt + 10 * DAY_MS,
        kind,
      },
    },
  ];
}

/** Hourly status reports, with a few outages of some hours and now and then a door alarm. */
function statusTimeline(random: () => number, from: number, to: number) {
  const reports: { at: number; alarm: boolean }[] = [];
  let outageUntil = 0;
  let alarm = false;
  for (let at = from; at < to; at += HOUR) {
    if (at < outageUntil) continue;
    if (random() < 0.0015) {
      outageUntil = at + Math.ceil(random() * 12) * HOUR;
      continue;
    }
    alarm = alarm ? random() < 0.5 : random() < 0.002;
    reports.push({ at, alarm });
  }
  return reports;
}

type Row = SqlValue[];
/** Rows per INSERT: 20 columns × 500 stays below both databases' parameter limits. */
const ROWS_PER_INSERT = 500;
async function insertRows(tx: SqlQueryable, table: string, columns: string[], rows: Row[]) {
  const one = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.run(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`,
      chunk.flat(),
    );
  }
}

const ENDING: Record<string, string> = {
  'item-picked-up': 'picked-up',
  'item-expired': 'expired',
  'item-retrieved': 'retrieved',
};
const flag = (value: unknown) => (value ? 1 : 0);
const value = (v: unknown): SqlValue => (typeof v === 'string' || typeof v === 'number' ? v : null);

/**
 * The rows the event path (evaluation/record.ts) writes for these events and status
 * reports, in one transaction: sessions, staff and courier work (seq = the event's), items
 * with their first ending, recipients as the period's pseudonyms, hours up, new door alarms.
 */
async function fillTables(
  storage: FleetStorage,
  deviceId: string,
  planned: Planned[],
  statuses: { at: number; alarm: boolean }[],
) {
  await storage.sql.transaction(async (tx) => {
    const sessions: Row[] = [];
    const work: Row[] = [];
    const items = new Map<
      string,
      {
        kind: string;
        loadedAt: number;
        recipient: string | null;
        endedAt: number | null;
        outcome: string | null;
      }
    >();
    const pseudonyms = new Map<string, string>();
    for (const [index, event] of planned.entries()) {
      const p = event.payload;
      if (event.type === 'usage-session') {
        sessions.push([
          deviceId,
          value(p.sessionId),
          value(p.service),
          value(p.language),
          flag(p.largeText),
          flag(p.highContrast),
          flag(p.speech),
          value(p.outcome),
          value(p.reason),
          value(p.abandonStep),
          value(p.startedAt),
          value(p.endedAt),
          value(p.durationMs),
          value(p.extensions),
          value(p.reopened),
          value(p.wrongEntries),
          value(p.doorFaults),
          value(p.satisfaction),
          value(p.alternative),
          value(p.distanceBand),
        ]);
      } else if (event.type === 'usage-staff') {
        work.push([
          deviceId,
          index + 1,
          value(p.task),
          value(p.itemKind),
          value(p.items),
          value(p.durationMs),
          value(p.at),
        ]);
      } else if (event.type === 'usage-courier') {
        work.push([
          deviceId,
          index + 1,
          'courier-deposit',
          'parcel',
          1,
          value(p.durationMs),
          value(p.at),
        ]);
      } else if (event.type === 'item-ready') {
        const ref = typeof p.recipientRef === 'string' ? p.recipientRef : null;
        let recipient: string | null = null;
        if (ref) {
          const key = `${periodOf(event.at)}\n${ref}`;
          recipient = pseudonyms.get(key) ?? (await pseudonym(tx, event.at, ref));
          pseudonyms.set(key, recipient);
        }
        items.set(String(p.itemId), {
          kind: String(p.kind),
          loadedAt: event.at,
          recipient,
          endedAt: null,
          outcome: null,
        });
      } else {
        const item = items.get(String(p.itemId));
        const ending = ENDING[event.type];
        if (item && ending && item.outcome === null) {
          item.outcome = ending;
          item.endedAt = event.at;
        }
      }
    }
    await insertRows(
      tx,
      'eval_sessions',
      [
        'device_id',
        'session_id',
        'service',
        'language',
        'large_text',
        'high_contrast',
        'speech',
        'outcome',
        'reason',
        'abandon_step',
        'started_at',
        'ended_at',
        'duration_ms',
        'extensions',
        'reopened',
        'wrong_entries',
        'door_faults',
        'satisfaction',
        'alternative',
        'distance_band',
      ],
      sessions,
    );
    await insertRows(
      tx,
      'eval_work',
      ['device_id', 'seq', 'task', 'item_kind', 'items', 'duration_ms', 'at'],
      work,
    );
    await insertRows(
      tx,
      'eval_items',
      [
        'item_id',
        'device_id',
        'kind',
        'announced_at',
        'loaded_at',
        'ended_at',
        'outcome',
        'recipient',
      ],
      [...items].map(([id, item]) => [
        id,
        deviceId,
        item.kind,
        null,
        item.loadedAt,
        item.endedAt,
        item.outcome,
        item.recipient,
      ]),
    );
    await insertRows(
      tx,
      'eval_uptime',
      ['device_id', 'hour'],
      statuses.map((s) => [deviceId, Math.floor(s.at / HOUR)]),
    );
    const alarms: Row[] = [];
    let before = false;
    for (const status of statuses) {
      if (status.alarm && !before) alarms.push([deviceId, 'A3', 'left-open', status.at]);
      before = status.alarm;
    }
    await insertRows(tx, 'eval_door_alarms', ['device_id', 'compartment', 'alarm', 'at'], alarms);
  });
}
