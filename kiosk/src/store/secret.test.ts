import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createHasher,
  DEVICE_SECRET_FILE,
  type HashPurpose,
  loadOrCreateDeviceSecret,
  normalizeSecretValue,
} from './secret.ts';
import { compartment, openTestStore, tempDir } from './test-support.ts';

const PURPOSES: HashPurpose[] = [
  'pickup-code',
  'second-factor',
  'staff-card',
  'staff-pin',
  'courier-code',
];

describe('device secret', () => {
  test('is created on first start: 32 bytes, mode 0600, no temporary file left', (t) => {
    const dir = tempDir(t);
    const secret = loadOrCreateDeviceSecret(dir);
    assert.equal(secret.length, 32);
    const path = join(dir, DEVICE_SECRET_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readFileSync(path), secret);
    assert.deepEqual(readdirSync(dir), [DEVICE_SECRET_FILE]);
  });

  test('is stable across calls and differs between installations', (t) => {
    const dir = tempDir(t);
    const first = loadOrCreateDeviceSecret(dir);
    assert.deepEqual(loadOrCreateDeviceSecret(dir), first);
    assert.notDeepEqual(loadOrCreateDeviceSecret(tempDir(t)), first);
  });

  test('creates a missing data directory', (t) => {
    const dir = join(tempDir(t), 'data', 'kiosk');
    assert.equal(loadOrCreateDeviceSecret(dir).length, 32);
    assert.equal(statSync(dir).mode & 0o077, 0);
  });

  test('a file of the wrong size is a broken installation', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, DEVICE_SECRET_FILE), Buffer.alloc(31, 7), { mode: 0o600 });
    assert.throws(() => loadOrCreateDeviceSecret(dir), /31 bytes, expected 32/);
    writeFileSync(join(dir, DEVICE_SECRET_FILE), Buffer.alloc(0));
    assert.throws(() => loadOrCreateDeviceSecret(dir), /0 bytes, expected 32/);
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    test(`a key with mode ${mode.toString(8)} (group/others) is refused`, (t) => {
      const dir = tempDir(t);
      const original = loadOrCreateDeviceSecret(dir);
      chmodSync(join(dir, DEVICE_SECRET_FILE), mode);
      assert.throws(() => loadOrCreateDeviceSecret(dir), /group\/others may read it/);
      // Nothing was replaced: fixing the mode brings the same key back.
      chmodSync(join(dir, DEVICE_SECRET_FILE), 0o600);
      assert.deepEqual(loadOrCreateDeviceSecret(dir), original);
    });
  }

  test('processes starting at the same time agree on one key', async (t) => {
    const dir = tempDir(t);
    const module = fileURLToPath(new URL('./secret.ts', import.meta.url));
    const script = `import { loadOrCreateDeviceSecret } from ${JSON.stringify(module)};
      process.stdout.write(loadOrCreateDeviceSecret(${JSON.stringify(dir)}).toString('hex'));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
        let out = '';
        let errors = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
        });
        child.stderr.on('data', (chunk) => {
          errors += chunk;
        });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(errors))));
      });
    const keys = await Promise.all([run(), run(), run(), run(), run(), run()]);
    assert.equal(new Set(keys).size, 1, 'all processes use the same key');
    assert.equal(keys[0], readFileSync(join(dir, DEVICE_SECRET_FILE)).toString('hex'));
    assert.deepEqual(readdirSync(dir), [DEVICE_SECRET_FILE]);
  });
});

describe('normalisation', () => {
  test('codes: trimmed, upper case, spaces and dashes removed', () => {
    for (const typed of ['k7p-4q2', ' K7P 4Q2 ', 'K7P4Q2', 'k7p - 4q2\t']) {
      assert.deepEqual(normalizeSecretValue('pickup-code', typed), { ok: true, value: 'K7P4Q2' });
    }
    assert.deepEqual(normalizeSecretValue('pickup-code', ' - '), { ok: false, error: 'empty' });
  });

  test('dates of birth: ISO or German, real calendar dates only', () => {
    for (const typed of ['1961-07-23', '23.07.1961', ' 23.7.1961 ']) {
      assert.deepEqual(normalizeSecretValue('second-factor', typed), {
        ok: true,
        value: '1961-07-23',
      });
    }
    for (const impossible of ['1961-02-30', '31.04.1990', '2023-13-01', '00.01.2000']) {
      assert.deepEqual(normalizeSecretValue('second-factor', impossible), {
        ok: false,
        error: 'invalid-date',
      });
    }
    assert.deepEqual(normalizeSecretValue('second-factor', '29.02.2000'), {
      ok: true,
      value: '2000-02-29',
    });
    // A non-date second factor (a PIN from the letter) is treated like a code.
    assert.deepEqual(normalizeSecretValue('second-factor', ' ab-12 '), { ok: true, value: 'AB12' });
  });

  test('card uids: upper-case hex of 4 to 16 bytes', () => {
    assert.deepEqual(normalizeSecretValue('staff-card', '04:a1:b2:c3'), {
      ok: true,
      value: '04A1B2C3',
    });
    assert.deepEqual(normalizeSecretValue('staff-card', '04 A1 B2 C3 D4 E5 F6'), {
      ok: true,
      value: '04A1B2C3D4E5F6',
    });
    for (const bad of ['XYZ12345', '04A1B2C', '04A1', '00'.repeat(17)]) {
      assert.deepEqual(normalizeSecretValue('staff-card', bad), {
        ok: false,
        error: 'invalid-card',
      });
    }
  });
});

describe('keyed hashes', () => {
  const secretA = Buffer.alloc(32, 1);
  const secretB = Buffer.alloc(32, 2);

  test('differ per purpose and per secret, and are stable', () => {
    const a = createHasher(secretA);
    const hashes = PURPOSES.map((purpose) => a.hash(purpose, '12345678').toString('hex'));
    assert.equal(new Set(hashes).size, PURPOSES.length, 'one distinct hash per purpose');
    for (const purpose of PURPOSES) {
      assert.equal(a.hash(purpose, '12345678').length, 32);
      assert.deepEqual(
        a.hash(purpose, '12345678'),
        createHasher(secretA).hash(purpose, '12345678'),
      );
      assert.notDeepEqual(
        a.hash(purpose, '12345678'),
        createHasher(secretB).hash(purpose, '12345678'),
      );
    }
  });

  test('matches: the right value in any typed form, nothing else', () => {
    const hasher = createHasher(secretA);
    const code = hasher.hash('pickup-code', 'K7P-4Q2');
    assert.equal(hasher.matches('pickup-code', 'k7p 4q2', code), true);
    assert.equal(hasher.matches('pickup-code', 'K7P-4Q3', code), false);
    assert.equal(hasher.matches('courier-code', 'K7P-4Q2', code), false, 'other purpose');
    assert.equal(hasher.matches('pickup-code', 'K7P-4Q2', null), false);
    assert.equal(hasher.matches('pickup-code', '', code), false);
    assert.equal(hasher.matches('pickup-code', 'K7P-4Q2', code.subarray(0, 16)), false);

    const birth = hasher.hash('second-factor', '1961-07-23');
    assert.equal(hasher.matches('second-factor', '23.07.1961', birth), true);
    assert.equal(hasher.matches('second-factor', '24.07.1961', birth), false);
    assert.equal(hasher.matches('second-factor', '30.02.1961', birth), false, 'invalid date');

    const card = hasher.hash('staff-card', '04A1B2C3D4E5F6');
    assert.equal(hasher.matches('staff-card', '04:a1:b2:c3:d4:e5:f6', card), true);
  });

  test('hash refuses values that cannot be normalised, without echoing them', () => {
    const hasher = createHasher(secretA);
    assert.throws(
      () => hasher.hash('second-factor', '31.02.1961'),
      (error: Error) => error.message.includes('invalid-date') && !error.message.includes('1961'),
    );
    assert.throws(() => hasher.hash('pickup-code', '  '), /empty/);
    assert.throws(() => createHasher(Buffer.alloc(16)), /at least 32 bytes/);
  });
});

describe('the database holds no plain secrets', () => {
  test('codes, PINs, card uids and dates of birth appear in neither the file nor the WAL', (t) => {
    const plain = {
      code: 'QX7R-T9ZK',
      secondCode: 'WV3-HN8-PL',
      pin: '908172',
      card: '04A1B2C3D4E5F6',
      courierCode: 'COURIER-55813',
      birthIso: '1961-07-23',
      birthGerman: '23.07.1961',
    };
    const needles = [
      ...Object.values(plain),
      'QX7RT9ZK',
      'WV3HN8PL',
      'COURIER55813',
      '04:a1:b2:c3:d4:e5:f6',
      '04a1b2c3d4e5f6',
    ];
    const { store, path, db, clock } = openTestStore(t, [
      compartment('A1', 'S', 1),
      compartment('A2', 'M', 2),
    ]);
    store.addStaff({ id: 'staff-1', role: 'staff', card: '04:a1:b2:c3:d4:e5:f6', pin: plain.pin });
    store.addStaff({ id: 'courier-1', role: 'courier', code: plain.courierCode });
    const document = store.announceItem({
      kind: 'id-document',
      reference: 'DOC-1',
      code: plain.code,
      secondFactor: plain.birthGerman,
    });
    const parcel = store.announceItem({ kind: 'parcel', reference: 'P-1', code: plain.secondCode });
    assert.ok(store.markLoaded(document.id, 'A1', 'staff-1').ok);
    assert.ok(store.markLoaded(parcel.id, 'A2', 'staff-1').ok);
    // Use them the way the flows do, wrong and right.
    assert.ok(store.checkPin('staff-1', plain.pin).ok);
    assert.ok(!store.checkPin('staff-1', '111111').ok);
    assert.equal(store.staffByCard(plain.card)?.id, 'staff-1');
    assert.equal(store.staffByCode(plain.courierCode)?.id, 'courier-1');
    assert.equal(store.itemsByCode(plain.code).length, 1);
    assert.equal(store.checkSecondFactor(document.id, plain.birthIso), true);
    clock.now += 1000;
    store.recordCodeFailure(clock.now);

    const scan = (file: string) => {
      const bytes = readFileSync(file);
      for (const needle of needles) {
        for (const form of [needle, needle.toLowerCase()]) {
          assert.ok(!bytes.includes(form), `${file} contains ${form}`);
        }
      }
      return bytes.length;
    };
    assert.ok(scan(`${path}-wal`) > 0, 'the WAL holds the writes');
    scan(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    scan(path);
    // The search itself works: a value we did store in clear is found.
    assert.ok(readFileSync(path).includes('DOC-1'));
  });
});
