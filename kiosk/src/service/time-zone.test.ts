/**
 * Issue #9 point 18 on the terminal: the site file's `site.timeZone` (default Europe/Berlin,
 * checked with Intl) reaches every view, so the UI shows times in the site's zone and not in
 * the zone the machine runs in (see also the staff menu in e2e/fleet.e2e.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { loadSiteConfig } from './config.ts';
import { openDemoHardware } from './demo.ts';
import { DEMO_SITE, startService } from './service.ts';

describe('the site time zone', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amtomat-tz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The demo site with `timeZone` set (or left out when undefined). */
  function siteWith(timeZone: string | undefined): string {
    const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8'));
    site.site.timeZone = timeZone;
    const file = join(dir, `site-${timeZone ?? 'default'}.json`.replaceAll('/', '-'));
    writeFileSync(file, JSON.stringify(site));
    return file;
  }

  test('defaults to Europe/Berlin; an unknown zone names the field in one line', () => {
    const demo = loadSiteConfig(siteWith(undefined));
    assert.ok(demo.ok);
    assert.equal(demo.value.site.timeZone, 'Europe/Berlin');
    const wrong = loadSiteConfig(siteWith('Mars/Olympus'));
    assert.ok(!wrong.ok);
    assert.match(
      wrong.error,
      /: site\.timeZone: not a time zone; use an IANA name such as Europe\/Berlin$/,
    );
    assert.doesNotMatch(wrong.error, /\n/);
  });

  test('every view carries the configured zone', async () => {
    const service = await startService({
      dataDir: join(dir, 'data'),
      port: 0,
      hardware: openDemoHardware,
      config: siteWith('America/New_York'),
      logger: memoryLogger(),
      uiDir: dir,
    });
    try {
      assert.equal(service.terminal.core.view().session.timeZone, 'America/New_York');
    } finally {
      await service.close();
    }
  });
});
