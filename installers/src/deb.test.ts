/**
 * The terminal's .deb as a machine gets it: built offline, its contents read with
 * `dpkg-deb -c`, every unit checked by `systemd-analyze verify`, then extracted into a
 * scratch root whose installed service starts on the demo site, tells systemd it is ready
 * and answers /healthz; the installed backup keeps its retention.
 * (No dpkg --root install: the maintainer scripts need adduser and systemd in the root.)
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../../kiosk/src/store/test-support.ts';
import { listenNotify } from '../../kiosk/src/testing/notify-socket.ts';
import { eventually } from '../../kiosk/src/testing/wait.ts';
import { buildDeb } from './deb.ts';

describe('the Debian package', () => {
  let deb = '';
  let files: string[] = [];
  let root = '';
  let out = '';
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'deb-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test('builds offline with dpkg-deb', () => {
    deb = buildDeb({ outDir: out });
    files = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/)[5]!.replace(/^\./, ''));
    root = join(out, 'root');
    execFileSync('dpkg-deb', ['-x', deb, root]);
  });

  test('holds the app, the UI, Node 24 and the system files; no tests, dev tools or fleet server', () => {
    for (const path of [
      '/usr/lib/amtomat/node/bin/node',
      '/usr/lib/amtomat/app/kiosk/src/service/main.ts',
      '/usr/lib/amtomat/app/kiosk/ui/dist/index.html',
      '/usr/lib/amtomat/app/kiosk/ui/src/locales/ar.json',
      '/usr/lib/amtomat/app/node_modules/better-sqlite3/package.json',
      // The neural voice's runtime (an optional dependency) with its x64 build.
      '/usr/lib/amtomat/app/node_modules/sherpa-onnx-node/package.json',
      '/usr/lib/amtomat/app/node_modules/sherpa-onnx-linux-x64/sherpa-onnx.node',
      '/usr/lib/amtomat/app/node_modules/@amtomat/kiosk',
      '/usr/lib/amtomat/app/installers/sites/demo.json',
      '/lib/systemd/system/amtomat-kiosk.service',
      '/lib/systemd/system/amtomat-window.service',
      '/lib/systemd/system/amtomat-backup.timer',
      '/lib/udev/rules.d/70-amtomat.rules',
      '/etc/pam.d/amtomat-window',
    ]) {
      assert.ok(files.includes(path), `${path} is missing`);
    }
    const forbidden = [
      /\.test\.ts$/,
      /\/testing\//,
      /hardware-mocks/,
      /admin-sync\/src\/server/,
      /node_modules\/(fastify|pg|typescript|electron|electron-builder|playwright-core|@biomejs|rolldown|vite)\//,
      // The page's source stays out; only what the service speaks from (texts, list format).
      /kiosk\/ui\/src\/(?!locales\/[\w-]+\.json$|locales\/$|components\/date-time\.ts$|components\/$|$)/,
    ];
    for (const pattern of forbidden) {
      assert.deepEqual(
        files.filter((file) => pattern.test(file)),
        [],
        `${pattern} must not be in the package`,
      );
    }
    const version = execFileSync(join(root, 'usr/lib/amtomat/node/bin/node'), ['--version'], {
      encoding: 'utf8',
    });
    assert.match(version, /^v24\./);
    // The installer's tool runs from the package: a port that is not there is one line, exit 3.
    const diag = spawnSync(
      '/bin/sh',
      [join(root, 'usr/lib/amtomat/bin/locker-diag'), '--port', '/dev/ttyNOPE', 'scan'],
      { env: { PATH: process.env.PATH, AMTOMAT_ROOT: root }, encoding: 'utf8' },
    );
    assert.equal(diag.status, 3, diag.stderr);
    assert.equal(diag.stderr.trim().split('\n').length, 1, diag.stderr);
    // The commissioning wizard starts from the package too (its prompt library is inside).
    const wizard = spawnSync('/bin/sh', [join(root, 'usr/lib/amtomat/bin/commission'), '--help'], {
      env: { PATH: process.env.PATH, AMTOMAT_ROOT: root },
      encoding: 'utf8',
    });
    assert.equal(wizard.status, 0, wizard.stderr);
    assert.match(wizard.stdout, /^usage: npm run commission/);
    const control = execFileSync('dpkg-deb', ['-f', deb, 'Depends'], { encoding: 'utf8' });
    for (const needed of ['socat', 'cage', 'chromium', 'adduser', 'fonts-dejavu-core'])
      assert.match(control, new RegExp(needed));
    // preinst tells an upgrade from a downgrade by the version it was built with.
    const preinst = execFileSync('dpkg-deb', ['-I', deb, 'preinst'], { encoding: 'utf8' });
    assert.match(preinst, /^NEW=0\.1\.0$/m);
  });

  test('every unit passes systemd-analyze verify', (t) => {
    // The scratch root needs systemd's own units and cage, as an installed system has them.
    const verifyRoot = tempDir(t, 'deb-verify-');
    cpSync(root, verifyRoot, { recursive: true, verbatimSymlinks: true });
    cpSync('/lib/systemd/system', join(verifyRoot, 'lib/systemd/system'), { recursive: true });
    mkdirSync(join(verifyRoot, 'usr/bin'), { recursive: true });
    cpSync('/usr/bin/cage', join(verifyRoot, 'usr/bin/cage'));
    const units = readdirSync(join(root, 'lib/systemd/system')).map(
      (unit) => `lib/systemd/system/${unit}`,
    );
    assert.equal(units.length, 4);
    const result = spawnSync('systemd-analyze', ['verify', `--root=${verifyRoot}`, ...units], {
      cwd: verifyRoot,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), '', 'systemd-analyze has remarks');
  });

  test('the installed service starts on the demo site: READY=1, a healthy /healthz', async (t) => {
    const dir = tempDir(t, 'deb-run-');
    const notify = await listenNotify(dir);
    t.after(() => notify.close());
    const lines: string[] = [];
    const urlFile = join(dir, 'window-url');
    const service = spawn('/bin/sh', [join(root, 'usr/lib/amtomat/bin/kiosk'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        AMTOMAT_ROOT: root,
        KIOSK_CONFIG: join(root, 'usr/lib/amtomat/app/installers/sites/demo.json'),
        KIOSK_DATA: join(dir, 'data'),
        KIOSK_WINDOW_URL_FILE: urlFile,
        NOTIFY_SOCKET: notify.path,
        WATCHDOG_USEC: '1000000',
      },
    });
    createInterface({ input: service.stdout }).on('line', (line) => lines.push(line));
    createInterface({ input: service.stderr }).on('line', (line) => lines.push(line));
    const exited = new Promise((resolve) => service.once('close', resolve));
    t.after(async () => {
      service.kill('SIGTERM');
      await exited;
    });
    await eventually(
      'READY=1',
      () => notify.messages.some((m) => m.text === 'READY=1'),
      30_000,
    ).catch((error: Error) => {
      // What the installed service said is the first thing a person needs to see.
      throw new Error(`${error.message}; the service said:\n${lines.slice(-20).join('\n')}`);
    });
    const url = await eventually('the URL line', () =>
      lines.map((line) => /^Kiosk: (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]).find(Boolean),
    );
    // The window's one-time URL is in a file only the service's user reads, not in the log.
    assert.equal(statSync(urlFile).mode & 0o777, 0o600);
    assert.match(readFileSync(urlFile, 'utf8'), /\/auth\?token=/);
    assert.ok(!lines.some((line) => line.includes('token=')), 'the secret reached the log');
    // A window started again (it took the file away) finds a fresh one-time URL.
    const first = readFileSync(urlFile, 'utf8');
    rmSync(urlFile);
    const second = await eventually('a fresh window URL', () =>
      existsSync(urlFile) ? readFileSync(urlFile, 'utf8') : undefined,
    );
    assert.notEqual(second, first);
    const auth = await fetch(second, { redirect: 'manual' });
    assert.ok(auth.headers.get('set-cookie'), `the fresh URL buys a cookie (${auth.status})`);
    const health = (await (await fetch(`${url}/healthz`)).json()) as {
      version: string;
      store: { ok: boolean; auditOk: boolean };
    };
    assert.deepEqual(health.store, { ok: true, auditOk: true });
    assert.equal(health.version, '0.1.0');

    // The nightly backup from the installed package, with its retention (KEEP=2).
    const backup = join(root, 'usr/lib/amtomat/bin/backup');
    const env = {
      PATH: process.env.PATH,
      AMTOMAT_ROOT: root,
      KIOSK_DATA: join(dir, 'data'),
      KEEP: '2',
    };
    for (let run = 0; run < 3; run++) execFileSync('/bin/sh', [backup, 'nightly'], { env });
    const kept = readdirSync(join(dir, 'data', 'backups'));
    assert.equal(kept.length, 2, kept.join(', '));
    assert.ok(existsSync(join(dir, 'data', 'backups', kept[0]!)));
  });
});
