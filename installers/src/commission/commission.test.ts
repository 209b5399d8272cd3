/**
 * The commissioning wizard as an installer meets it: the real program in a pseudo-terminal,
 * two simulated lock boards on a real pty behind a /dev/serial/by-id-style name, wired in
 * a shuffled order (lock 1 of board 0 is not door A1), the card reader and scanner through
 * their real HID decoders, and a real fleet server to enrol with. Each test asserts what
 * the installer reads and what is on disk.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { serveFleet } from '../../../admin-sync/src/agent/testing/served-fleet.ts';
import { createEnrolmentToken, openSqliteStorage } from '../../../admin-sync/src/server/index.ts';
import {
  type Cups,
  LockBoardSimulator,
  startCups,
  startNetworkPrinter,
  switchedOffPrinterUri,
} from '../../../hardware-mocks/src/index.ts';
import { loadSiteConfig } from '../../../kiosk/src/service/config.ts';
import { tempDir } from '../../../kiosk/src/store/test-support.ts';
import { pdfText } from '../../../kiosk/src/testing/pdf-text.ts';
import { progressPath, readProgress } from './progress.ts';
import { KEY, runInTerminal, type Terminal } from './testing/terminal.ts';

const CLI = join(import.meta.dirname, 'cli.ts');
const ADAPTER = 'usb-FTDI_USB-RS485_Cable_FT0SIM01-if00-port0';

interface Door {
  size: 'S' | 'M' | 'L' | 'XL';
  column: number;
  row: number;
  heightCm: number;
  accessible: boolean;
  purpose: 'pickup' | 'drop-off';
  /** Does its item sensor see an object? */
  sensor: boolean;
}

/** The locker wall as the installer sees it. */
const WALL: Record<string, Door> = {
  A1: {
    size: 'L',
    column: 1,
    row: 1,
    heightCm: 110,
    accessible: false,
    purpose: 'pickup',
    sensor: true,
  },
  A2: {
    size: 'M',
    column: 1,
    row: 2,
    heightCm: 70,
    accessible: true,
    purpose: 'pickup',
    sensor: true,
  },
  B1: {
    size: 'S',
    column: 2,
    row: 1,
    heightCm: 120,
    accessible: false,
    purpose: 'drop-off',
    sensor: false,
  },
  B2: {
    size: 'XL',
    column: 2,
    row: 2,
    heightCm: 40,
    accessible: true,
    purpose: 'pickup',
    sensor: true,
  },
};

/** How the electrician wired it: board/lock → door (none: an output without a door). */
const WIRING: Record<string, string | undefined> = {
  '0/1': 'B2',
  '0/2': 'A1',
  '1/1': 'B1',
  '1/2': 'A2',
  '1/3': undefined,
};

const SIZES = ['S', 'M', 'L', 'XL'] as const;
const BACKSPACE = '\x7f';

interface Rig {
  t: TestContext;
  dir: string;
  sim: LockBoardSimulator;
  siteFile: string;
  dataDir: string;
  socket: string;
  args: string[];
  /** A private CUPS with no queue yet; the wizard's `lp` talks to it. */
  cups: Cups;
}

async function rig(t: TestContext): Promise<Rig> {
  const dir = tempDir(t, 'commission-');
  mkdirSync(join(dir, 'pty'));
  const sim = await LockBoardSimulator.start({
    boards: 2,
    locksPerBoard: 4,
    dir: join(dir, 'pty'),
  });
  t.after(() => sim.stop());
  const byId = join(dir, 'by-id');
  mkdirSync(byId);
  symlinkSync(sim.hostPath, join(byId, ADAPTER));
  const siteFile = join(dir, 'site.json');
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'devices.sock');
  const cups = await startCups(t, dir);
  const args = [
    '--site',
    siteFile,
    '--data',
    dataDir,
    '--serial-dir',
    byId,
    '--simulated-devices',
    socket,
    '--lang',
    'en',
  ];
  return { t, dir, sim, siteFile, dataDir, socket, args, cups };
}

function wizard(r: Rig, extra: string[] = []): Terminal {
  const term = runInTerminal([process.execPath, CLI, ...r.args, ...extra], {
    CUPS_SERVER: r.cups.server,
  });
  r.t.after(() => term.kill());
  return term;
}

/** The installer's answers up to the walk; `locks` per board. */
async function start(term: Terminal, locks: [number, number]) {
  await term.answer('Your name', `Anna Berger${KEY.enter}`);
  await term.answer('Site id', `mayen-rathaus${KEY.enter}`);
  await term.answer('Site name', `Rathaus Mayen${KEY.enter}`);
  await term.expect(`kerong-cu16 at 19200 baud: boards 0, 1`);
  await term.answer('wired to board 0?', `${locks[0]}${KEY.enter}`);
  await term.answer('wired to board 1?', `${locks[1]}${KEY.enter}`);
}

const selectSize = (size: Door['size']) => {
  const steps = SIZES.indexOf(size) - SIZES.indexOf('M');
  return (steps < 0 ? KEY.up : KEY.down).repeat(Math.abs(steps)) + KEY.enter;
};

/** The installer at one open door: reads its label, describes it, tests its sensor, closes it. */
async function walkLock(term: Terminal, sim: LockBoardSimulator, board: number, lock: number) {
  await term.expect(`board ${board}, lock ${lock} — opening`);
  await term.expect('Which door opened?');
  assert.equal(sim.door(board, lock).open, true, `board ${board} lock ${lock} is open`);
  const label = WIRING[`${board}/${lock}`];
  term.type(`${label ?? ''}${KEY.enter}`);
  if (!label) return term.expect('No door on this lock');
  await describeDoor(term, sim, board, lock, label);
}

async function describeDoor(
  term: Terminal,
  sim: LockBoardSimulator,
  board: number,
  lock: number,
  label: string,
) {
  const door = WALL[label]!;
  await term.answer(`Size of ${label}`, selectSize(door.size));
  await term.answer(`Column of ${label}`, `${door.column}${KEY.enter}`);
  await term.answer(`Row of ${label}`, `${door.row}${KEY.enter}`);
  await term.answer(`Height of the floor of ${label}`, `${door.heightCm}${KEY.enter}`);
  await term.answer(
    `wheelchair reach into ${label}?`,
    `${door.accessible ? 'y' : 'n'}${KEY.enter}`,
  );
  await term.answer(
    `What is ${label} for?`,
    (door.purpose === 'drop-off' ? KEY.down : '') + KEY.enter,
  );
  await term.expect(`Put an object into ${label}`);
  if (door.sensor) sim.setItem(board, lock, true);
  term.type(KEY.enter);
  await term.expect(
    door.sensor ? `item sensor of ${label} sees it` : `item sensor of ${label} does not see it`,
  );
  await term.expect(`close its door`);
  sim.setItem(board, lock, false);
  sim.closeDoor(board, lock);
  await term.expect(`${label}: closed.`);
}

async function noDevicesNoFleet(term: Terminal) {
  await term.answer('Is a card reader fitted?', `n${KEY.enter}`);
  await term.answer('Is a scanner fitted?', `n${KEY.enter}`);
  await term.answer('Is a receipt printer fitted?', `n${KEY.enter}`);
  await term.answer('Address of the fleet server', KEY.enter);
}

/** The check number on a test page, read from the bytes the printer received. */
function checkNumberOn(dir: string, job: Buffer): string {
  const file = join(dir, `job-${Date.now()}.pdf`);
  writeFileSync(file, job);
  const text = pdfText(file);
  assert.match(text, /Amt-O-Mat: printer test/);
  assert.match(text, /Rathaus Mayen/);
  const check = /Check number:\s+(\d{4})/.exec(text)?.[1];
  assert.ok(check, `no check number on the page:\n${text}`);
  return check;
}

function feed(socket: string, line: string) {
  const client = connect(socket, () => client.end(`${line}\n`));
}

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe('the commissioning wizard in a terminal', { timeout: 240_000 }, () => {
  test('two boards wired in a shuffled order: the site file, the report and the enrolment', async (t) => {
    const r = await rig(t);
    const storage = await openSqliteStorage(join(r.dir, 'fleet.sqlite'));
    const fleet = await serveFleet(storage);
    t.after(() => fleet.close());
    const { token } = await createEnrolmentToken(storage, { now: Date.now() });

    const term = wizard(r);
    await start(term, [2, 3]);
    for (const [board, lock] of [
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
      [1, 3],
    ] as const) {
      await walkLock(term, r.sim, board, lock);
    }
    await term.answer('Is a card reader fitted?', KEY.enter);
    await term.answer('USB id of the card reader', `08ff:0035${KEY.enter}`);
    await term.expect('Tap a card on the reader now');
    feed(r.socket, 'tap 04A1B2C3D4');
    await term.expect('card read (number ending in C3D4)');
    await term.answer('Is a scanner fitted?', KEY.enter);
    await term.answer('USB id of the scanner', `05e0:1200${KEY.enter}`);
    await term.expect('Scan a label now');
    feed(r.socket, 'scan PKG-2002');
    await term.expect('label read (8 characters, "PKG-2002")');
    // The receipt printer: a network printer behind a CUPS queue; the page is read back.
    const printer = await startNetworkPrinter();
    t.after(() => printer.close());
    r.cups.addQueue('receipt', printer.uri);
    const job = printer.nextJob();
    await term.answer('Is a receipt printer fitted?', KEY.enter);
    await term.answer('Which print queue is the receipt printer?', KEY.enter);
    await term.expect('Test page sent to receipt');
    const check = checkNumberOn(r.dir, await job);
    const wrong = check === '1234' ? '4321' : '1234';
    await term.answer('Type the check number printed on the test page', `${wrong}${KEY.enter}`);
    await term.expect('> that is not the number on this test page');
    term.type(`${BACKSPACE.repeat(4)}${check}${KEY.enter}`);
    await term.answer('Address of the fleet server', `${fleet.url}${KEY.enter}`);
    await term.expect(`${fleet.url} answers.`);
    await term.answer('Enrolment token', `${'x'.repeat(43)}${KEY.enter}`);
    await term.expect('the fleet server refused the token');
    await term.answer('Enrolment token', `${token}${KEY.enter}`);
    const enrolled = await term.expect('Enrolled with the fleet as terminal ');
    assert.ok(enrolled);
    await term.expect(`Site file written: ${r.siteFile}`);
    await term.expect('Acceptance report:');
    assert.equal(await term.exited, 0);

    const site = loadSiteConfig(r.siteFile);
    assert.ok(site.ok, site.ok ? '' : site.error);
    const { locker, compartments, devices, sync } = site.value;
    assert.deepEqual(
      locker.compartments.map((c) => [c.label, c.size, c.board, c.lock, c.hasItemSensor]),
      [
        ['B2', 'XL', 0, 1, true],
        ['A1', 'L', 0, 2, true],
        ['B1', 'S', 1, 1, false],
        ['A2', 'M', 1, 2, true],
      ],
    );
    assert.deepEqual(
      locker.buses.map((b) => [b.protocol, b.transport]),
      [['kerong-cu16', { kind: 'serial', path: join(r.dir, 'by-id', ADAPTER), baud: 19200 }]],
    );
    for (const [label, door] of Object.entries(WALL)) {
      const { size: _size, sensor: _sensor, ...place } = door;
      assert.deepEqual(compartments[label], place, label);
    }
    assert.deepEqual(devices, {
      cardReader: { kind: 'hid', selector: { vendorId: 0x08ff, productId: 0x35 } },
      scanner: { kind: 'hid', selector: { vendorId: 0x05e0, productId: 0x1200 } },
      printer: { kind: 'cups', queue: 'receipt' },
    });
    assert.equal(printer.jobs.length, 1, 'one test page');
    assert.deepEqual(sync, { url: fleet.url });

    const [device] = await storage.devices();
    assert.equal(device?.label, 'Rathaus Mayen');
    assert.ok(
      existsSync(join(r.dataDir, 'sync', 'device-identity.json')),
      'the kiosk finds itself enrolled',
    );

    const pdf = join(r.dir, 'acceptance-mayen-rathaus.pdf');
    // In the wizard's language (English here; report.test.ts reads the German one).
    // For the picture in docs/reports (see installers/README.md).
    if (process.env.COMMISSION_REPORT_COPY) copyFileSync(pdf, process.env.COMMISSION_REPORT_COPY);
    const report = pdfText(pdf);
    assert.match(report, /Acceptance report/);
    assert.match(report, /Rathaus Mayen \(mayen-rathaus\)/);
    assert.match(report, new RegExp(`Terminal \\(fleet id\\): ${device!.id}`));
    assert.match(report, /Software version: 0\.1\.0/);
    assert.match(report, /Installer: Anna Berger/);
    assert.match(report, /B2\s+0\/1\s+XL\s+2\/2\s+40 cm\*\s+pickup\s+yes\s+yes\s+sees/);
    assert.match(report, /B1\s+1\/1\s+S\s+2\/1\s+120 cm\s+drop-off\s+yes\s+yes\s+does not see/);
    assert.match(report, /1\/3\s+no door connected/);
    assert.match(report, /4 of 4 compartments passed the door test/);
    assert.match(report, /Card reader: 08ff:0035: tested, reads/);
    assert.match(report, /Receipt printer: receipt: tested, test page printed/);
    assert.match(report, /enrolled with http:\/\/127\.0\.0\.1:\d+/);
    assert.match(report, /signature \(installer\)/);
    assert.deepEqual(leftovers(r.dir), []);
  });

  test('wrong answers are refused, one line each, and the installer answers again', async (t) => {
    const r = await rig(t);
    const term = wizard(r);
    await term.answer('Your name', `Anna Berger${KEY.enter}`);
    await term.answer('Site id', `Rathaus Mayen${KEY.enter}`);
    await term.expect('> 2 to 40 lowercase letters, digits or -, e.g. mayen-rathaus');
    term.type(`${BACKSPACE.repeat(13)}mayen-rathaus${KEY.enter}`);
    await term.answer('Site name', `Rathaus Mayen${KEY.enter}`);
    await term.answer('wired to board 0?', `17${KEY.enter}`);
    await term.expect('> a whole number from 1 to 16, please');
    term.type(`${BACKSPACE.repeat(2)}2${KEY.enter}`);
    await term.answer('wired to board 1?', `1${KEY.enter}`);
    await walkLock(term, r.sim, 0, 1); // B2, column 2 row 2
    await term.expect('board 0, lock 2 — opening');
    await term.answer('Which door opened?', `B2${KEY.enter}`);
    await term.expect(
      '> B2 is already the door of board 0, lock 1: read the label on the open door again',
    );
    term.type(`${BACKSPACE.repeat(2)}A1${KEY.enter}`);
    await term.answer('Size of A1', selectSize('L'));
    await term.answer('Column of A1', `2${KEY.enter}`);
    await term.answer('Row of A1', `2${KEY.enter}`);
    await term.expect("> column 2, row 2 is already B2's place");
    term.type(`${BACKSPACE}1${KEY.enter}`);
    await term.answer('Height of the floor of A1', `300${KEY.enter}`);
    await term.expect('> a whole number from 0 to 250, please');
    term.type(`${BACKSPACE.repeat(3)}110${KEY.enter}`);
    await term.answer('wheelchair reach into A1?', `n${KEY.enter}`);
    // Ctrl-C at a prompt: the record keeps the finished lock, nothing else is written.
    await term.answer('What is A1 for?', KEY.ctrlC);
    await term.expect('interrupted: the progress is kept in');
    assert.equal(await term.exited, 130);
    const record = readProgress(progressPath(r.siteFile));
    assert.ok(record.ok && record.value);
    assert.deepEqual(
      record.value.locks.map((l) => [l.label, l.board, l.lock]),
      [['B2', 0, 1]],
    );
    assert.ok(!existsSync(r.siteFile), 'no site file');
    assert.deepEqual(leftovers(r.dir), []);
    assert.ok(!existsSync(r.socket), 'the device socket went with the wizard');
    assert.ok(!term.text().includes('    at '), 'no stack trace');
  });

  test('in German (a German LANG): the prompts and a refused answer in German', async (t) => {
    const r = await rig(t);
    const term = runInTerminal([process.execPath, CLI, ...r.args.slice(0, -2)], {
      LANG: 'de_DE.UTF-8',
      LC_ALL: '',
    });
    t.after(() => term.kill());
    await term.answer('Ihr Name (Installateurin oder Installateur', `A${KEY.enter}`);
    await term.expect('> Ihr Name, 2 bis 80 Zeichen');
    term.type(KEY.ctrlC);
    await term.expect('Abgebrochen: Der Fortschritt ist in');
    assert.equal(await term.exited, 130);
  });

  test('Ctrl-C while waiting for a door: progress kept, no site file, no half-written file', async (t) => {
    const r = await rig(t);
    const term = wizard(r);
    await start(term, [1, 1]);
    await walkLock(term, r.sim, 0, 1);
    await term.expect('board 1, lock 1 — opening');
    await term.answer('Which door opened?', `B1${KEY.enter}`);
    const door = WALL.B1!;
    await term.answer('Size of B1', selectSize(door.size));
    await term.answer('Column of B1', `${door.column}${KEY.enter}`);
    await term.answer('Row of B1', `${door.row}${KEY.enter}`);
    await term.answer('Height of the floor of B1', `${door.heightCm}${KEY.enter}`);
    await term.answer('wheelchair reach into B1?', `n${KEY.enter}`);
    await term.answer('What is B1 for?', KEY.enter);
    await term.answer('Put an object into B1', KEY.enter);
    await term.expect('close its door');
    term.type(KEY.ctrlC); // the door stays open: the wizard waits outside any prompt
    await term.expect('interrupted: the progress is kept in');
    assert.equal(await term.exited, 130);
    const record = readProgress(progressPath(r.siteFile));
    assert.ok(record.ok && record.value);
    assert.deepEqual(
      record.value.locks.map((l) => l.label),
      ['B2'],
    );
    assert.ok(!existsSync(r.siteFile));
    assert.deepEqual(leftovers(r.dir), []);
  });

  test('a jammed lock: the installer is told, leaves it out, and the report shows it', async (t) => {
    const r = await rig(t);
    r.sim.jam(0, 2);
    const term = wizard(r);
    await start(term, [2, 1]);
    await walkLock(term, r.sim, 0, 1);
    await term.expect(
      'Board 0, lock 2 did not open: the board answered but the door did not open (jammed or blocked).',
    );
    await term.answer('What now?', KEY.down + KEY.enter); // leave it out
    await walkLock(term, r.sim, 1, 1);
    await noDevicesNoFleet(term);
    await term.expect('Site file written');
    assert.equal(await term.exited, 0);
    const site = loadSiteConfig(r.siteFile);
    assert.ok(site.ok);
    assert.deepEqual(
      site.value.locker.compartments.map((c) => c.label),
      ['B2', 'B1'],
    );
    assert.equal(site.value.sync, undefined);
    const report = pdfText(join(r.dir, 'acceptance-mayen-rathaus.pdf'));
    assert.match(report, /0\/2\s+did not open: bolt stuck or door blocked/);
    assert.match(report, /2 of 3 compartments passed the door test/);
    assert.match(report, /works alone/);
    assert.match(report, /Receipt printer: not fitted/);
    assert.deepEqual(site.value.devices.printer, { kind: 'none' });
  });

  test('a printer that does not answer: no queue yet, then the page is not taken; recorded as failed', async (t) => {
    const r = await rig(t);
    const term = wizard(r, ['--print-wait', '2']);
    await start(term, [1, 1]);
    await walkLock(term, r.sim, 0, 1);
    await walkLock(term, r.sim, 1, 1);
    await term.answer('Is a card reader fitted?', `n${KEY.enter}`);
    await term.answer('Is a scanner fitted?', `n${KEY.enter}`);
    await term.answer('Is a receipt printer fitted?', KEY.enter);
    // CUPS runs, but nobody has set the printer up yet.
    await term.expect('no printer is set up in the print system (CUPS)');
    r.cups.addQueue('receipt', await switchedOffPrinterUri());
    await term.answer('What now?', KEY.enter); // try again
    await term.answer('Which print queue is the receipt printer?', KEY.enter);
    await term.expect('Test page sent to receipt');
    const said =
      'the printer did not take the test page within 2 s; the print system says: "The printer may not exist or is unavailable at this time."';
    await term.expect(said, 15_000);
    await term.answer('What now?', KEY.down + KEY.enter); // record as failed
    await term.answer('Address of the fleet server', KEY.enter);
    await term.expect('Site file written');
    assert.equal(await term.exited, 0);

    const site = loadSiteConfig(r.siteFile);
    assert.ok(site.ok);
    assert.deepEqual(site.value.devices.printer, { kind: 'none' });
    const record = readProgress(progressPath(r.siteFile));
    assert.ok(record.ok && record.value);
    assert.equal(record.value.devices.printer?.ok, false);
    const report = pdfText(join(r.dir, 'acceptance-mayen-rathaus.pdf'));
    assert.match(
      report,
      /Receipt printer: receipt: test failed: the printer did not take the test/,
    );
    // The page does not wait in the queue to come out hours later.
    const queued = execFileSync('lpstat', ['-W', 'not-completed', '-o', 'receipt'], {
      env: { ...process.env, CUPS_SERVER: r.cups.server },
      encoding: 'utf8',
    });
    assert.equal(queued.trim(), '', 'the test job was cancelled');
  });

  test('an adapter unplugged mid-walk: one line, progress kept; plugged in again, the wizard continues', async (t) => {
    const r = await rig(t);
    const term = wizard(r);
    await start(term, [2, 1]);
    await walkLock(term, r.sim, 0, 1);
    await term.expect('board 0, lock 2 — opening');
    await term.expect('Which door opened?');
    await r.sim.unplug();
    term.type(`A1${KEY.enter}`);
    const door = WALL.A1!;
    await term.answer('Size of A1', selectSize(door.size));
    await term.answer('Column of A1', `${door.column}${KEY.enter}`);
    await term.answer('Row of A1', `${door.row}${KEY.enter}`);
    await term.answer('Height of the floor of A1', `${door.heightCm}${KEY.enter}`);
    await term.answer('wheelchair reach into A1?', `n${KEY.enter}`);
    await term.answer('What is A1 for?', KEY.enter);
    await term.answer('Put an object into A1', KEY.enter);
    const line = `error: the adapter ${join(r.dir, 'by-id', ADAPTER)} is gone (unplugged?): plug it in again and start the wizard again; it continues at board 0, lock 2 (1 of 3 locks done)`;
    await term.expect(line);
    assert.equal(await term.exited, 3);
    assert.ok(!existsSync(r.siteFile));
    const record = readProgress(progressPath(r.siteFile));
    assert.ok(record.ok && record.value);
    assert.equal(record.value.locks.length, 1);

    await r.sim.replug();
    r.sim.closeDoor(0, 2); // the installer shut the open door meanwhile
    const again = wizard(r);
    await again.expect('Continuing the commissioning in');
    await again.expect('1 locks done.');
    await walkLock(again, r.sim, 0, 2);
    await walkLock(again, r.sim, 1, 1);
    await noDevicesNoFleet(again);
    await again.expect('Site file written');
    assert.equal(await again.exited, 0);
    const site = loadSiteConfig(r.siteFile);
    assert.ok(site.ok);
    assert.deepEqual(
      site.value.locker.compartments.map((c) => c.label),
      ['B2', 'A1', 'B1'],
    );

    // After a repair of board 1 (its door now wired to lock 2), the wizard walks board 1 only.
    r.sim.closeDoor(1, 1);
    const repair = wizard(r, ['--board', '1']);
    await repair.expect('board 1, lock 1 — opening');
    await repair.answer('Which door opened?', KEY.enter);
    await repair.expect('No door on this lock');
    await repair.expect('Site file written');
    assert.equal(await repair.exited, 0);
    const repaired = loadSiteConfig(r.siteFile);
    assert.ok(repaired.ok);
    assert.deepEqual(
      repaired.value.locker.compartments.map((c) => c.label),
      ['B2', 'A1'],
    );
  });
});
