/**
 * The packaged kiosk's main process as `npm run package` builds it (rolldown, then
 * electron-builder packs that file): what the bundle holds, and the bundle itself running
 * with plain Node and an Electron stand-in (electron-stand-in.testing.ts) on a fresh data
 * folder against simulated lock boards on a pty — healthy, its store migrated from the
 * bundle, the UI served, a parcel picked up.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { buildElectronMain } from '../../scripts/build-electron.ts';
import type { Health } from '../src/contract/index.ts';
import { LATEST_VERSION, openDb, schemaVersion } from '../src/store/db.ts';
import { createHasher, loadOrCreateDeviceSecret } from '../src/store/secret.ts';
import { createStore } from '../src/store/store.ts';
import { call } from '../src/testing/http.ts';
import { eventually } from '../src/testing/wait.ts';
import type { WindowLoads } from './electron-stand-in.testing.ts';

const KIOSK = join(import.meta.dirname, '..');
const STAND_IN = join(import.meta.dirname, 'electron-stand-in.testing.ts');
const DEMO_SITE = join(KIOSK, '..', 'installers', 'sites', 'demo.json');

// Two folders deep under kiosk/, as kiosk/build/electron/main.js: the bundle finds the UI,
// the site files and kiosk/package.json relative to itself.
const buildDir = join(KIOSK, 'build', `test-${process.pid}`);
let bundle: string;
let code: string;

before(async () => {
  mkdirSync(buildDir, { recursive: true });
  bundle = await buildElectronMain(join(buildDir, 'main.js'));
  code = readFileSync(bundle, 'utf8');
});
after(() => rmSync(buildDir, { recursive: true, force: true }));

describe('the bundle', () => {
  test('is JavaScript with Electron and the native modules external', () => {
    assert.match(code, /from "electron"/);
    assert.match(code, /from "better-sqlite3"/);
    assert.ok(code.includes('startService'), 'the service is inside the bundle');
    assert.ok(!code.includes('import type'), 'no TypeScript left');
  });

  test('holds no simulator, no socat and no fake devices (the demo has its own root)', () => {
    for (const demoOnly of [
      'LockBoardSimulator',
      'hardware-mocks',
      'socat',
      'createFakeCardReader',
      'openDemoHardware',
    ]) {
      assert.ok(!code.includes(demoOnly), `${demoOnly} is in the production bundle`);
    }
  });

  test('carries the store migrations instead of reading them from a folder', () => {
    assert.ok(code.includes('CREATE TABLE door_intents'));
    assert.ok(!code.includes("'migrations'") && !code.includes('"migrations"'));
  });
});

describe('the bundled main process, started with Node and an Electron stand-in', () => {
  let dir: string;
  let sim: LockBoardSimulator;
  let child: ChildProcess;
  let url: string;
  let authUrl: string;
  let stderr = '';
  /** /healthz, asked until `predicate` holds. */
  const healthWhen = async (what: string, predicate: (health: Health) => boolean) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const health = JSON.parse((await call(`${url}/healthz`)).body) as Health;
      if (predicate(health)) return health;
      assert.ok(Date.now() < deadline, `${what}: not within 5 s (${JSON.stringify(health)})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (exitCode) => resolve(exitCode));
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'amtomat-packaged-'));
    sim = await LockBoardSimulator.start({ protocol: 'kerong-cu16', boards: [0] });
    const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8'));
    site.locker.buses[0].transport = { kind: 'serial', path: sim.hostPath };
    writeFileSync(join(dir, 'site.json'), JSON.stringify(site));
    const data = join(dir, 'data');
    child = spawn(
      process.execPath,
      [
        '--import',
        STAND_IN,
        bundle,
        '--data',
        data,
        '--port',
        '0',
        '--config',
        join(dir, 'site.json'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout! });
    authUrl = await new Promise<string>((resolve, reject) => {
      child.once('exit', (exitCode) => reject(new Error(`exited ${exitCode}: ${stderr}`)));
      lines.on('line', (line) => {
        const loads = JSON.parse(line) as WindowLoads;
        if (loads.standIn === 'window-loads') resolve(loads.url);
      });
    });
    url = new URL(authUrl).origin;
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited();
    }
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('is healthy on a fresh data folder: store migrated, boards online, its version', async () => {
    const health = await healthWhen('boards online', (reply) => reply.boards.online === 1);
    assert.deepEqual(health.store, { ok: true, auditOk: true });
    assert.deepEqual(health.boards, { online: 1, total: 1 });
    const kiosk = JSON.parse(readFileSync(join(KIOSK, 'package.json'), 'utf8'));
    assert.equal(health.version, kiosk.version);
    const db = openDb(join(dir, 'data', 'kiosk.sqlite'), { mustExist: true, migrate: false });
    assert.equal(schemaVersion(db), LATEST_VERSION, 'the bundle applied every migration');
    db.close();
  });

  test('serves the built UI to the window', async () => {
    const signIn = await call(authUrl);
    assert.equal(signIn.status, 303);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const page = await call(`${url}/`, { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    assert.equal(page.body, readFileSync(join(KIOSK, 'ui', 'dist', 'index.html'), 'utf8'));
    const post = (event: object) =>
      call(`${url}/api/event`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: url, Cookie: cookie },
        body: JSON.stringify(event),
      });

    // A parcel waits in A5 (as the fleet's announcement and a courier would leave it).
    const data = join(dir, 'data');
    const db = openDb(join(data, 'kiosk.sqlite'), { mustExist: true });
    const store = createStore({
      db,
      hasher: createHasher(loadOrCreateDeviceSecret(data)),
      now: () => Date.now(),
      logger: memoryLogger(),
    });
    try {
      const parcel = store.announceItem({
        kind: 'parcel',
        reference: 'PKG-PACKAGED-1',
        recipientRef: 'recipient-1',
        code: '736251',
      });
      assert.ok(store.markLoaded(parcel.id, 'A5', 'courier-1').ok);
      sim.setItem(0, 5, true);

      for (const event of [
        { type: 'CHOOSE', service: 'parcel-pickup' },
        ...[...'736251'].map((key) => ({ type: 'KEY', key })),
        { type: 'SUBMIT' },
      ]) {
        assert.equal((await post(event)).status, 200, JSON.stringify(event));
      }
      await eventually('door A5 unlocked', () => sim.door(0, 5).open);
      await eventually('picked up', () => store.item(parcel.id)?.status === 'picked_up');
      sim.setItem(0, 5, false);
      sim.closeDoor(0, 5);
      await healthWhen('the survey', (health) => health.screen === 'survey');
      assert.equal(store.openIntents().length, 0, 'the door intent is closed');
      assert.ok(store.verifyAudit().ok);
    } finally {
      db.close();
    }
  });

  test('quits cleanly on SIGTERM (the service closes first) and logged no error', async () => {
    child.kill('SIGTERM');
    assert.equal(await exited(), 0, stderr);
    const logs = join(dir, 'data', 'logs');
    const text = readFileSync(join(logs, 'kiosk.log'), 'utf8');
    assert.doesNotMatch(text, /"level":"error"/);
    assert.match(text, /service\.started/);
  });
});
