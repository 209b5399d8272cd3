/**
 * `npm run fleet-server` as a real process on a real port: /healthz, an enrolment token from
 * the CLI, and a terminal enrolling and pulling over HTTP with signed requests.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  EnrolResponseSchema,
  generateDeviceKeyPair,
  HealthSchema,
  PullResponseSchema,
  paths,
  signEnrolment,
  signRequest,
} from '../protocol/index.ts';
import {
  type FleetServerProcess,
  fleetEnrolmentToken,
  startFleetServerProcess,
} from './testing/cli-process.ts';
import { TEST_CODE_KEY } from './testing/device.ts';

describe('fleet-server CLI', () => {
  let dataDir = '';
  let server: FleetServerProcess | undefined;
  let address = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
    server = await startFleetServerProcess({ data: dataDir });
    address = server.url;
  });

  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz on SQLite', async () => {
    const reply = await fetch(`${address}${paths.healthz}`);
    assert.equal(reply.status, 200);
    const health = HealthSchema.parse(await reply.json());
    assert.equal(health.storage, 'sqlite');
  });

  it('prints an enrolment token a terminal can use once, then pulls signed over HTTP', async () => {
    const token = fleetEnrolmentToken(dataDir, 'Rathaus');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const keys = generateDeviceKeyPair();
    const enrolled = await fetch(`${address}${paths.enrol}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        publicKey: keys.publicKey,
        proof: signEnrolment(token, keys),
        codeKey: TEST_CODE_KEY,
      }),
    });
    assert.equal(enrolled.status, 201);
    const { deviceId } = EnrolResponseSchema.parse(await enrolled.json());

    const path = `${paths.feed(deviceId)}?after=0`;
    const headers = signRequest(
      { method: 'GET', path, body: '' },
      { deviceId, privateKey: keys.privateKeyPem },
      Date.now(),
    );
    const pulled = await fetch(`${address}${path}`, { headers });
    assert.equal(pulled.status, 200);
    assert.deepEqual(PullResponseSchema.parse(await pulled.json()), {
      entries: [],
      head: 0,
      acked: 0,
    });
    const replayed = await fetch(`${address}${path}`, { headers });
    assert.equal(replayed.status, 401);
  });
});
