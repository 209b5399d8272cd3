/**
 * `npm run fleet-server` with notifications: a broken config file stops the start with the
 * field named; a valid one (file or environment) starts the worker; none logs a warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFleetServerProcess } from '../testing/cli-process.ts';

/** Starts the server and stops it once it listens: the log lines it wrote meanwhile. */
async function logOfStart(data: string, env: Record<string, string>) {
  const server = await startFleetServerProcess({ data }, { env });
  await server.stop();
  return server.stderr();
}

/** Starts the server with a config file, which must make it exit with 2 before listening. */
const refusedStart = (data: string, file: string, error: RegExp) =>
  assert.rejects(
    startFleetServerProcess({ data }, { args: ['--notify-config', file] }),
    (thrown: Error) => {
      assert.match(thrown.message, /exited with 2 before listening/);
      assert.match(thrown.message, error);
      return true;
    },
  );

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
    await refusedStart(join(dir, 'broken'), file, /notify\.json: email\.smtp\.port: /);
  });

  it('refuses to start when a secret is missing from the environment', async () => {
    const file = join(dir, 'sms.json');
    writeFileSync(
      file,
      JSON.stringify({ sms: { url: 'https://sms.example.org', token: { env: 'SMS_KEY' } } }),
    );
    await refusedStart(
      join(dir, 'secret'),
      file,
      /sms\.token: environment variable SMS_KEY is not set/,
    );
  });

  it('starts the worker when the environment configures a channel', async () => {
    const log = await logOfStart(join(dir, 'env'), {
      FLEET_SMS_URL: 'http://127.0.0.1:9/sms',
      FLEET_SMS_TOKEN: 'tok',
    });
    const started = events(log).find((e) => e.event === 'notifications.started');
    assert.ok(started, log);
    assert.equal(log.includes('tok"'), false);
  });

  it('warns once that notices are not sent without a configuration', async () => {
    const log = await logOfStart(join(dir, 'none'), {});
    const warned = events(log).filter((e) => e.event === 'notifications.not-configured');
    assert.equal(warned.length, 1);
    assert.equal(warned[0]?.level, 'warn');
  });
});
