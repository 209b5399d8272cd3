/**
 * kiosk-admin as an operator sees it: stdout, stderr and the exit code. Most cases call
 * `main` directly; a few run the real script as a child process (exit codes, no stack trace).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { EXIT, main } from './cli.ts';
import { LATEST_VERSION, openDb, STORE_FILE } from './db.ts';
import { openTestStore, tempDir } from './test-support.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function runScript(argv: string[]) {
  const result = spawnSync('bash', ['scripts/node24', 'kiosk/src/store/cli.ts', ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** A data dir with a store holding a few audit entries; the store is closed. */
function dataDir(t: import('node:test').TestContext) {
  const s = openTestStore(t);
  for (let i = 0; i < 3; i++) s.store.audit({ actor: 'system', action: `a${i}` });
  s.db.close();
  return s.dir;
}

describe('kiosk-admin', () => {
  test('verify-audit: ok with the entry count', (t) => {
    const dir = dataDir(t);
    assert.deepEqual(run(['--data', dir, 'verify-audit']), {
      code: EXIT.ok,
      out: 'audit chain ok: 3 entries',
      err: '',
    });
  });

  test('verify-audit: a tampered chain is reported at its seq, exit 1', (t) => {
    const dir = dataDir(t);
    const db = new Database(join(dir, STORE_FILE));
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 2");
    db.close();
    const result = run(['--data', dir, 'verify-audit']);
    assert.equal(result.code, EXIT.broken);
    assert.equal(result.out, 'audit chain BROKEN at seq 2: hash-mismatch');
  });

  test('the real script: exit codes, and one line without a stack trace', (t) => {
    const dir = dataDir(t);
    const ok = runScript(['--data', dir, 'verify-audit']);
    assert.deepEqual([ok.code, ok.out], [0, 'audit chain ok: 3 entries\n']);

    const missingDir = runScript(['--data', join(dir, 'nope'), 'verify-audit']);
    assert.equal(missingDir.code, 2);
    assert.equal(missingDir.out, '');
    assert.match(missingDir.err, /^kiosk-admin: data directory .*nope does not exist\n$/);

    const empty = tempDir(t);
    const missingStore = runScript(['--data', empty, 'verify-audit']);
    assert.equal(missingStore.code, 2);
    assert.match(missingStore.err, /^kiosk-admin: no store in .* \(kiosk\.sqlite missing\)\n$/);
    assert.ok(!existsSync(join(empty, STORE_FILE)), 'the tool did not create a store');
  });

  test('a file that is not a database: one line, exit 3', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, STORE_FILE), 'this is not sqlite '.repeat(100));
    const result = run(['--data', dir, 'verify-audit']);
    assert.equal(result.code, EXIT.failed);
    assert.equal(result.err.split('\n').length, 1);
    assert.match(result.err, /^kiosk-admin: /);
  });

  test('schema-version reports without migrating', (t) => {
    const dir = tempDir(t);
    openDb(join(dir, STORE_FILE), { upTo: 0 }).close();
    assert.deepEqual(run(['--data', dir, 'schema-version']), {
      code: EXIT.ok,
      out: `schema version 0 (this software: ${LATEST_VERSION})`,
      err: '',
    });
    const db = new Database(join(dir, STORE_FILE));
    assert.equal(db.pragma('user_version', { simple: true }), 0, 'still version 0');
    db.close();
    assert.equal(run(['--data', dir, 'verify-audit']).code, EXIT.failed);
  });

  test('a store from newer software is not verified', (t) => {
    const dir = dataDir(t);
    const db = new Database(join(dir, STORE_FILE));
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const result = run(['--data', dir, 'verify-audit']);
    assert.equal(result.code, EXIT.failed);
    assert.match(result.err, /newer than this software/);
    assert.match(
      run(['--data', dir, 'schema-version']).out,
      new RegExp(`^schema version ${LATEST_VERSION + 1} `),
    );
  });

  test('backup writes a copy that verifies; an existing target is refused', (t) => {
    const dir = dataDir(t);
    const target = join(tempDir(t), 'copy.sqlite');
    assert.deepEqual(run(['--data', dir, 'backup', target]), {
      code: EXIT.ok,
      out: `backup written to ${target}`,
      err: '',
    });
    const copy = new Database(target, { readonly: true });
    assert.equal((copy.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n, 3);
    copy.close();
    const again = run(['--data', dir, 'backup', target]);
    assert.equal(again.code, EXIT.usage);
    assert.match(again.err, /already exists/);
  });

  test('usage errors', (t) => {
    const dir = dataDir(t);
    assert.equal(run(['verify-audit']).code, EXIT.usage);
    assert.match(run(['verify-audit']).err, /--data DIR is required/);
    assert.equal(run(['--data', dir]).code, EXIT.usage);
    assert.match(run(['--data', dir, 'explode']).err, /unknown command 'explode'/);
    assert.match(run(['--data', dir, 'backup']).err, /exactly one FILE/);
    assert.equal(run(['--data', dir, 'verify-audit', 'extra']).code, EXIT.usage);
    assert.equal(run(['--data', dir, '--bogus', 'verify-audit']).code, EXIT.usage);
    const help = run(['--help']);
    assert.equal(help.code, EXIT.ok);
    assert.match(help.out, /^usage: kiosk-admin/);
  });
});
