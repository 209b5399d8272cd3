/**
 * The district's KPIs (issue #13), computed from the evaluation tables per terminal, site,
 * service, week, month and in total. The rows are read once and aggregated here, in
 * TypeScript, so SQLite and PostgreSQL give the same figures by construction.
 *
 * Every figure is a row of one long table (`KpiRow`): counts of people (suppressible,
 * additive), figures derived from them (suppressed with their basis), and technical
 * figures (availability, door alarms). `KPI_DEFINITIONS` is also the codebook.
 */
import type { SqlQueryable } from '../storage/driver.ts';
import { addMonths, DAY_MS, dayOfFn, daysBetween, isoWeek, monthOf } from './calendar.ts';
import type { EvaluationConfig } from './config.ts';
import { HOUR_MS } from './record.ts';

export type Scope = 'total' | 'terminal' | 'site' | 'service';
export type PeriodKind = 'week' | 'month' | 'total';

export interface KpiRow {
  kpi: string;
  scope: Scope;
  scopeId: string;
  periodKind: PeriodKind;
  period: string;
  /** A sub-division of the KPI, e.g. the step where visits ended (`step=code`); '' if none. */
  breakdown: string;
  value: number | null;
  /** The count the figure rests on (people, items, hours). */
  n: number | null;
  target: number | null;
  /**
   * Space-separated marks: `from-month-4` (counted only from the 4th month after installation),
   * `partial-week` (a week with fewer than 7 days in the period or with a terminal installed:
   * its rate per week is extrapolated from those days, and weekdays are busier than weekends).
   */
  flag: string;
  suppressed: boolean;
}

type KpiKind = 'count' | 'derived' | 'technical';
export interface KpiDefinition {
  id: string;
  kind: KpiKind;
  unit: string;
  de: string;
  en: string;
}

/** Services that are staff or courier work, not a citizen's visit. */
const NOT_CITIZEN = new Set(['staff', 'courier-deposit']);
const SERVICE_OF_KIND: Record<string, string> = {
  parcel: 'parcel-pickup',
  document: 'document-pickup',
  'id-document': 'document-pickup',
  object: 'document-pickup',
  'drop-off': 'drop-off',
};
export const USES_PER_WEEK_TARGET = 100;
/** The flag of a week cell cut by the period's edge or an installation (see `KpiRow.flag`). */
export const PARTIAL_WEEK = 'partial-week';
const withFlag = (flags: string, flag: string) => (flags ? `${flags} ${flag}` : flag);
export const USES_PER_DEVICE_DAY_TARGET = 15;
/** Parcel reach targets after one, two and three years. */
export const REACH_TARGETS = [0.2, 0.3, 0.35] as const;
/** Road km one way, the middle of each distance band (50+: 60 km). */
export const BAND_KM: Record<string, number> = {
  '0-2': 1,
  '2-5': 3.5,
  '5-10': 7.5,
  '10-20': 15,
  '20-50': 35,
  '50+': 60,
};
const COUNTER = new Set(['counter-car', 'counter-bus', 'counter-bike', 'counter-foot']);

const d = (id: string, kind: KpiKind, unit: string, de: string, en: string): KpiDefinition => ({
  id,
  kind,
  unit,
  de,
  en,
});
export const KPI_DEFINITIONS: readonly KpiDefinition[] = [
  d(
    'visits',
    'count',
    'visits',
    'Besuche von Bürgerinnen und Bürgern (mit und ohne Abschluss)',
    "Citizens' visits (completed or not)",
  ),
  d('uses', 'count', 'visits', 'Nutzungen: abgeschlossene Besuche', 'Uses: completed visits'),
  d('abandoned', 'count', 'visits', 'Abgebrochene Besuche', 'Visits cancelled by the person'),
  d(
    'timed-out',
    'count',
    'visits',
    'Besuche, die durch Zeitablauf endeten',
    'Visits ended by inactivity',
  ),
  d('failed', 'count', 'visits', 'Besuche, die an einem Fehler scheiterten', 'Visits that failed'),
  d(
    'interrupted',
    'count',
    'visits',
    'Besuche, die ein Neustart unterbrach',
    'Visits interrupted by a restart',
  ),
  d(
    'outcome-unknown',
    'count',
    'visits',
    'Besuche ohne erfassten Ausgang',
    'Visits without a recorded outcome',
  ),
  d(
    'gave-up',
    'count',
    'visits',
    'Aufgegebene Besuche (abgebrochen oder Zeitablauf)',
    'Visits given up (cancelled or timed out)',
  ),
  d(
    'gave-up-at-step',
    'count',
    'visits',
    'Aufgegebene Besuche nach dem zuletzt erreichten Schritt',
    'Visits given up, by the last step reached',
  ),
  d(
    'completion-rate',
    'derived',
    'share',
    'Anteil abgeschlossener Besuche an allen Besuchen',
    'Completed visits / all visits',
  ),
  d(
    'abandonment-rate',
    'derived',
    'share',
    'Anteil aufgegebener Besuche an allen Besuchen',
    'Visits given up / all visits',
  ),
  d(
    'uses-per-week',
    'derived',
    'uses/week',
    'Nutzungen je Woche (Ziel: 100 für alle Terminals zusammen; für einen Standort oder ein Terminal 15 je Gerät und Tag ab dem 4. Monat, mal 7)',
    'Uses per week (target 100 for all terminals together; for a site or terminal 15 per device and day from month 4, times 7)',
  ),
  d(
    'uses-per-device-day',
    'derived',
    'uses/day',
    'Nutzungen je Gerät und Tag ab Installation',
    'Uses per device and day since installation',
  ),
  d(
    'uses-per-device-day-m4',
    'derived',
    'uses/day',
    'Nutzungen je Gerät und Tag ab dem 4. Monat nach Installation (Ziel: 15)',
    'Uses per device and day from the 4th month after installation (target 15)',
  ),
  d(
    'time-on-task-median',
    'derived',
    's',
    'Median der Dauer abgeschlossener Besuche',
    'Median duration of completed visits',
  ),
  d(
    'satisfaction-mean',
    'derived',
    '1-5',
    'Mittlere Zufriedenheit (freiwillige Befragung, 1–5)',
    'Mean satisfaction (optional survey, 1-5)',
  ),
  d(
    'survey-answers',
    'count',
    'visits',
    'Besuche mit Antwort zur Zufriedenheit',
    'Visits with a satisfaction answer',
  ),
  d(
    'items-loaded',
    'count',
    'items',
    'Eingelegte Sendungen und Dokumente (nach Einlegedatum)',
    'Items loaded (by loading date)',
  ),
  d('items-picked-up', 'count', 'items', 'Davon abgeholt', 'Of these, picked up'),
  d(
    'items-expired',
    'count',
    'items',
    'Davon nicht abgeholt (Frist abgelaufen)',
    'Of these, expired (not picked up in time)',
  ),
  d(
    'expiry-rate',
    'derived',
    'share',
    'Anteil nicht abgeholter an eingelegten Sendungen',
    'Expired items / loaded items',
  ),
  d(
    'dwell-median',
    'derived',
    'h',
    'Median der Liegezeit bis zur Abholung',
    'Median time from loading to pickup',
  ),
  d(
    'staff-items',
    'count',
    'items',
    'Von Mitarbeitenden eingelegte oder entnommene Sendungen',
    'Items loaded or retrieved by staff',
  ),
  d(
    'staff-minutes-per-item',
    'derived',
    'min/item',
    'Arbeitszeit am Terminal je Sendung (Einlegen, Entnehmen)',
    'Staff time at the terminal per item (loading, retrieval)',
  ),
  d(
    'counter-visits-avoided',
    'count',
    'visits',
    'Vermiedene Schaltergänge (Befragung: sonst zum Bürgerbüro)',
    'Counter visits avoided (survey: would have gone to the office)',
  ),
  d('counter-visits-avoided-car', 'count', 'visits', 'Davon mit dem Auto', 'Of these, by car'),
  d(
    'car-km-saved',
    'derived',
    'km',
    'Eingesparte Pkw-Kilometer (Hin- und Rückweg)',
    'Car kilometres saved (round trip)',
  ),
  d(
    'co2-saved',
    'derived',
    'kg CO2e',
    'Eingesparte Treibhausgase der Pkw-Fahrten',
    'Greenhouse gases of the car trips saved',
  ),
  d(
    'parcel-recipients',
    'count',
    'people',
    'Verschiedene Paketempfänger (Pseudonyme je Zeitraum)',
    'Distinct parcel recipients (pseudonyms per period)',
  ),
  d(
    'parcel-reach',
    'derived',
    'share',
    'Paketempfänger / Einwohner im Umkreis von 1 km (Ziel: 20/30/35 % nach 1/2/3 Jahren)',
    'Parcel recipients / residents within 1 km (target 20/30/35 % after 1/2/3 years)',
  ),
  d(
    'reopens',
    'count',
    'openings',
    'Erneute Öffnungen eines Fachs nach der Abholung',
    'Compartments opened again after a pickup',
  ),
  d(
    'wrong-entries',
    'count',
    'entries',
    'Falsch eingegebene Codes oder Geburtsdaten',
    'Wrong codes or dates of birth entered',
  ),
  d(
    'door-faults',
    'technical',
    'doors',
    'Türen, die sich bei einem Besuch nicht öffneten',
    'Doors that failed during a visit',
  ),
  d(
    'door-alarms',
    'technical',
    'alarms',
    'Türalarme (offen gelassen, aufgebrochen)',
    'Door alarms (left open, forced open)',
  ),
  d(
    'retrieval-rounds',
    'count',
    'rounds',
    'Entnahmerunden von Mitarbeitenden (abgelaufene oder zurückgezogene Sendungen)',
    'Retrieval rounds by staff (expired or withdrawn items)',
  ),
  d(
    'staff-minutes-per-retrieval-round',
    'derived',
    'min/round',
    'Arbeitszeit am Terminal je Entnahmerunde',
    'Staff time at the terminal per retrieval round',
  ),
  d(
    'board-availability',
    'technical',
    'share',
    'Verfügbarkeit der Schlossplatinen: Stunden mit Lebenszeichen, in denen keine Platine ausgefallen war / Stunden mit Lebenszeichen',
    'Lock board availability: hours with a status report and no board offline / hours with a status report',
  ),
  d(
    'availability',
    'technical',
    'share',
    'Verfügbarkeit: Stunden mit Lebenszeichen / Stunden seit Installation',
    'Availability: hours with a status report / hours since installation',
  ),
];
export const KPI_KIND = new Map(KPI_DEFINITIONS.map((def) => [def.id, def.kind]));
/** The counts a derived figure would reveal: it is suppressed whenever one of them is. */
export const DERIVED_BASIS: Readonly<Record<string, readonly string[]>> = {
  'completion-rate': ['uses', 'visits'],
  'abandonment-rate': ['gave-up', 'visits'],
  'uses-per-week': ['uses'],
  'uses-per-device-day': ['uses'],
  'uses-per-device-day-m4': ['uses'],
  'time-on-task-median': ['uses'],
  'satisfaction-mean': ['survey-answers'],
  'expiry-rate': ['items-expired', 'items-loaded'],
  'dwell-median': ['items-picked-up'],
  'staff-minutes-per-item': ['staff-items'],
  'staff-minutes-per-retrieval-round': ['retrieval-rounds'],
  'car-km-saved': ['counter-visits-avoided-car'],
  'co2-saved': ['counter-visits-avoided-car'],
  'parcel-reach': ['parcel-recipients'],
};

/** One cell's raw material. */
interface Acc {
  visits: number;
  outcomes: Map<string, number>;
  gaveUpAt: Map<string, number>;
  durations: number[];
  satisfaction: number[];
  reopens: number;
  wrongEntries: number;
  doorFaults: number;
  avoided: number;
  avoidedCar: number;
  carKm: number;
  loaded: number;
  pickedUp: number;
  expired: number;
  dwells: number[];
  recipients: Set<string>;
  staffMs: number;
  staffItems: number;
  retrievalMs: number;
  retrievalRounds: number;
  /** Calendar days of the cell with at least one terminal installed. */
  days: Set<string>;
  deviceDays: number;
  deviceDaysM4: number;
  usesM4: number;
  hoursUp: number;
  /** Hours with a status report that named a board offline. */
  boardHoursDown: number;
  doorAlarms: number;
}
const newAcc = (): Acc => ({
  visits: 0,
  outcomes: new Map(),
  gaveUpAt: new Map(),
  durations: [],
  satisfaction: [],
  reopens: 0,
  wrongEntries: 0,
  doorFaults: 0,
  avoided: 0,
  avoidedCar: 0,
  carKm: 0,
  loaded: 0,
  pickedUp: 0,
  expired: 0,
  dwells: [],
  recipients: new Set(),
  staffMs: 0,
  staffItems: 0,
  retrievalMs: 0,
  retrievalRounds: 0,
  days: new Set(),
  deviceDays: 0,
  deviceDaysM4: 0,
  usesM4: 0,
  hoursUp: 0,
  boardHoursDown: 0,
  doorAlarms: 0,
});
const bump = (map: Map<string, number>, key: string, by = 1) =>
  map.set(key, (map.get(key) ?? 0) + by);

export interface Terminal {
  id: string;
  label: string;
  site: string;
  installedOn: string;
}

export interface KpiInput {
  from: string;
  to: string;
  config: EvaluationConfig;
}

export interface KpiResult {
  rows: KpiRow[];
  terminals: Terminal[];
  /** Additive groups: a parent row key and the row keys that add up to it. */
  groups: { parent: string; children: string[] }[];
}

export const rowKey = (
  row: Pick<KpiRow, 'kpi' | 'breakdown' | 'scope' | 'scopeId' | 'periodKind' | 'period'>,
) => `${row.kpi}|${row.breakdown}|${row.scope}|${row.scopeId}|${row.periodKind}|${row.period}`;

/** Great-circle distance in km. */
function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Reads the evaluation tables for the period and computes every KPI row. */
export async function computeKpis(sql: SqlQueryable, input: KpiInput): Promise<KpiResult> {
  const { from, to, config } = input;
  const dayOf = dayOfFn(config.timeZone);
  // A day either side: local days are cut by dayOf below.
  const lo = Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10)) - DAY_MS;
  const hi = Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10)) + 2 * DAY_MS;
  const inPeriod = (at: number) => {
    const day = dayOf(at);
    return day >= from && day <= to ? day : undefined;
  };

  const devices = await sql.all<{ id: string; label: string | null; enrolled_at: number }>(
    'SELECT id, label, enrolled_at FROM devices ORDER BY label, id',
  );
  const terminals: Terminal[] = devices.map((device) => {
    const label = device.label ?? device.id;
    const configured = config.terminals[label];
    return {
      id: device.id,
      label,
      site: configured?.site ?? label,
      installedOn: configured?.installedOn ?? dayOf(Number(device.enrolled_at)),
    };
  });
  const byId = new Map(terminals.map((t) => [t.id, t]));
  const cells = new Map<string, Acc>();
  const cellKey = (scope: Scope, scopeId: string, periodKind: PeriodKind, period: string) =>
    `${scope}|${scopeId}|${periodKind}|${period}`;
  const totalPeriod = `${from}/${to}`;
  /** The accumulators an event of this terminal (and service) on this day counts in. */
  const accsFor = (
    terminal: Terminal,
    day: string,
    service: string | null,
    serviceOnly = false,
  ): Acc[] => {
    const scopes: [Scope, string][] = serviceOnly
      ? []
      : [
          ['total', 'all'],
          ['terminal', terminal.label],
          ['site', terminal.site],
        ];
    if (service) scopes.push(['service', service]);
    const periods: [PeriodKind, string][] = [
      ['week', isoWeek(day)],
      ['month', monthOf(day)],
      ['total', totalPeriod],
    ];
    const accs: Acc[] = [];
    for (const [scope, scopeId] of scopes) {
      for (const [kind, period] of periods) {
        const key = cellKey(scope, scopeId, kind, period);
        let acc = cells.get(key);
        if (!acc) {
          acc = newAcc();
          cells.set(key, acc);
        }
        accs.push(acc);
      }
    }
    return accs;
  };
  const m4Start = new Map(terminals.map((t) => [t.id, addMonths(t.installedOn, 3)]));
  /** Days of each ISO week inside the period (the first and last week may have fewer than 7). */
  const weekDays = new Map<string, number>();
  for (const day of daysBetween(from, to)) bump(weekDays, isoWeek(day));

  // Device-days and expected hours: every installed day of the period.
  for (const terminal of terminals) {
    for (const day of daysBetween(from, to)) {
      if (day < terminal.installedOn) continue;
      const m4 = day >= m4Start.get(terminal.id)!;
      for (const acc of accsFor(terminal, day, null)) {
        acc.deviceDays += 1;
        acc.days.add(day);
        if (m4) acc.deviceDaysM4 += 1;
      }
    }
  }

  const sessions = await sql.all<{
    device_id: string;
    service: string | null;
    outcome: string | null;
    abandon_step: string | null;
    ended_at: number;
    duration_ms: number | null;
    reopened: number;
    wrong_entries: number;
    door_faults: number;
    satisfaction: number | null;
    alternative: string | null;
    distance_band: string | null;
  }>(
    `SELECT device_id, service, outcome, abandon_step, ended_at, duration_ms, reopened,
       wrong_entries, door_faults, satisfaction, alternative, distance_band
     FROM eval_sessions WHERE ended_at >= ? AND ended_at < ?`,
    [lo, hi],
  );
  const detour = config.parameters.detourFactor.value;
  for (const s of sessions) {
    const terminal = byId.get(s.device_id);
    const day = inPeriod(Number(s.ended_at));
    if (!terminal || !day || (s.service !== null && NOT_CITIZEN.has(s.service))) continue;
    const outcome = s.outcome ?? 'outcome-unknown';
    const completed = outcome === 'completed';
    const gaveUp = outcome === 'abandoned' || outcome === 'timed-out';
    const site = config.sites[terminal.site];
    const straight =
      site?.location && site.office ? haversineKm(site.location, site.office) * detour : null;
    const oneWayKm = s.distance_band ? (BAND_KM[s.distance_band] ?? null) : straight;
    const counter =
      completed &&
      s.alternative !== null &&
      (COUNTER.has(s.alternative) || s.alternative === 'town-hall-visit');
    const byCar = completed && s.alternative === 'counter-car';
    const m4 = day >= m4Start.get(terminal.id)!;
    for (const acc of accsFor(terminal, day, s.service)) {
      acc.visits += 1;
      bump(acc.outcomes, completed ? 'uses' : outcome);
      if (gaveUp) bump(acc.gaveUpAt, s.abandon_step ?? (s.service ? 'unknown' : 'start'));
      if (completed && s.duration_ms !== null) acc.durations.push(Number(s.duration_ms) / 1000);
      if (completed && m4) acc.usesM4 += 1;
      if (s.satisfaction !== null) acc.satisfaction.push(Number(s.satisfaction));
      acc.reopens += Number(s.reopened);
      acc.wrongEntries += Number(s.wrong_entries);
      acc.doorFaults += Number(s.door_faults);
      if (counter) acc.avoided += 1;
      if (byCar) {
        acc.avoidedCar += 1;
        if (oneWayKm !== null) acc.carKm += 2 * oneWayKm;
      }
    }
  }

  // Applications (issue #12) per form: each one begun counts as a use of its own service
  // `application-<form>` when submitted, as given up (at its step) when abandoned. The visit
  // itself is counted above, under `application`, so the totals stay visits.
  const applications = await sql.all<{
    device_id: string;
    form: string;
    event: string;
    step: string | null;
    duration_ms: number | null;
    at: number;
  }>(
    `SELECT device_id, form, event, step, duration_ms, at FROM eval_applications
     WHERE at >= ? AND at < ? AND event IN ('submitted', 'abandoned')`,
    [lo, hi],
  );
  for (const a of applications) {
    const terminal = byId.get(a.device_id);
    const day = inPeriod(Number(a.at));
    if (!terminal || !day) continue;
    const submitted = a.event === 'submitted';
    for (const acc of accsFor(terminal, day, `application-${a.form}`, true)) {
      acc.visits += 1;
      bump(acc.outcomes, submitted ? 'uses' : 'abandoned');
      if (!submitted) bump(acc.gaveUpAt, a.step ?? 'needs');
      if (submitted && a.duration_ms !== null) acc.durations.push(Number(a.duration_ms) / 1000);
    }
  }

  const items = await sql.all<{
    device_id: string;
    kind: string | null;
    loaded_at: number;
    ended_at: number | null;
    outcome: string | null;
    recipient: string | null;
  }>(
    `SELECT device_id, kind, loaded_at, ended_at, outcome, recipient FROM eval_items
     WHERE loaded_at >= ? AND loaded_at < ?`,
    [lo, hi],
  );
  for (const item of items) {
    const terminal = byId.get(item.device_id);
    const day = inPeriod(Number(item.loaded_at));
    if (!terminal || !day || item.kind === 'drop-off') continue;
    const service = item.kind ? (SERVICE_OF_KIND[item.kind] ?? null) : null;
    for (const acc of accsFor(terminal, day, service)) {
      acc.loaded += 1;
      if (item.outcome === 'picked-up') {
        acc.pickedUp += 1;
        if (item.ended_at !== null) {
          acc.dwells.push((Number(item.ended_at) - Number(item.loaded_at)) / HOUR_MS);
        }
      }
      if (item.outcome === 'expired') acc.expired += 1;
      // Pseudonyms are per period key (year): the pair is the person within that period.
      if (item.kind === 'parcel' && item.recipient) {
        acc.recipients.add(
          `${new Date(Number(item.loaded_at)).getUTCFullYear()}:${item.recipient}`,
        );
      }
    }
  }

  const work = await sql.all<{
    device_id: string;
    task: string;
    items: number;
    duration_ms: number | null;
    at: number;
  }>(
    `SELECT device_id, task, items, duration_ms, at FROM eval_work
     WHERE at >= ? AND at < ? AND task IN ('load', 'retrieve')`,
    [lo, hi],
  );
  for (const w of work) {
    const terminal = byId.get(w.device_id);
    const day = inPeriod(Number(w.at));
    if (!terminal || !day || w.duration_ms === null) continue;
    for (const acc of accsFor(terminal, day, null)) {
      acc.staffMs += Number(w.duration_ms);
      acc.staffItems += Number(w.items);
      if (w.task === 'retrieve') {
        acc.retrievalMs += Number(w.duration_ms);
        acc.retrievalRounds += 1;
      }
    }
  }

  const uptime = await sql.all<{ device_id: string; hour: number }>(
    'SELECT device_id, hour FROM eval_uptime WHERE hour >= ? AND hour < ?',
    [Math.floor(lo / HOUR_MS), Math.ceil(hi / HOUR_MS)],
  );
  for (const u of uptime) {
    const terminal = byId.get(u.device_id);
    const day = inPeriod(Number(u.hour) * HOUR_MS);
    if (!terminal || !day || day < terminal.installedOn) continue;
    for (const acc of accsFor(terminal, day, null)) acc.hoursUp += 1;
  }
  // An hour counts once however many boards were down; only hours with a report (uptime).
  const boardsDown = await sql.all<{ device_id: string; hour: number }>(
    `SELECT DISTINCT b.device_id, b.hour FROM eval_board_offline b
     JOIN eval_uptime u ON u.device_id = b.device_id AND u.hour = b.hour
     WHERE b.hour >= ? AND b.hour < ?`,
    [Math.floor(lo / HOUR_MS), Math.ceil(hi / HOUR_MS)],
  );
  for (const b of boardsDown) {
    const terminal = byId.get(b.device_id);
    const day = inPeriod(Number(b.hour) * HOUR_MS);
    if (!terminal || !day || day < terminal.installedOn) continue;
    for (const acc of accsFor(terminal, day, null)) acc.boardHoursDown += 1;
  }
  const alarms = await sql.all<{ device_id: string; at: number }>(
    'SELECT device_id, at FROM eval_door_alarms WHERE at >= ? AND at < ?',
    [lo, hi],
  );
  for (const alarm of alarms) {
    const terminal = byId.get(alarm.device_id);
    const day = inPeriod(Number(alarm.at));
    if (!terminal || !day) continue;
    for (const acc of accsFor(terminal, day, null)) acc.doorAlarms += 1;
  }

  const rows: KpiRow[] = [];
  for (const [key, acc] of cells) {
    const [scope, scopeId, periodKind, period] = key.split('|') as [
      Scope,
      string,
      PeriodKind,
      string,
    ];
    const partial =
      periodKind === 'week' &&
      ((weekDays.get(period) ?? 0) < 7 || (scope !== 'service' && acc.days.size < 7));
    const cellRows = rowsOf(acc, { scope, scopeId, periodKind, period }, { config, terminals, to });
    if (partial) for (const row of cellRows) row.flag = withFlag(row.flag, PARTIAL_WEEK);
    rows.push(...cellRows);
  }
  return { rows, terminals, groups: additiveGroups(rows, terminals) };
}

interface Cell {
  scope: Scope;
  scopeId: string;
  periodKind: PeriodKind;
  period: string;
}

/**
 * A site's (or terminal's) share of the pilot's target per week: 15 uses per device and day
 * for the devices in their 4th month or later, as a weekly rate over the cell's days (so a
 * partial week compares like with like). None while no device has reached month 4.
 */
function weeklyDeviceTarget(acc: Acc): number | null {
  if (acc.deviceDaysM4 === 0 || acc.days.size === 0) return null;
  return round((USES_PER_DEVICE_DAY_TARGET * 7 * acc.deviceDaysM4) / acc.days.size, 1);
}

function rowsOf(
  acc: Acc,
  cell: Cell,
  context: { config: EvaluationConfig; terminals: Terminal[]; to: string },
): KpiRow[] {
  const rows: KpiRow[] = [];
  const add = (kpi: string, value: number | null, n: number | null, extra: Partial<KpiRow> = {}) =>
    rows.push({
      kpi,
      ...cell,
      breakdown: '',
      value,
      n,
      target: null,
      flag: '',
      suppressed: false,
      ...extra,
    });
  const count = (kpi: string, value: number, extra: Partial<KpiRow> = {}) =>
    add(kpi, value, value, extra);
  const share = (num: number, den: number) => (den > 0 ? round(num / den, 4) : null);
  const outcome = (name: string) => acc.outcomes.get(name) ?? 0;
  const isService = cell.scope === 'service';

  const uses = outcome('uses');
  count('visits', acc.visits);
  count('uses', uses);
  for (const name of ['abandoned', 'timed-out', 'failed', 'interrupted', 'outcome-unknown'])
    count(name, outcome(name));
  const gaveUp = outcome('abandoned') + outcome('timed-out');
  count('gave-up', gaveUp);
  for (const [step, n] of [...acc.gaveUpAt].sort())
    count('gave-up-at-step', n, { breakdown: `step=${step}` });
  add('completion-rate', share(uses, acc.visits), acc.visits);
  add('abandonment-rate', share(gaveUp, acc.visits), acc.visits);
  if (!isService) {
    // The pilot's target is for all terminals together.
    const weeks = acc.days.size / 7;
    add('uses-per-week', weeks > 0 ? round(uses / weeks, 2) : null, uses, {
      target: cell.scope === 'total' ? USES_PER_WEEK_TARGET : weeklyDeviceTarget(acc),
    });
    add('uses-per-device-day', acc.deviceDays > 0 ? round(uses / acc.deviceDays, 2) : null, uses);
    add(
      'uses-per-device-day-m4',
      acc.deviceDaysM4 > 0 ? round(acc.usesM4 / acc.deviceDaysM4, 2) : null,
      acc.usesM4,
      {
        target: USES_PER_DEVICE_DAY_TARGET,
        flag: 'from-month-4',
      },
    );
  }
  const tot = median(acc.durations);
  add('time-on-task-median', tot === null ? null : round(tot, 1), acc.durations.length);
  count('survey-answers', acc.satisfaction.length);
  const sat = acc.satisfaction.length
    ? acc.satisfaction.reduce((a, b) => a + b, 0) / acc.satisfaction.length
    : null;
  add('satisfaction-mean', sat === null ? null : round(sat, 2), acc.satisfaction.length);
  count('items-loaded', acc.loaded);
  count('items-picked-up', acc.pickedUp);
  count('items-expired', acc.expired);
  add('expiry-rate', share(acc.expired, acc.loaded), acc.loaded);
  const dwell = median(acc.dwells);
  add('dwell-median', dwell === null ? null : round(dwell, 1), acc.dwells.length);
  if (!isService) {
    count('staff-items', acc.staffItems);
    add(
      'staff-minutes-per-item',
      acc.staffItems > 0 ? round(acc.staffMs / 60_000 / acc.staffItems, 2) : null,
      acc.staffItems,
    );
    count('retrieval-rounds', acc.retrievalRounds);
    add(
      'staff-minutes-per-retrieval-round',
      acc.retrievalRounds > 0 ? round(acc.retrievalMs / 60_000 / acc.retrievalRounds, 2) : null,
      acc.retrievalRounds,
    );
  }
  count('counter-visits-avoided', acc.avoided);
  count('counter-visits-avoided-car', acc.avoidedCar);
  add('car-km-saved', round(acc.carKm, 1), acc.avoidedCar);
  const co2 = (acc.carKm * context.config.parameters.co2GramsPerCarKm.value) / 1000;
  add('co2-saved', round(co2, 1), acc.avoidedCar);
  count('reopens', acc.reopens);
  count('wrong-entries', acc.wrongEntries);
  add('door-faults', acc.doorFaults, null);
  if (!isService) {
    add('door-alarms', acc.doorAlarms, null);
    const hours = acc.deviceDays * 24;
    add('availability', hours > 0 ? round(Math.min(1, acc.hoursUp / hours), 4) : null, hours);
    add(
      'board-availability',
      acc.hoursUp > 0 ? round((acc.hoursUp - acc.boardHoursDown) / acc.hoursUp, 4) : null,
      acc.hoursUp,
    );
  }
  if ((cell.scope === 'site' || cell.scope === 'total') && cell.periodKind === 'total') {
    count('parcel-recipients', acc.recipients.size);
    const reach = parcelReach(acc, cell, context);
    if (reach) add('parcel-reach', reach.value, acc.recipients.size, { target: reach.target });
  }
  return rows;
}

function parcelReach(
  acc: Acc,
  cell: Cell,
  context: { config: EvaluationConfig; terminals: Terminal[]; to: string },
): { value: number | null; target: number | null } | undefined {
  const sites = Object.entries(context.config.sites).filter(
    ([name, site]) =>
      site.residentsWithin1km !== undefined && (cell.scope === 'total' || name === cell.scopeId),
  );
  const residents = sites.reduce((sum, [, site]) => sum + (site.residentsWithin1km ?? 0), 0);
  if (residents === 0) return undefined;
  const installed = context.terminals
    .filter((t) => sites.some(([name]) => name === t.site))
    .map((t) => t.installedOn)
    .sort()[0];
  const years = installed
    ? Math.max(1, Math.ceil((Date.parse(context.to) - Date.parse(installed)) / (365.25 * DAY_MS)))
    : 1;
  return {
    value: round(acc.recipients.size / residents, 4),
    target: REACH_TARGETS[Math.min(years, 3) - 1] ?? null,
  };
}

/** Count KPIs that add up: what a total minus the shown cells could reveal (suppression.ts). */
export function additiveGroups(
  rows: KpiRow[],
  terminals: Terminal[],
): { parent: string; children: string[] }[] {
  const counts = rows.filter(
    (row) => KPI_KIND.get(row.kpi) === 'count' && row.kpi !== 'parcel-recipients',
  );
  const keys = new Set(counts.map(rowKey));
  const groups: { parent: string; children: string[] }[] = [];
  const group = (parent: string, children: string[]) => {
    const present = children.filter((child) => keys.has(child));
    if (keys.has(parent) && present.length > 0) groups.push({ parent, children: present });
  };
  const siteOf = new Map(terminals.map((t) => [t.label, t.site]));
  const sites = [...new Set(terminals.map((t) => t.site))];
  const services = [...new Set(counts.filter((r) => r.scope === 'service').map((r) => r.scopeId))];
  const periods = new Map<string, Set<string>>();
  for (const row of counts) {
    const set = periods.get(row.periodKind) ?? new Set();
    set.add(row.period);
    periods.set(row.periodKind, set);
  }
  const kpiBreakdowns = [...new Set(counts.map((r) => `${r.kpi}|${r.breakdown}`))];
  const key = (kb: string, scope: Scope, scopeId: string, periodKind: PeriodKind, period: string) =>
    `${kb}|${scope}|${scopeId}|${periodKind}|${period}`;
  for (const kb of kpiBreakdowns) {
    for (const [periodKind, set] of periods) {
      for (const period of set) {
        const at = (scope: Scope, id: string) =>
          key(kb, scope, id, periodKind as PeriodKind, period);
        group(
          at('total', 'all'),
          terminals.map((t) => at('terminal', t.label)),
        );
        group(
          at('total', 'all'),
          sites.map((s) => at('site', s)),
        );
        for (const site of sites) {
          group(
            at('site', site),
            terminals
              .filter((t) => siteOf.get(t.label) === site)
              .map((t) => at('terminal', t.label)),
          );
        }
        group(
          at('total', 'all'),
          services.map((s) => at('service', s)),
        );
      }
    }
    // Over time: the whole period is its months, and its weeks.
    const scopes: [Scope, string][] = [
      ['total', 'all'],
      ...terminals.map((t): [Scope, string] => ['terminal', t.label]),
      ...sites.map((s): [Scope, string] => ['site', s]),
      ...services.map((s): [Scope, string] => ['service', s]),
    ];
    const total = [...(periods.get('total') ?? [])][0];
    if (total === undefined) continue;
    for (const [scope, id] of scopes) {
      for (const kind of ['month', 'week'] as const) {
        group(
          key(kb, scope, id, 'total', total),
          [...(periods.get(kind) ?? [])].map((p) => key(kb, scope, id, kind, p)),
        );
      }
    }
  }
  // Within a cell: visits are uses plus each other outcome; given up is abandoned plus timed out.
  const cellsOf = new Set(counts.map((r) => `${r.scope}|${r.scopeId}|${r.periodKind}|${r.period}`));
  const steps = [
    ...new Set(counts.filter((r) => r.kpi === 'gave-up-at-step').map((r) => r.breakdown)),
  ];
  for (const cell of cellsOf) {
    const k = (kpi: string, breakdown = '') => `${kpi}|${breakdown}|${cell}`;
    group(
      k('visits'),
      ['uses', 'abandoned', 'timed-out', 'failed', 'interrupted', 'outcome-unknown'].map((x) =>
        k(x),
      ),
    );
    group(k('gave-up'), [k('abandoned'), k('timed-out')]);
    group(
      k('gave-up'),
      steps.map((step) => k('gave-up-at-step', step)),
    );
  }
  return groups;
}
