/**
 * `npm run fleet-server` with notifications: a broken config file stops the start with the
 * field named; a valid one (file or environment) starts the worker; none logs a warning.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const CLI = join(import.meta.dirname, '..', 'cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the server; stops it once it listens (or when it exits by itself). */
function runServer(args: string[], env: Record<string, string>): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('FLEET_')),
  );
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('fleet server on')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const events = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; level: string });

describe('fleet-server CLI with notifications', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'notify-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with a broken config file, naming the field', async () => {
    const file = join(dir, 'notify.json');
    writeFileSync(
      file,
      JSON.stringify({ email: { smtp: { host: 'mail.example.org', port: 'x' }, from: 'a@b.de' } }),
    );
    const run = await runServer(['--data', join(dir, 'broken'), '--notify-config', file], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /notify\.json: email\.smtp\.port: /);
    assert.equal(run.stdout.includes('fleet server on'), false);
  });

  it('refuses to start when a secret is missing from the environment', async () => {
    const file = join(dir, 'sms.json');
    writeFileSync(
      file,
      JSON.stringify({ sms: { url: 'https://sms.example.org', token: { env: 'SMS_KEY' } } }),
    );
    const run = await runServer(['--data', join(dir, 'secret'), '--notify-config', file], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /sms\.token: environment variable SMS_KEY is not set/);
  });

  it('starts the worker when the environment configures a channel', async () => {
    const run = await runServer(['--data', join(dir, 'env')], {
      FLEET_SMS_URL: 'http://127.0.0.1:9/sms',
      FLEET_SMS_TOKEN: 'tok',
    });
    assert.match(run.stdout, /fleet server on/);
    const started = events(run.stderr).find((e) => e.event === 'notifications.started');
    assert.ok(started, run.stderr);
    assert.equal(run.stderr.includes('tok"'), false);
  });

  it('warns once that notices are not sent without a configuration', async () => {
    const run = await runServer(['--data', join(dir, 'none')], {});
    assert.match(run.stdout, /fleet server on/);
    const warned = events(run.stderr).filter((e) => e.event === 'notifications.not-configured');
    assert.equal(warned.length, 1);
    assert.equal(warned[0]?.level, 'warn');
  });
});
