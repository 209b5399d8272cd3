/**
 * `npm run fleet-server -- add-user` as a real process (password on stdin), then the real
 * server process serving the console: sign in over HTTP with the new user.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type FleetServerProcess,
  runFleetCli,
  startFleetServerProcess,
} from '../testing/cli-process.ts';
import { csrfOf } from './testing.ts';
import { totpCode } from './totp.ts';

const PASSWORD = 'a long enough password';

const addUser = (dataDir: string, args: string[], stdin: string) =>
  runFleetCli(['add-user', '--data', dataDir, ...args], { input: stdin });

describe('console from the fleet-server CLI', () => {
  let dataDir = '';
  let server: FleetServerProcess | undefined;
  let address = '';
  let totpUri = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-console-cli-'));
    const added = addUser(
      dataDir,
      ['--username', 'Anna', '--role', 'admin', '--totp'],
      `${PASSWORD}\n`,
    );
    assert.equal(added.status, 0, added.stderr);
    totpUri = added.stdout.trim();
    server = await startFleetServerProcess({ data: dataDir });
    address = server.url;
  });

  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the otpauth URI once and refuses bad input without echoing the password', () => {
    assert.match(totpUri, /^otpauth:\/\/totp\/Amt-O-Mat:anna\?.*secret=[A-Z2-7]+/);
    const short = addUser(dataDir, ['--username', 'bernd', '--role', 'clerk'], 'short\n');
    assert.equal(short.status, 1);
    assert.match(short.stderr, /password is not valid/);
    assert.ok(!short.stderr.includes('short\n') && !short.stdout.includes('short'));
    const taken = addUser(dataDir, ['--username', 'anna', '--role', 'clerk'], `${PASSWORD}\n`);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /taken/);
    assert.equal(addUser(dataDir, ['--username', 'x'], `${PASSWORD}\n`).status, 2);
  });

  it('serves the console: / redirects, and the new user signs in with password and TOTP', async () => {
    const root = await fetch(`${address}/`, { redirect: 'manual' });
    assert.equal(root.status, 303);
    assert.equal(root.headers.get('location'), '/console/');
    const login = await fetch(`${address}/console/login`);
    const csrf = csrfOf(await login.text());
    const loginCookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const secret = new URL(totpUri).searchParams.get('secret')!;
    const signedIn = await fetch(`${address}/console/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
      body: new URLSearchParams({
        _csrf: csrf,
        username: 'anna',
        password: PASSWORD,
        totp: totpCode(secret, Date.now()),
      }),
    });
    assert.equal(signedIn.status, 303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('amc_session='));
    assert.ok(session);
    const overview = await fetch(`${address}/console/`, {
      headers: { cookie: session.split(';')[0]! },
    });
    assert.equal(overview.status, 200);
    assert.match(await overview.text(), /Angemeldet als anna/);
  });
});
