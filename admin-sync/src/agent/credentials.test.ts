import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { generateDeviceKeyPair } from '../protocol/index.ts';
import { type DeviceIdentity, fileCredentials, IDENTITY_FILE } from './credentials.ts';

const root = mkdtempSync(join(tmpdir(), 'agent-credentials-'));
after(() => rmSync(root, { recursive: true, force: true }));

const identity = (): DeviceIdentity => {
  const keys = generateDeviceKeyPair();
  return {
    version: 1,
    deviceId: crypto.randomUUID(),
    publicKey: keys.publicKey,
    privateKeyPem: keys.privateKeyPem,
    enrolledAt: 1_750_000_000_000,
  };
};

it('stores the identity with mode 0600 in a 0700 directory, and reads it back', () => {
  const dir = join(root, 'a', 'sync');
  const store = fileCredentials(dir);
  assert.deepEqual(store.load(), { ok: true, value: undefined });
  const saved = identity();
  assert.deepEqual(store.save(saved), { ok: true, value: undefined });
  assert.equal(statSync(join(dir, IDENTITY_FILE)).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.deepEqual(fileCredentials(dir).load(), { ok: true, value: saved });
  // Replaced atomically: no temp file left behind.
  const replacement = identity();
  assert.ok(store.save(replacement).ok);
  assert.deepEqual(readdirSync(dir), [IDENTITY_FILE]);
  assert.deepEqual(store.load(), { ok: true, value: replacement });
});

it('refuses a file that is not a device identity, as a value', () => {
  const dir = join(root, 'b');
  const store = fileCredentials(dir);
  assert.ok(store.save(identity()).ok);
  writeFileSync(join(dir, IDENTITY_FILE), '{"deviceId":"x"}');
  const loaded = store.load();
  assert.equal(loaded.ok, false);
  writeFileSync(join(dir, IDENTITY_FILE), 'not json');
  assert.equal(store.load().ok, false);
});
