/**
 * The site file is written whole or not at all, and only when the kiosk would accept it.
 * A writer killed with SIGKILL in mid-stream (as Ctrl-C or a power cut would stop the
 * wizard) never leaves a file the kiosk cannot read.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadSiteConfig } from '../../../kiosk/src/service/config.ts';
import { tempDir } from '../../../kiosk/src/store/test-support.ts';
import { until } from '../../../kiosk/src/testing/wait.ts';
import { writeSiteFile } from './site-file.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'sites', 'demo.json');
const demo = () => JSON.parse(readFileSync(DEMO, 'utf8')) as Record<string, unknown>;

describe('writing the site file', () => {
  test('a valid site is written and reads back as the kiosk reads it', (t) => {
    const dir = tempDir(t, 'site-file-');
    const path = join(dir, 'site.json');
    const written = writeSiteFile(path, demo());
    assert.ok(written.ok);
    assert.ok(loadSiteConfig(path).ok);
    assert.deepEqual(readdirSync(dir), ['site.json'], 'no temporary file left');
  });

  test('an invalid site is refused with the kiosk message, and the old file stays', (t) => {
    const dir = tempDir(t, 'site-file-');
    const path = join(dir, 'site.json');
    assert.ok(writeSiteFile(path, demo()).ok);
    const before = readFileSync(path, 'utf8');
    const broken = demo() as { locker: { compartments: Record<string, unknown>[] } };
    delete broken.locker.compartments[2]!.lock;
    const refused = writeSiteFile(path, broken);
    assert.ok(!refused.ok);
    assert.equal(
      refused.error,
      `site file ${path} is not valid: compartment A3 (locker.compartments): lock: missing`,
    );
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(readdirSync(dir), ['site.json']);
  });

  test('a writer killed mid-stream leaves a whole file, never half of one', async (t) => {
    const dir = tempDir(t, 'site-file-');
    const path = join(dir, 'site.json');
    // A child rewrites the file as fast as it can, with a growing site name.
    const script = `
      import { writeSiteFile } from ${JSON.stringify(join(import.meta.dirname, 'site-file.ts'))};
      const site = JSON.parse(process.argv[2]);
      for (let n = 0; ; n++) {
        site.site.name = 'Rathaus ' + 'x'.repeat(n % 60);
        const r = writeSiteFile(process.argv[1], site);
        if (!r.ok) { console.error(r.error); process.exit(1); }
        if (n === 20) console.log('writing');
      }`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, path, JSON.stringify(demo())],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let started = false;
    child.stdout.on('data', () => {
      started = true;
    });
    await until('the writer runs', () => started, 10_000);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.ok(existsSync(path));
    assert.ok(loadSiteConfig(path).ok, readFileSync(path, 'utf8').slice(-80));
  });
});
