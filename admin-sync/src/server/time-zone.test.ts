/**
 * Issue #9 point 18 on the fleet side: one configured time zone (--time-zone or
 * FLEET_TIME_ZONE, default Europe/Berlin) for the times the console shows, checked with Intl
 * at start (a wrong name is one line, no stack trace). Real processes on a real port.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dateTimeFormatter } from './console/i18n.ts';
import { runFleetCli, startFleetServerProcess } from './testing/cli-process.ts';

const PASSWORD = 'correct horse battery staple';

/** Signs in over HTTP as a browser would and returns the page at `path`. */
async function signedInPage(base: string, username: string, path: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const form = await fetch(`${base}/console/login`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, username, password: PASSWORD, totp: '' }),
  });
  assert.equal(login.status, 303);
  keep(login);
  return (await fetch(`${base}${path}`, { headers: { cookie: cookie() } })).text();
}

describe('fleet server time zone', () => {
  let dataDir = '';
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleet-tz-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses an unknown zone in one line, from the flag or the environment', () => {
    for (const run of [
      runFleetCli(['serve', '--data', dataDir, '--port', '0', '--time-zone', 'Mars/Olympus']),
      runFleetCli(['serve', '--data', dataDir, '--port', '0'], {
        env: { FLEET_TIME_ZONE: 'Europe/Atlantis' },
      }),
    ]) {
      assert.equal(run.status, 2);
      const [first = ''] = String(run.stderr).split('\n');
      assert.match(
        first,
        /^error: --time-zone \/ FLEET_TIME_ZONE: "(Mars\/Olympus|Europe\/Atlantis)" is not a time zone; use an IANA name such as Europe\/Berlin$/,
      );
      assert.doesNotMatch(String(run.stderr), /\n\s+at /, 'no stack trace');
    }
  });

  for (const [how, zone, options] of [
    ['FLEET_TIME_ZONE', 'America/New_York', { env: { FLEET_TIME_ZONE: 'America/New_York' } }],
    ['--time-zone', 'Asia/Tokyo', { args: ['--time-zone', 'Asia/Tokyo'] }],
    ['the default', 'Europe/Berlin', {}],
  ] as const) {
    it(`shows console times in ${zone} (${how})`, async () => {
      const dir = mkdtempSync(join(dataDir, 'run-'));
      const before = Date.now();
      const added = runFleetCli(
        ['add-user', '--data', dir, '--username', 'anna', '--role', 'admin'],
        {
          input: `${PASSWORD}\n`,
        },
      );
      assert.equal(added.status, 0, String(added.stderr));
      const after = Date.now();
      const server = await startFleetServerProcess({ data: dir }, options);
      try {
        const page = await signedInPage(server.url, 'anna', '/console/users');
        // The user's creation time, in the configured zone (to the minute; either side of one).
        const format = dateTimeFormatter('de', zone);
        const shown = [format(before), format(after)];
        assert.ok(
          shown.some((text) => page.includes(`<td>${text}</td>`)),
          `${shown.join(' or ')} on the users page`,
        );
        if (zone !== 'Europe/Berlin') {
          const berlin = dateTimeFormatter('de', 'Europe/Berlin');
          assert.ok(!page.includes(`<td>${berlin(before)}</td>`), 'not in Berlin time');
        }
      } finally {
        await server.stop();
      }
    });
  }
});
