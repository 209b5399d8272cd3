/**
 * `npm run fleet-server` as a real process on a real port: /healthz, an enrolment token from
 * the CLI, and a terminal enrolling and pulling over HTTP with signed requests.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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
import { TEST_CODE_KEY } from './testing/device.ts';

const CLI = join(import.meta.dirname, 'cli.ts');

describe('fleet-server CLI', () => {
  let dataDir = '';
  let server: ChildProcess | undefined;
  let address = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
    server = spawn(process.execPath, [CLI, '--port', '0', '--data', dataDir], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    address = await new Promise<string>((resolve, reject) => {
      let output = '';
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /fleet server on (http:\/\/\S+) /.exec(output);
        if (match) resolve(match[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`fleet server exited with ${code}`)));
    });
  });

  after(() => {
    server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz on SQLite', async () => {
    const reply = await fetch(`${address}${paths.healthz}`);
    assert.equal(reply.status, 200);
    const health = HealthSchema.parse(await reply.json());
    assert.equal(health.storage, 'sqlite');
  });

  it('prints an enrolment token a terminal can use once, then pulls signed over HTTP', async () => {
    const token = execFileSync(
      process.execPath,
      [CLI, 'enrol-token', '--data', dataDir, '--label', 'Rathaus'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
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
