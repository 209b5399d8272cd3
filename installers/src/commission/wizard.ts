/**
 * The commissioning wizard's steps, in the order an installer meets them on site: the site,
 * the lock-board adapters (protocol and baud probed), the locks on each board, the walk
 * through every lock, the card reader and scanner, the fleet, then the site file and the
 * acceptance report. Every finished step is saved in the progress record first, so the
 * wizard started again continues where it stopped, and `--board N` walks one board again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { compartmentSizes, describeUnlockFailure, type Locker } from '@amtomat/locker-controller';
import type { CardReader, Scanner } from '@amtomat/locker-controller/devices';
import { PROTOCOLS, type ProtocolId } from '@amtomat/locker-controller/protocols';
import { confirm, input, select } from '@inquirer/prompts';
import { type DeviceSource, parseUsbId } from './devices.ts';
import { checkFleet, enrol } from './fleet.ts';
import { findAdapters, lockName, probeAdapter, type WalkBus, walkLocker } from './hardware.ts';
import {
  type DeviceResult,
  type LockRecord,
  newProgress,
  type Progress,
  progressPath,
  readProgress,
  saveProgress,
} from './progress.ts';
import { writeReport } from './report.ts';
import { writeSiteFile } from './site-file.ts';

export interface WizardOptions {
  siteFile: string;
  dataDir: string;
  serialDir: string;
  ports: string[];
  protocol: ProtocolId | undefined;
  baud: number | undefined;
  /** Walk this board again (after a repair); the rest stays as recorded. */
  board: { bus: string | undefined; board: number } | undefined;
  report: string | undefined;
  devices: DeviceSource;
  version: string;
  now: () => Date;
}

/** Ends the wizard with one line and an exit code; the progress record stays. */
export class Stop extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

const SCHEMA = join(import.meta.dirname, '..', '..', 'site.schema.json');
const DEVICE_WAIT_MS = 30_000;
const DOOR_REMINDER_MS = 30_000;

export async function runWizard(
  options: WizardOptions,
): Promise<{ siteFile: string; report: string }> {
  const recordPath = progressPath(options.siteFile);
  const loaded = readProgress(recordPath);
  if (!loaded.ok) throw new Stop(loaded.error, 2);
  const progress = loaded.value ?? newProgress(options.now());
  const save = () => {
    const saved = saveProgress(recordPath, progress);
    if (!saved.ok) throw new Stop(saved.error, 1);
  };
  if (options.board) reopenBoard(progress, options.board);
  else if (loaded.value?.finishedAt) {
    throw new Stop(
      `${options.siteFile} was commissioned on ${loaded.value.finishedAt.slice(0, 10)}; to walk one board again give --board N, to start afresh move ${recordPath} away`,
      2,
    );
  } else if (loaded.value) {
    console.log(
      `Continuing the commissioning in ${recordPath}: ${progress.locks.length} locks done.`,
    );
  }
  save();

  await askSite(progress, options);
  save();
  if (!progress.buses) {
    progress.buses = await findBuses(options);
    save();
  }
  const buses = progress.buses;
  await askLockCounts(buses);
  save();
  await walk(progress, buses, save);
  await testDevices(progress, save, options);
  await joinFleet(progress, save, options);

  const site = siteFile(progress, buses, options);
  const written = writeSiteFile(options.siteFile, site);
  if (!written.ok) throw new Stop(written.error, 1);
  progress.finishedAt = options.now().toISOString();
  const report =
    options.report ?? join(dirname(options.siteFile), `acceptance-${progress.site!.id}.pdf`);
  await writeReport(report, progress, { version: options.version, siteFile: options.siteFile });
  save();
  console.log(`Site file written: ${options.siteFile}`);
  console.log(`Acceptance report: ${report} (print it, sign it with the town hall)`);
  return { siteFile: options.siteFile, report };
}

function reopenBoard(progress: Progress, wanted: { bus: string | undefined; board: number }) {
  if (!progress.finishedAt || !progress.buses) {
    throw new Stop('--board walks a board of a finished commissioning again; finish it first', 2);
  }
  const bus = progress.buses.find(
    (b) =>
      (wanted.bus === undefined || b.id === wanted.bus) &&
      b.boards.some((x) => x.board === wanted.board),
  );
  if (!bus) throw new Stop(`no board ${wanted.board} in this commissioning`, 2);
  progress.locks = progress.locks.filter((l) => !(l.bus === bus.id && l.board === wanted.board));
  delete progress.finishedAt;
}

/** A prompt answer checked by `check`, which returns the one-line message or nothing. */
function checked(check: (value: string) => string | undefined) {
  return (value: string) => check(value.trim()) ?? true;
}

function wholeNumber(min: number, max: number, extra?: (n: number) => string | undefined) {
  return checked((text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
      return `a whole number from ${min} to ${max}, please`;
    return extra?.(n);
  });
}

async function askNumber(
  message: string,
  min: number,
  max: number,
  extra?: (n: number) => string | undefined,
  fallback?: number,
) {
  const answer = await input({
    message,
    validate: wholeNumber(min, max, extra),
    ...(fallback !== undefined && { default: String(fallback) }),
  });
  return Number(answer.trim());
}

async function askSite(progress: Progress, options: WizardOptions) {
  progress.installer ??= (
    await input({
      message: 'Your name (the installer, for the acceptance report)',
      validate: checked((v) =>
        v.length >= 2 && v.length <= 80 ? undefined : 'your name, 2 to 80 characters',
      ),
    })
  ).trim();
  if (progress.site) return;
  const existing = readExistingSite(options.siteFile);
  const id = (
    await input({
      message: 'Site id (lowercase letters, digits and -, e.g. mayen-rathaus)',
      ...(existing?.site?.id && { default: existing.site.id }),
      validate: checked((v) =>
        /^[a-z0-9-]{2,40}$/.test(v)
          ? undefined
          : '2 to 40 lowercase letters, digits or -, e.g. mayen-rathaus',
      ),
    })
  ).trim();
  const name = (
    await input({
      message: 'Site name as people know it (e.g. Rathaus Mayen, Bürgerbüro)',
      ...(existing?.site?.name && { default: existing.site.name }),
      validate: checked((v) =>
        v.length >= 1 && v.length <= 80 ? undefined : 'a name of 1 to 80 characters',
      ),
    })
  ).trim();
  progress.site = { id, name };
}

async function findBuses(options: WizardOptions): Promise<NonNullable<Progress['buses']>> {
  const adapters = findAdapters(options.serialDir, options.ports);
  if (adapters.length === 0) {
    throw new Stop(
      `no USB-serial adapter in ${options.serialDir}: plug in the lock-board adapter (dmesg | tail shows whether the kernel saw it), or give --port PATH`,
      3,
    );
  }
  const buses: NonNullable<Progress['buses']> = [];
  for (const path of adapters) {
    console.log(`Looking for lock boards on ${path} …`);
    const probed = await probeAdapter(path, {
      ...(options.protocol && { protocol: options.protocol }),
      ...(options.baud && { baud: options.baud }),
    });
    if (!probed.ok) throw new Stop(probed.error, 3);
    if (!probed.value) {
      console.log(
        `  no board answers there (not a lock-board adapter, or A/B swapped, or no power)`,
      );
      continue;
    }
    const { protocol, baud, boards } = probed.value;
    console.log(`  ${protocol} at ${baud} baud: boards ${boards.join(', ')}`);
    buses.push({
      id: `bus${buses.length + 1}`,
      path,
      protocol,
      baud,
      boards: boards.map((board) => ({ board })),
    });
  }
  if (buses.length === 0) {
    throw new Stop(
      `no lock board answered on ${adapters.join(', ')}: check power, the A/B wires and the address switches, then start again`,
      4,
    );
  }
  return buses;
}

async function askLockCounts(buses: WalkBus[]) {
  for (const bus of buses) {
    const max = PROTOCOLS[bus.protocol].locksPerBoard;
    for (const board of bus.boards) {
      board.locks ??= await askNumber(
        `How many locks are wired to board ${board.board}${buses.length > 1 ? ` on ${bus.id}` : ''}? (from lock 1 up, at most ${max})`,
        1,
        max,
        undefined,
        max,
      );
    }
  }
}

async function walk(progress: Progress, buses: WalkBus[], save: () => void) {
  const all = buses.flatMap((bus) =>
    bus.boards.flatMap(({ board, locks }) =>
      Array.from({ length: locks ?? 0 }, (_, i) => ({ bus, board, lock: i + 1 })),
    ),
  );
  const done = (bus: string, board: number, lock: number) =>
    progress.locks.some((l) => l.bus === bus && l.board === board && l.lock === lock);
  const todo = all.filter(({ bus, board, lock }) => !done(bus.id, board, lock));
  if (todo.length === 0) return;
  const locker = walkLocker(buses);
  const failures = await locker.start();
  try {
    if (failures[0]) {
      const bus = buses.find((b) => b.id === failures[0]!.bus)!;
      throw new Stop(
        `the adapter ${bus.path} cannot be opened (${failures[0].error.kind}): plug it in again, then start the wizard again`,
        3,
      );
    }
    for (const { bus, board, lock } of todo) {
      const number = progress.locks.length + 1;
      console.log(`Lock ${number} of ${all.length}: board ${board}, lock ${lock} — opening …`);
      const record = await walkOne(locker, progress, bus, board, lock, all.length);
      progress.locks.push(record);
      save();
    }
  } finally {
    await locker.stop();
  }
}

async function walkOne(
  locker: Locker,
  progress: Progress,
  bus: WalkBus,
  board: number,
  lock: number,
  total: number,
): Promise<LockRecord> {
  const name = lockName(bus.id, board, lock);
  const here = { bus: bus.id, board, lock };
  // An unplugged adapter takes its device name with it; a silent board leaves it there.
  const gone = () =>
    new Stop(
      `the adapter ${bus.path} is gone (unplugged?): plug it in again and start the wizard again; it continues at board ${board}, lock ${lock} (${progress.locks.length} of ${total} locks done)`,
      3,
    );
  const check = () => {
    if (locker.door(name)?.boardOnline === false && !existsSync(bus.path)) throw gone();
  };
  for (;;) {
    const opened = await locker.unlock(name);
    if (opened.ok) break;
    if (opened.error.kind === 'port-closed' || !existsSync(bus.path)) throw gone();
    const why = describeUnlockFailure(opened.error);
    console.log(`Board ${board}, lock ${lock} did not open: ${why}.`);
    const next = await select({
      message: 'What now?',
      choices: [
        { name: 'Try again', value: 'retry' },
        { name: 'Leave this lock out (the report shows it as not opened)', value: 'skip' },
        { name: 'Stop here (the progress is kept)', value: 'stop' },
      ] as const,
    });
    if (next === 'skip') return { ...here, outcome: 'not-opened', failure: opened.error.kind };
    if (next === 'stop')
      throw new Stop(
        `stopped at board ${board}, lock ${lock}; start the wizard again to continue`,
        1,
      );
  }
  const labels = new Map(progress.locks.filter((l) => l.label).map((l) => [l.label!, l]));
  const label = (
    await input({
      message: 'Which door opened? Type the label on it (empty: no door opened)',
      validate: checked((v) => {
        if (v === '') return undefined;
        if (v.length > 16) return 'a label has at most 16 characters';
        const other = labels.get(v);
        if (other)
          return `${v} is already the door of board ${other.board}, lock ${other.lock}: read the label on the open door again`;
        return undefined;
      }),
    })
  ).trim();
  if (label === '') {
    console.log('No door on this lock; it stays out of the site file.');
    return { ...here, outcome: 'no-door' };
  }
  const size = await select({
    message: `Size of ${label}`,
    choices: compartmentSizes.map((value) => ({ value, name: value })),
    default: 'M',
  });
  const column = await askNumber(`Column of ${label} (1 = leftmost, facing the wall)`, 1, 40);
  const places = new Map(
    progress.locks.filter((l) => l.label).map((l) => [`${l.column}/${l.row}`, l.label!]),
  );
  const row = await askNumber(`Row of ${label} in column ${column} (1 = top)`, 1, 40, (n) => {
    const other = places.get(`${column}/${n}`);
    return other ? `column ${column}, row ${n} is already ${other}'s place` : undefined;
  });
  const heightCm = await askNumber(
    `Height of the floor of ${label} above the ground, in cm`,
    0,
    250,
  );
  const accessible = await confirm({
    message: `Can a person in a wheelchair reach into ${label}?`,
    default: heightCm >= 40 && heightCm <= 105,
  });
  const purpose = await select({
    message: `What is ${label} for?`,
    choices: [
      { name: 'pickup (documents for citizens, parcels)', value: 'pickup' },
      { name: 'drop-off (citizens put documents in)', value: 'drop-off' },
    ] as const,
  });
  const sensor = PROTOCOLS[bus.protocol].hasItemSensors
    ? await sensorTest(locker, name, label, check)
    : 'none';
  console.log(`Take everything out of ${label} and close its door.`);
  await doorClosed(locker, name, label, check);
  console.log(`${label}: closed.`);
  return {
    ...here,
    outcome: 'door',
    label,
    size,
    column,
    row,
    heightCm,
    accessible,
    purpose,
    closed: true,
    sensor,
  };
}

async function sensorTest(
  locker: Locker,
  name: string,
  label: string,
  check: () => void,
): Promise<'seen' | 'not-seen'> {
  await input({ message: `Put an object into ${label}, then press Enter` });
  const seen = await waitFor(() => {
    check();
    return locker.door(name)?.itemPresent === true;
  }, 1500);
  check();
  console.log(
    seen
      ? `The item sensor of ${label} sees it.`
      : `The item sensor of ${label} does not see it: ${label} is set up without one (check the sensor's cable to fix that).`,
  );
  return seen ? 'seen' : 'not-seen';
}

async function doorClosed(locker: Locker, name: string, label: string, check: () => void) {
  let reminded = false;
  const started = Date.now();
  while (locker.door(name)?.open !== false) {
    check();
    if (!reminded && Date.now() - started > DOOR_REMINDER_MS) {
      console.log(`${label} is still open: close it firmly (Ctrl-C stops, the progress is kept).`);
      reminded = true;
    }
    await sleep(50);
  }
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) return false;
    await sleep(25);
  }
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type DeviceKind = 'cardReader' | 'scanner';
const DEVICE_TEXT: Record<DeviceKind, { name: string; act: string }> = {
  cardReader: { name: 'card reader', act: 'Tap a card on the reader now' },
  scanner: { name: 'scanner', act: 'Scan a label now' },
};

async function testDevices(progress: Progress, save: () => void, options: WizardOptions) {
  for (const kind of ['cardReader', 'scanner'] as const) {
    if (progress.devices[kind]) continue;
    progress.devices[kind] = await testDevice(kind, options);
    save();
  }
}

async function testDevice(kind: DeviceKind, options: WizardOptions): Promise<DeviceResult> {
  const text = DEVICE_TEXT[kind];
  const fitted = await confirm({ message: `Is a ${text.name} fitted?`, default: true });
  if (!fitted) return { fitted: false, ok: true, detail: 'not fitted' };
  const id = await input({
    message: `USB id of the ${text.name} (vendor:product as lsusb shows it, e.g. 08ff:0035)`,
    validate: checked((v) =>
      parseUsbId(v) ? undefined : 'four hex digits, a colon, four hex digits, e.g. 08ff:0035',
    ),
  });
  const selector = parseUsbId(id)!;
  for (;;) {
    const result = await readOnce(kind, selector, options);
    if (result.ok) {
      console.log(`${text.name}: ${result.detail}.`);
      return { fitted: true, device: id.trim().toLowerCase(), ok: true, detail: result.detail };
    }
    console.log(`${text.name}: ${result.detail}.`);
    const again = await confirm({ message: `Try the ${text.name} again?`, default: true });
    if (!again)
      return { fitted: true, device: id.trim().toLowerCase(), ok: false, detail: result.detail };
  }
}

async function readOnce(
  kind: DeviceKind,
  selector: NonNullable<ReturnType<typeof parseUsbId>>,
  options: WizardOptions,
) {
  const opened =
    kind === 'cardReader'
      ? await options.devices.cardReader(selector)
      : await options.devices.scanner(selector);
  if (!opened.ok) return { ok: false, detail: opened.error };
  const device = opened.value;
  console.log(`${DEVICE_TEXT[kind].act} (within ${DEVICE_WAIT_MS / 1000} s).`);
  try {
    const read = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), DEVICE_WAIT_MS);
      const done = (value: string) => {
        clearTimeout(timer);
        resolve(value);
      };
      if (kind === 'cardReader') {
        (device as CardReader).onCard(({ uid }) =>
          done(`card read (number ending in ${uid.slice(-4)})`),
        );
      } else {
        (device as Scanner).onScan(({ text }) =>
          done(`label read (${text.length} characters, ${JSON.stringify(text.slice(0, 20))})`),
        );
      }
    });
    return read
      ? { ok: true, detail: read }
      : { ok: false, detail: `nothing read within ${DEVICE_WAIT_MS / 1000} s` };
  } finally {
    if (!options.devices.simulated) await device.close();
  }
}

const isOrigin = (text: string) => {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      !url.search &&
      !url.hash
    );
  } catch {
    return false;
  }
};

async function joinFleet(progress: Progress, save: () => void, options: WizardOptions) {
  if (progress.fleet?.deviceId || (progress.fleet && !progress.fleet.url)) return;
  for (;;) {
    const url = (
      await input({
        message:
          'Address of the fleet server (e.g. https://fleet.kreis-beispiel.de; empty: this terminal works alone)',
        validate: checked((v) =>
          v === '' || isOrigin(v)
            ? undefined
            : 'an address like https://fleet.kreis-beispiel.de, without a path',
        ),
      })
    )
      .trim()
      .replace(/\/$/, '');
    if (url === '') {
      progress.fleet = { reachable: false, detail: 'works alone (no fleet server)' };
      return save();
    }
    const reachable = await checkFleet(url);
    if (!reachable.ok) {
      console.log(reachable.error);
      continue;
    }
    console.log(`${url} answers.`);
    for (;;) {
      const token = await input({
        message: 'Enrolment token (from the IT: fleet-server enrol-token)',
        validate: checked((v) =>
          /^[A-Za-z0-9_-]{20,200}$/.test(v)
            ? undefined
            : 'the token is one long word of letters, digits, - and _; paste it whole',
        ),
      });
      const enrolled = await enrol({
        url,
        token: token.trim(),
        dataDir: options.dataDir,
        label: progress.site!.name,
      });
      if (enrolled.ok) {
        console.log(`Enrolled with the fleet as terminal ${enrolled.value}.`);
        progress.fleet = { url, reachable: true, deviceId: enrolled.value, detail: 'enrolled' };
        return save();
      }
      console.log(enrolled.error.message);
      if (!enrolled.error.retryable) throw new Stop(enrolled.error.message, 1);
    }
  }
}

interface ExistingSite {
  site?: { id?: string; name?: string };
  [key: string]: unknown;
}

function readExistingSite(path: string): ExistingSite | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ExistingSite;
  } catch {
    return undefined;
  }
}

/** The site file: what the walk found, over what an existing file says of the rest. */
function siteFile(
  progress: Progress,
  buses: WalkBus[],
  options: WizardOptions,
): Record<string, unknown> {
  const existing = readExistingSite(options.siteFile) ?? {};
  const doors = progress.locks.filter((l) => l.outcome === 'door');
  if (doors.length === 0) throw new Stop('no door was set up: the site file needs at least one', 1);
  const device = (kind: DeviceKind) => {
    const result = progress.devices[kind];
    const selector = result?.ok && result.device ? parseUsbId(result.device) : undefined;
    return selector ? { kind: 'hid', selector } : { kind: 'none' };
  };
  const usedBuses = buses.filter((bus) => doors.some((d) => d.bus === bus.id));
  return {
    ...existing,
    $schema: relative(dirname(options.siteFile), SCHEMA),
    site: { ...(existing.site ?? {}), id: progress.site!.id, name: progress.site!.name },
    locker: {
      ...((existing.locker as object | undefined) ?? {}),
      buses: usedBuses.map((bus) => ({
        id: bus.id,
        protocol: bus.protocol,
        transport: { kind: 'serial', path: bus.path, baud: bus.baud },
      })),
      compartments: doors.map((d) => ({
        label: d.label,
        size: d.size,
        bus: d.bus,
        board: d.board,
        lock: d.lock,
        ...(d.sensor === 'seen' && { hasItemSensor: true }),
      })),
    },
    compartments: Object.fromEntries(
      doors.map((d) => [
        d.label,
        {
          heightCm: d.heightCm,
          accessible: d.accessible,
          purpose: d.purpose,
          column: d.column,
          row: d.row,
        },
      ]),
    ),
    devices: { cardReader: device('cardReader'), scanner: device('scanner') },
    ...(progress.fleet?.deviceId && progress.fleet.url
      ? { sync: { url: progress.fleet.url } }
      : { sync: undefined }),
  };
}
