/**
 * The rollback after an upgrade, in the scratch-root style of deb.test.ts but without
 * building the package: the package's own scripts (installers/debian/bin) run against a
 * root whose Node and app are this checkout's. The store is a real SQLite store; only the
 * package installation itself (apt-get) is replaced by a recorder, as no dpkg database is
 * there to install into.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { tempDir } from '../../kiosk/src/store/test-support.ts';
import { marker, setMarker } from './store-marker.testing.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'installers', 'debian', 'bin');

function scratch(t: TestContext) {
  const dir = tempDir(t, 'rollback-');
  const lib = join(dir, 'root', 'usr', 'lib', 'amtomat');
  mkdirSync(join(lib, 'node', 'bin'), { recursive: true });
  symlinkSync(process.execPath, join(lib, 'node', 'bin', 'node'));
  symlinkSync(ROOT, join(lib, 'app'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const log = join(dir, 'installed');
  const recorder = join(dir, 'install');
  // What it was given to install, and what that file held.
  writeFileSync(recorder, `#!/bin/sh\necho "$1: $(cat "$1")" >> ${log}\n`, { mode: 0o755 });
  const env = {
    PATH: process.env.PATH,
    AMTOMAT_ROOT: join(dir, 'root'),
    KIOSK_DATA: data,
    AMTOMAT_INSTALL: recorder,
  };
  const run = (script: string, ...args: string[]) =>
    spawnSync('/bin/sh', [join(BIN, script), ...args], { env, encoding: 'utf8' });
  return { dir, data, log, run };
}

test('rollback: the previous package and the store from before the upgrade', (t) => {
  const { data, log, run } = scratch(t);
  setMarker(join(data, 'kiosk.sqlite'), 'as 0.0.9 left it');
  // What preinst runs before the new version is unpacked.
  const backup = run('backup', 'pre-upgrade', '0.0.9');
  assert.equal(backup.status, 0, backup.stderr);
  // The new version migrated and ran.
  setMarker(join(data, 'kiosk.sqlite'), 'as 0.1.0 changed it');
  mkdirSync(join(data, 'packages'));
  const oldDeb = join(data, 'packages', 'amtomat_0.0.9_amd64.deb');
  writeFileSync(oldDeb, 'the previous package');

  const rolled = run('rollback');
  assert.equal(rolled.status, 0, rolled.stderr);
  assert.match(
    rolled.stdout,
    /^rollback: version 0\.0\.9 installed, its store from pre-upgrade-0\.0\.9-\S+\.sqlite restored/,
  );
  // A copy of the archived package (the older version's preinst may prune the archive).
  assert.match(
    readFileSync(log, 'utf8').trim(),
    new RegExp(`^${data}/\\.rollback\\.\\w+/amtomat_0\\.0\\.9_amd64\\.deb: the previous package$`),
  );
  assert.equal(marker(join(data, 'kiosk.sqlite')), 'as 0.0.9 left it');
  const kept = readdirSync(join(data, 'backups')).find((name) =>
    /^pre-rollback-.*\.sqlite$/.test(name),
  );
  assert.ok(kept, 'the newer store is kept');
  assert.equal(marker(join(data, 'backups', kept)), 'as 0.1.0 changed it');
  assert.deepEqual(
    readdirSync(data).filter((name) => name.startsWith('.')),
    [],
    'no temporary file left',
  );
});

test('rollback refuses in one line and changes nothing when it cannot be done', (t) => {
  const { data, log, run } = scratch(t);
  setMarker(join(data, 'kiosk.sqlite'), 'current');
  const none = run('rollback');
  assert.equal(none.status, 1);
  assert.equal(
    none.stderr,
    `rollback: no backup from before an upgrade in ${data}/backups: nothing to roll back to\n`,
  );

  assert.equal(run('backup', 'pre-upgrade', '0.0.9').status, 0);
  const missing = run('rollback');
  assert.equal(missing.status, 1);
  assert.match(
    missing.stderr,
    /^rollback: the package of version 0\.0\.9 is not at hand: give its path \(rollback \/path\/amtomat_0\.0\.9_amd64\.deb\)\n$/,
  );
  const wrong = join(data, 'amtomat_0.0.8_amd64.deb');
  writeFileSync(wrong, 'another version');
  const other = run('rollback', wrong);
  assert.equal(other.status, 1);
  assert.match(other.stderr, /is not version 0\.0\.9, which the backup .* belongs to\n$/);
  assert.equal(marker(join(data, 'kiosk.sqlite')), 'current');
  assert.throws(() => readFileSync(log), 'nothing was installed');
});
