/**
 * The commissioning wizard's steps, in the order an installer meets them on site: the site,
 * the lock-board adapters (protocol and baud probed), the locks on each board, the walk
 * through every lock, the card reader, scanner and receipt printer, the fleet, then the site
 * file and the acceptance report. Every finished step is saved in the progress record first, so the
 * wizard started again continues where it stopped, and `--board N` walks one board again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import { compartmentSizes, type Locker, type UnlockFailure } from '@amtomat/locker-controller';
import type { CardReader, Scanner } from '@amtomat/locker-controller/devices';
import {
  type PrinterFault,
  type PrintSystem,
  waitForJob,
} from '@amtomat/locker-controller/printer';
import { PROTOCOLS, type ProtocolId } from '@amtomat/locker-controller/protocols';
import { confirm, input, select } from '@inquirer/prompts';
import { type DeviceSource, parseUsbId } from './devices.ts';
import { checkFleet, enrol } from './fleet.ts';
import { findAdapters, lockName, probeAdapter, type WalkBus, walkLocker } from './hardware.ts';
import { t } from './i18n.ts';
import { checkNumber, printerFaultText, writeTestPage } from './printer.ts';
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
  /** The OS print system the receipt printer is reached through (CUPS). */
  printer: PrintSystem;
  /** How long CUPS may take to hand the test page to the printer. */
  printWaitMs: number;
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
      t('wizard.finished', {
        siteFile: options.siteFile,
        date: loaded.value.finishedAt.slice(0, 10),
        record: recordPath,
      }),
      2,
    );
  } else if (loaded.value) {
    console.log(t('wizard.continuing', { record: recordPath, count: progress.locks.length }));
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
  if (!progress.devices.printer) {
    progress.devices.printer = await testPrinter(progress, options);
    save();
  }
  await joinFleet(progress, save, options);

  const site = siteFile(progress, buses, options);
  const written = writeSiteFile(options.siteFile, site);
  if (!written.ok) throw new Stop(written.error, 1);
  progress.finishedAt = options.now().toISOString();
  const report =
    options.report ?? join(dirname(options.siteFile), `acceptance-${progress.site!.id}.pdf`);
  await writeReport(report, progress, { version: options.version, siteFile: options.siteFile });
  save();
  console.log(t('wizard.siteWritten', { path: options.siteFile }));
  console.log(t('wizard.reportWritten', { path: report }));
  return { siteFile: options.siteFile, report };
}

function reopenBoard(progress: Progress, wanted: { bus: string | undefined; board: number }) {
  if (!progress.finishedAt || !progress.buses) {
    throw new Stop(t('wizard.boardNotFinished'), 2);
  }
  const bus = progress.buses.find(
    (b) =>
      (wanted.bus === undefined || b.id === wanted.bus) &&
      b.boards.some((x) => x.board === wanted.board),
  );
  if (!bus) throw new Stop(t('wizard.noSuchBoard', { board: wanted.board }), 2);
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
    if (!/^\d+$/.test(text) || n < min || n > max) return t('wizard.wholeNumber', { min, max });
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
      message: t('wizard.askName'),
      validate: checked((v) =>
        v.length >= 2 && v.length <= 80 ? undefined : t('wizard.nameInvalid'),
      ),
    })
  ).trim();
  if (progress.site) return;
  const existing = readExistingSite(options.siteFile);
  const id = (
    await input({
      message: t('wizard.askSiteId'),
      ...(existing?.site?.id && { default: existing.site.id }),
      validate: checked((v) =>
        /^[a-z0-9-]{2,40}$/.test(v) ? undefined : t('wizard.siteIdInvalid'),
      ),
    })
  ).trim();
  const name = (
    await input({
      message: t('wizard.askSiteName'),
      ...(existing?.site?.name && { default: existing.site.name }),
      validate: checked((v) =>
        v.length >= 1 && v.length <= 80 ? undefined : t('wizard.siteNameInvalid'),
      ),
    })
  ).trim();
  progress.site = { id, name };
}

async function findBuses(options: WizardOptions): Promise<NonNullable<Progress['buses']>> {
  const adapters = findAdapters(options.serialDir, options.ports);
  if (adapters.length === 0) {
    throw new Stop(t('wizard.noAdapter', { dir: options.serialDir }), 3);
  }
  const buses: NonNullable<Progress['buses']> = [];
  for (const path of adapters) {
    console.log(t('wizard.probing', { path }));
    const probed = await probeAdapter(path, {
      ...(options.protocol && { protocol: options.protocol }),
      ...(options.baud && { baud: options.baud }),
    });
    if (!probed.ok) throw new Stop(probed.error, 3);
    if (!probed.value) {
      console.log(t('wizard.noBoardHere'));
      continue;
    }
    const { protocol, baud, boards } = probed.value;
    console.log(t('wizard.boardsFound', { protocol, baud, boards: boards.join(', ') }));
    buses.push({
      id: `bus${buses.length + 1}`,
      path,
      protocol,
      baud,
      boards: boards.map((board) => ({ board })),
    });
  }
  if (buses.length === 0) {
    throw new Stop(t('wizard.noBoardAnswered', { adapters: adapters.join(', ') }), 4);
  }
  return buses;
}

async function askLockCounts(buses: WalkBus[]) {
  for (const bus of buses) {
    const max = PROTOCOLS[bus.protocol].locksPerBoard;
    for (const board of bus.boards) {
      board.locks ??= await askNumber(
        buses.length > 1
          ? t('wizard.askLocksOnBus', { board: board.board, bus: bus.id, max })
          : t('wizard.askLocks', { board: board.board, max }),
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
        t('wizard.adapterCannotOpen', { path: bus.path, kind: failures[0].error.kind }),
        3,
      );
    }
    for (const { bus, board, lock } of todo) {
      const number = progress.locks.length + 1;
      console.log(t('wizard.opening', { number, total: all.length, board, lock }));
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
      t('wizard.adapterGone', {
        path: bus.path,
        board,
        lock,
        done: progress.locks.length,
        total,
      }),
      3,
    );
  const check = () => {
    if (locker.door(name)?.boardOnline === false && !existsSync(bus.path)) throw gone();
  };
  for (;;) {
    const opened = await locker.unlock(name);
    if (opened.ok) break;
    if (opened.error.kind === 'port-closed' || !existsSync(bus.path)) throw gone();
    const why = unlockFailure(opened.error);
    console.log(t('wizard.didNotOpen', { board, lock, why }));
    const next = await select({
      message: t('wizard.whatNow'),
      choices: [
        { name: t('wizard.retry'), value: 'retry' },
        { name: t('wizard.skip'), value: 'skip' },
        { name: t('wizard.stop'), value: 'stop' },
      ] as const,
    });
    if (next === 'skip') return { ...here, outcome: 'not-opened', failure: opened.error.kind };
    if (next === 'stop') throw new Stop(t('wizard.stopped', { board, lock }), 1);
  }
  const labels = new Map(progress.locks.filter((l) => l.label).map((l) => [l.label!, l]));
  const label = (
    await input({
      message: t('wizard.askLabel'),
      validate: checked((v) => {
        if (v === '') return undefined;
        if (v.length > 16) return t('wizard.labelTooLong');
        const other = labels.get(v);
        if (other)
          return t('wizard.labelTaken', { label: v, board: other.board, lock: other.lock });
        return undefined;
      }),
    })
  ).trim();
  if (label === '') {
    console.log(t('wizard.noDoor'));
    return { ...here, outcome: 'no-door' };
  }
  const size = await select({
    message: t('wizard.askSize', { label }),
    choices: compartmentSizes.map((value) => ({ value, name: value })),
    default: 'M',
  });
  const column = await askNumber(t('wizard.askColumn', { label }), 1, 40);
  const places = new Map(
    progress.locks.filter((l) => l.label).map((l) => [`${l.column}/${l.row}`, l.label!]),
  );
  const row = await askNumber(t('wizard.askRow', { label, column }), 1, 40, (n) => {
    const other = places.get(`${column}/${n}`);
    return other ? t('wizard.placeTaken', { column, row: n, other }) : undefined;
  });
  const heightCm = await askNumber(t('wizard.askHeight', { label }), 0, 250);
  const accessible = await confirm({
    message: t('wizard.askAccessible', { label }),
    default: heightCm >= 40 && heightCm <= 105,
  });
  const purpose = await select({
    message: t('wizard.askPurpose', { label }),
    choices: [
      { name: t('wizard.purposePickup'), value: 'pickup' },
      { name: t('wizard.purposeDropOff'), value: 'drop-off' },
    ] as const,
  });
  const sensor = PROTOCOLS[bus.protocol].hasItemSensors
    ? await sensorTest(locker, name, label, check)
    : 'none';
  console.log(t('wizard.emptyIt', { label }));
  await doorClosed(locker, name, label, check);
  console.log(t('wizard.closed', { label }));
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
  await input({ message: t('wizard.putObject', { label }) });
  const seen = await waitFor(() => {
    check();
    return locker.door(name)?.itemPresent === true;
  }, 1500);
  check();
  console.log(t(seen ? 'wizard.sensorSees' : 'wizard.sensorBlind', { label }));
  return seen ? 'seen' : 'not-seen';
}

async function doorClosed(locker: Locker, name: string, label: string, check: () => void) {
  let reminded = false;
  const started = Date.now();
  while (locker.door(name)?.open !== false) {
    check();
    if (!reminded && Date.now() - started > DOOR_REMINDER_MS) {
      console.log(t('wizard.stillOpen', { label }));
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

async function testDevices(progress: Progress, save: () => void, options: WizardOptions) {
  for (const kind of ['cardReader', 'scanner'] as const) {
    if (progress.devices[kind]) continue;
    progress.devices[kind] = await testDevice(kind, options);
    save();
  }
}

async function testDevice(kind: DeviceKind, options: WizardOptions): Promise<DeviceResult> {
  const fitted = await confirm({ message: t(`device.${kind}.fitted`), default: true });
  if (!fitted) return { fitted: false, ok: true, detail: t('device.notFitted') };
  const id = await input({
    message: t(`device.${kind}.usbId`),
    validate: checked((v) => (parseUsbId(v) ? undefined : t('device.usbIdInvalid'))),
  });
  const selector = parseUsbId(id)!;
  for (;;) {
    const result = await readOnce(kind, selector, options);
    console.log(t('device.result', { device: t(`device.${kind}`), detail: result.detail }));
    if (result.ok) {
      return { fitted: true, device: id.trim().toLowerCase(), ok: true, detail: result.detail };
    }
    const again = await confirm({ message: t(`device.${kind}.again`), default: true });
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
  const seconds = DEVICE_WAIT_MS / 1000;
  console.log(t(`device.${kind}.act`, { seconds }));
  try {
    const read = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), DEVICE_WAIT_MS);
      const done = (value: string) => {
        clearTimeout(timer);
        resolve(value);
      };
      if (kind === 'cardReader') {
        (device as CardReader).onCard(({ uid }) =>
          done(t('device.cardRead', { last: uid.slice(-4) })),
        );
      } else {
        (device as Scanner).onScan(({ text }) =>
          done(
            t('device.labelRead', {
              length: text.length,
              start: JSON.stringify(text.slice(0, 20)),
            }),
          ),
        );
      }
    });
    return read
      ? { ok: true, detail: read }
      : { ok: false, detail: t('device.nothingRead', { seconds }) };
  } finally {
    if (!options.devices.simulated) await device.close();
  }
}

type Retry = 'again' | 'failed';

/** After a failed printer step: try again, or record the printer as failed (not a stop). */
const againOrFailed = (message: string) =>
  select<Retry>({
    message,
    choices: [
      { name: t('printer.again'), value: 'again' },
      { name: t('printer.recordFailed'), value: 'failed' },
    ],
  });

/**
 * The receipt printer where fitted: its CUPS queue, a test page with a check number, and the
 * installer typing that number back from the paper. A print system that does not answer, a
 * printer that does not take the page, or a page that did not come out is recorded as failed
 * (with why) once the installer gives up; the commissioning goes on.
 */
async function testPrinter(progress: Progress, options: WizardOptions): Promise<DeviceResult> {
  const fitted = await confirm({ message: t('printer.fitted'), default: true });
  if (!fitted) return { fitted: false, ok: true, detail: t('device.notFitted') };
  let queue: string | undefined;
  while (!queue) {
    const queues = await options.printer.queues();
    const problem = !queues.ok
      ? printerFaultText(queues.error)
      : queues.value.length === 0
        ? t('printer.noQueue')
        : undefined;
    if (problem || !queues.ok) {
      console.log(problem);
      if ((await againOrFailed(t('printer.whatNow'))) === 'failed') {
        return { fitted: true, ok: false, detail: problem ?? '' };
      }
      continue;
    }
    queue = await select({
      message: t('printer.whichQueue'),
      choices: queues.value.map((value) => ({ name: value, value })),
    });
  }
  for (;;) {
    const printed = await printTestPage(progress, options, queue);
    if (printed.ok) return { fitted: true, device: queue, ok: true, detail: printed.value };
    console.log(printed.error);
    if ((await againOrFailed(t('printer.whatNow'))) === 'failed') {
      return { fitted: true, device: queue, ok: false, detail: printed.error };
    }
  }
}

/** One test page: sent, handed to the printer in time, and its check number typed back. */
async function printTestPage(
  progress: Progress,
  options: WizardOptions,
  queue: string,
): Promise<Result<string, string>> {
  const check = checkNumber();
  const folder = mkdtempSync(join(tmpdir(), 'amtomat-testpage-'));
  try {
    const page = join(folder, 'test-page.pdf');
    await writeTestPage(page, {
      site: progress.site?.name ?? '',
      date: options.now().toISOString().slice(0, 16).replace('T', ' '),
      check,
    });
    const job = await options.printer.print(queue, page, t('printer.pageTitle'));
    if (!job.ok) return err(printerFaultText(job.error));
    console.log(t('printer.sent', { queue }));
    const taken = await waitForJob(options.printer, queue, job.value, {
      waitMs: options.printWaitMs,
    });
    if (!taken.ok) {
      // Not left in the queue to come out hours later; if CUPS refuses, the installer reads why.
      const cancelled = await options.printer.cancel(job.value);
      if (!cancelled.ok) console.log(printerFaultText(cancelled.error));
      return err(notTaken(taken.error, options.printWaitMs));
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const typed = (
    await input({
      message: t('printer.askCheck'),
      validate: checked((v) => (v === '' || v === check ? undefined : t('printer.wrongCheck'))),
    })
  ).trim();
  return typed === check ? ok(t('printer.pageRead')) : err(t('printer.nothingCameOut'));
}

/** Why the printer did not take the page, with what the print system said about it. */
function notTaken(fault: PrinterFault, waitMs: number): string {
  if (fault.kind === 'no-print-system') return printerFaultText(fault);
  const seconds = Math.round(waitMs / 1000);
  return fault.said
    ? t('printer.notTakenSaid', { seconds, said: fault.said })
    : t('printer.notTaken', { seconds });
}

/** Why a lock did not open, in the installer's language. */
function unlockFailure(failure: UnlockFailure): string {
  switch (failure.kind) {
    case 'board-silent':
      return t('unlock.board-silent', { detail: failure.detail });
    case 'board-refused':
      return t('unlock.board-refused', { answer: String(failure.answer) });
    default:
      return t(`unlock.${failure.kind}`);
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
        message: t('fleet.askUrl'),
        validate: checked((v) => (v === '' || isOrigin(v) ? undefined : t('fleet.urlInvalid'))),
      })
    )
      .trim()
      .replace(/\/$/, '');
    if (url === '') {
      progress.fleet = { reachable: false, detail: t('fleet.alone') };
      return save();
    }
    const reachable = await checkFleet(url);
    if (!reachable.ok) {
      console.log(reachable.error);
      continue;
    }
    console.log(t('fleet.answers', { url }));
    for (;;) {
      const token = await input({
        message: t('fleet.askToken'),
        validate: checked((v) =>
          /^[A-Za-z0-9_-]{20,200}$/.test(v) ? undefined : t('fleet.tokenInvalid'),
        ),
      });
      const enrolled = await enrol({
        url,
        token: token.trim(),
        dataDir: options.dataDir,
        label: progress.site!.name,
      });
      if (enrolled.ok) {
        console.log(t('fleet.enrolled', { id: enrolled.value }));
        progress.fleet = {
          url,
          reachable: true,
          deviceId: enrolled.value,
          detail: t('fleet.enrolledDetail'),
        };
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
  if (doors.length === 0) throw new Stop(t('wizard.noDoors'), 1);
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
    devices: {
      cardReader: device('cardReader'),
      scanner: device('scanner'),
      printer:
        progress.devices.printer?.ok && progress.devices.printer.device
          ? { kind: 'cups', queue: progress.devices.printer.device }
          : { kind: 'none' },
    },
    ...(progress.fleet?.deviceId && progress.fleet.url
      ? { sync: { url: progress.fleet.url } }
      : { sync: undefined }),
  };
}
