/**
 * `npm run fleet-server` started wrongly, as a real process: each mistake ends in ONE line
 * saying what to fix (no stack trace), exit 2 for a wrong setting and 1 for what the machine
 * is doing. PostgreSQL mistakes against a real server (testing/postgres.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { USAGE } from './cli-options.ts';
import {
  type FleetServerProcess,
  killAllChildren,
  runFleetCli,
  startFleetServerProcess,
} from './testing/cli-process.ts';
import { PASSWORD_ROLE, startPostgres, type TestPostgres } from './testing/postgres.ts';

/** stderr without the usage text: the lines a person reads first. */
function errorLines(stderr: string): string[] {
  return stderr
    .replace(`${USAGE}\n`, '')
    .split('\n')
    .filter((line) => line !== '');
}

/** Runs the CLI; asserts the exit code and exactly one error line matching `expected`. */
function refused(
  args: readonly string[],
  exitCode: number,
  expected: RegExp,
  env: Record<string, string> = {},
): string {
  const run = runFleetCli(args, { env });
  const lines = errorLines(run.stderr);
  assert.equal(run.status, exitCode, run.stderr);
  assert.equal(lines.length, 1, `one line, not:\n${run.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, expected);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

describe('fleet-server CLI: start-up errors', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-cli-errors-'));
  });
  after(async () => {
    await killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown option, a missing value or an unknown command: the usage, exit 2', () => {
    const data = ['--data', join(dir, 'flags')];
    refused(['--prot', '8090', ...data], 2, /Unknown option '--prot'/);
    refused(['serve', ...data, '--port'], 2, /--port/);
    refused(
      ['serv', ...data],
      2,
      /unknown command "serv" \(serve, enrol-token, add-user, export-evaluation, simulate-evaluation, decrypt\)/,
    );
    const run = runFleetCli(['--prot', '1', ...data]);
    assert.ok(run.stderr.includes(USAGE), 'the usage follows the error');
  });

  it('bad numbers name the option and the range', () => {
    const data = ['--data', join(dir, 'numbers')];
    refused(
      ['serve', ...data, '--port', 'x'],
      2,
      /--port must be a whole number between 0 and 65535/,
    );
    refused(['serve', ...data], 2, /FLEET_PORT must be a whole number between 0 and 65535/, {
      FLEET_PORT: '99999',
    });
    for (const hours of ['0', '721', '1.5', 'abc', '=-5']) {
      const flag = hours.startsWith('=') ? [`--valid-hours${hours}`] : ['--valid-hours', hours];
      refused(
        ['enrol-token', ...data, ...flag],
        2,
        /--valid-hours must be a whole number between 1 and 720/,
      );
    }
    // Node's parser refuses `-5` as a value (it looks like an option): one line too.
    refused(
      ['enrol-token', ...data, '--valid-hours', '-5'],
      2,
      /'--valid-hours' argument is ambiguous\. .*--valid-hours=-XYZ/,
    );
    const ok = runFleetCli(['enrol-token', ...data, '--valid-hours', '720']);
    assert.equal(ok.status, 0, ok.stderr);
  });

  it('a busy port: one line naming the port, exit 1', async () => {
    const first: FleetServerProcess = await startFleetServerProcess({ data: join(dir, 'busy-1') });
    try {
      const line = refused(
        ['serve', '--data', join(dir, 'busy-2'), '--port', String(first.port)],
        1,
        new RegExp(`port ${first.port} on 127\\.0\\.0\\.1 is in use .*--port`),
      );
      assert.doesNotMatch(line, /EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });

  it('add-user: its usage names --data and --postgres', () => {
    const run = runFleetCli(['--help']);
    const addUser = run.stdout.split('\n').find((line) => line.includes('add-user'));
    assert.match(addUser ?? '', /--data DIR/);
    assert.match(addUser ?? '', /--postgres URL/);
  });

  it('e-mail without a sender, or a sender that is no address: one line, exit 2', () => {
    const data = ['serve', '--data', join(dir, 'mail')];
    refused(data, 2, /FLEET_SMTP_URL is set but not the sender: set FLEET_MAIL_FROM/, {
      FLEET_SMTP_URL: 'smtp://mail.example.org',
    });
    refused(data, 2, /FLEET_MAIL_FROM: not an e-mail address/, {
      FLEET_SMTP_URL: 'smtp://mail.example.org',
      FLEET_MAIL_FROM: 'Bürgerbüro Mayen',
    });
  });

  it('refuses a URL that is not PostgreSQL, or malformed, or holds a password', () => {
    refused(
      ['serve', '--postgres', 'mysql://fleet@db.example.org/fleet'],
      2,
      /mysql: is not supported/,
    );
    refused(['serve'], 2, /mysql: is not supported/, {
      FLEET_DATABASE_URL: 'mysql://fleet@db/fleet',
    });
    refused(['serve', '--postgres', 'db.example.org/fleet'], 2, /takes a PostgreSQL URL/);
    refused(['serve', '--postgres', 'postgres://h:port/fleet'], 2, /not a valid URL; the form is/);
    const line = refused(
      ['serve', '--postgres', 'postgres://fleet:s3cret@db.example.org/fleet'],
      2,
      /remove the password from the URL .*FLEET_DATABASE_PASSWORD/,
    );
    assert.doesNotMatch(line, /s3cret/);
  });

  it('an unreachable PostgreSQL server: one line, exit 1', () => {
    refused(
      ['serve', '--postgres', 'postgres://fleet@127.0.0.1:1/fleet', '--data', join(dir, 'pg-down')],
      1,
      /cannot reach the PostgreSQL server \(ECONNREFUSED\): check host and port/,
    );
  });

  describe('against a real PostgreSQL', () => {
    let postgres: TestPostgres | undefined;
    let host = '';
    let database = '';
    const url = (user: string, db: string) =>
      `postgres://${user}@/${db}?host=${encodeURIComponent(host)}&port=5432`;
    const keyFile = () => join(dir, 'pg-secret.key');

    before(async () => {
      postgres = await startPostgres();
      const config = await postgres.createDatabase();
      host = String(config.host);
      database = String(config.database);
      await postgres.passwordRole('the right one', database);
    });
    after(() => postgres?.stop());

    it('a missing database: named, exit 2', () => {
      refused(
        ['serve', '--postgres', url('postgres', 'no_such_db'), '--secret-key-file', keyFile()],
        2,
        /database "no_such_db" does not exist: create it .*or fix the database name/,
      );
    });

    it('a wrong or no password (environment or PGPASSWORD): one line, exit 2', () => {
      const args = [
        'serve',
        '--postgres',
        url(PASSWORD_ROLE, database),
        '--secret-key-file',
        keyFile(),
      ];
      const envs: Record<string, string>[] = [
        { FLEET_DATABASE_PASSWORD: 'wrong' },
        { PGPASSWORD: 'wrong' },
      ];
      for (const env of envs) {
        const line = refused(
          args,
          2,
          /PostgreSQL refused the login .*FLEET_DATABASE_PASSWORD/,
          env,
        );
        assert.doesNotMatch(line, /wrong/);
      }
      refused(args, 2, /PostgreSQL asks for a password: set FLEET_DATABASE_PASSWORD/);
    });

    it('the right password from a file: starts, and the password is not in its command line', async () => {
      const passwordFile = join(dir, 'pg-password');
      writeFileSync(passwordFile, 'the right one\n', { mode: 0o600 });
      const envs: Record<string, string>[] = [
        { FLEET_DATABASE_PASSWORD_FILE: passwordFile },
        { FLEET_DATABASE_PASSWORD: 'the right one' },
        { PGPASSWORD: 'the right one' },
      ];
      for (const env of envs) {
        const server = await startFleetServerProcess(
          { postgres: url(PASSWORD_ROLE, database), secretKeyFile: keyFile() },
          { env },
        );
        try {
          const reply = await fetch(`${server.url}/healthz`);
          assert.equal(reply.status, 200);
          const cmdline = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8');
          assert.ok(cmdline.includes('--postgres'));
          assert.equal(cmdline.includes('the right one'), false);
        } finally {
          await server.stop();
        }
      }
      const server = await startFleetServerProcess(
        { postgres: url(PASSWORD_ROLE, database), secretKeyFile: keyFile() },
        { args: ['--postgres-password-file', passwordFile] },
      );
      await server.stop();
    });
  });
});
