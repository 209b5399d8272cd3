/**
 * The fleet database at rest: fleet.sqlite and its -wal/-shm only for the server's user
 * (0600), TOTP secrets sealed with a key kept outside the database (secret.key, 0600), plain
 * secrets of an older install sealed at start, and a wrong or missing key file refused in
 * one line, before anything is changed.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { consoleStore } from '../console/store.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { runFleetCli } from '../testing/cli-process.ts';
import { StorageOpenError } from './driver.ts';
import { randomSecretKey } from './secrets.ts';
import { openSqliteStorage } from './sqlite.ts';
import type { FleetStorage } from './storage.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const mode = (path: string) => statSync(path).mode & 0o777;

async function addTotpUser(storage: FleetStorage, username: string) {
  const user = await consoleStore(storage.sql, storage.secrets).addUser({
    username,
    passwordHash: 'scrypt$test',
    role: 'admin',
    totpSecret: SECRET,
    now: Date.now(),
  });
  assert.notEqual(user, 'username-taken');
}

const storedSecret = async (storage: FleetStorage, username: string) =>
  (
    await storage.sql.all<{ totp_secret: string }>(
      'SELECT totp_secret FROM console_users WHERE username = ?',
      [username],
    )
  )[0]?.totp_secret;

describe('fleet database at rest (SQLite)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-secrets-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates fleet.sqlite, its -wal and -shm and secret.key readable by the owner only', async () => {
    const data = join(dir, 'modes');
    const storage = await openSqliteStorage(join(data, 'fleet.sqlite'));
    try {
      await addTotpUser(storage, 'anna');
      for (const file of ['fleet.sqlite', 'fleet.sqlite-wal', 'fleet.sqlite-shm', 'secret.key']) {
        assert.equal(mode(join(data, file)).toString(8), '600', file);
      }
      assert.equal(mode(data).toString(8), '700');
    } finally {
      await storage.close();
    }
  });

  it('tightens the files of an older install (0644) on start', async () => {
    const data = join(dir, 'older');
    const path = join(data, 'fleet.sqlite');
    await (await openSqliteStorage(path)).close();
    chmodSync(path, 0o644);
    const storage = await openSqliteStorage(path);
    await storage.close();
    assert.equal(mode(path).toString(8), '600');
  });

  it('stores the TOTP secret sealed: the database alone does not give it away', async () => {
    const data = join(dir, 'sealed');
    const storage = await openSqliteStorage(join(data, 'fleet.sqlite'));
    await addTotpUser(storage, 'anna');
    const stored = (await storedSecret(storage, 'anna')) ?? '';
    assert.match(stored, /^enc1:/);
    assert.equal(stored.includes(SECRET), false);
    const user = await consoleStore(storage.sql, storage.secrets).userByName('anna');
    assert.equal(user?.totpSecret, SECRET);
    await storage.close();
    // Nor does the file on disk.
    const file = readFileSync(join(data, 'fleet.sqlite')).toString('latin1');
    const wal = existsSync(join(data, 'fleet.sqlite-wal'))
      ? readFileSync(join(data, 'fleet.sqlite-wal')).toString('latin1')
      : '';
    assert.equal(file.includes(SECRET) || wal.includes(SECRET), false);
  });

  it('seals plain secrets of an older install at start', async () => {
    const data = join(dir, 'plain');
    const path = join(data, 'fleet.sqlite');
    const first = await openSqliteStorage(path);
    await addTotpUser(first, 'bert');
    // As an install before migration 5 left it: the secret in plain text.
    await first.sql.run('UPDATE console_users SET totp_secret = ? WHERE username = ?', [
      SECRET,
      'bert',
    ]);
    await first.close();
    const storage = await openSqliteStorage(path);
    try {
      assert.match((await storedSecret(storage, 'bert')) ?? '', /^enc1:/);
      const user = await consoleStore(storage.sql, storage.secrets).userByName('bert');
      assert.equal(user?.totpSecret, SECRET);
    } finally {
      await storage.close();
    }
  });

  it('refuses another key file, or a lost one, in one line, and changes nothing', async () => {
    const data = join(dir, 'wrong-key');
    const path = join(data, 'fleet.sqlite');
    const first = await openSqliteStorage(path);
    await addTotpUser(first, 'clara');
    const sealed = await storedSecret(first, 'clara');
    await first.close();

    const other = join(dir, 'other.key');
    writeFileSync(other, `${randomSecretKey().key.toString('base64')}\n`, { mode: 0o600 });
    await assert.rejects(openSqliteStorage(path, { secretKey: { file: other } }), (error) => {
      assert.ok(error instanceof StorageOpenError);
      assert.match(
        error.message,
        /^the secret key file .*other\.key \(key [0-9a-f]{16}\) is not the one this database's secrets were sealed with \(key [0-9a-f]{16}\): use the original key file$/,
      );
      return true;
    });

    const keyFile = join(data, 'secret.key');
    const key = readFileSync(keyFile);
    rmSync(keyFile);
    await assert.rejects(
      openSqliteStorage(path),
      /secret key file .* is missing, but this database's secrets were sealed with key [0-9a-f]{16}: restore that file/,
    );
    assert.equal(existsSync(keyFile), false, 'no new key written over the lost one');

    writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
    await assert.rejects(openSqliteStorage(path), /does not hold a key/);

    writeFileSync(keyFile, key, { mode: 0o600 });
    const again = await openSqliteStorage(path);
    assert.equal(await storedSecret(again, 'clara'), sealed);
    await again.close();

    // The CLI says the same in one line, exit 2.
    const run = runFleetCli(['enrol-token', '--data', data, '--secret-key-file', other]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /^error: the secret key file .* is not the one this database's secrets were sealed with .*\n$/,
    );
  });

  it('the CLI creates secret.key on first start, or uses FLEET_SECRET_KEY_FILE', () => {
    const data = join(dir, 'cli');
    const run = runFleetCli(['enrol-token', '--data', data]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(mode(join(data, 'secret.key')).toString(8), '600');
    const keyFile = join(dir, 'elsewhere', 'fleet.key');
    const other = runFleetCli(['enrol-token', '--data', join(dir, 'cli-2')], {
      env: { FLEET_SECRET_KEY_FILE: keyFile },
    });
    assert.equal(other.status, 0, other.stderr);
    assert.equal(mode(keyFile).toString(8), '600');
    assert.equal(existsSync(join(dir, 'cli-2', 'secret.key')), false);
  });
});

for (const adapter of storageAdapters()) {
  describe(`sealed TOTP secrets (${adapter.name})`, () => {
    before(() => adapter.setup());
    after(() => adapter.teardown());

    it('keeps only the sealed secret and opens it with the key', async () => {
      const storage = await adapter.open();
      try {
        await addTotpUser(storage, 'dora');
        const stored = (await storedSecret(storage, 'dora')) ?? '';
        assert.match(stored, /^enc1:/);
        assert.equal(stored.includes(SECRET), false);
        const user = await consoleStore(storage.sql, storage.secrets).userByName('dora');
        assert.equal(user?.totpSecret, SECRET);
      } finally {
        await storage.close();
      }
    });
  });
}
