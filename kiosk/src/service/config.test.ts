/**
 * The site file as an installer writes it: a mistake is one line that names the compartment
 * by the label on its door, says "missing" for a missing field, and refuses settings for a
 * compartment the locker does not have.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { tempDir } from '../store/test-support.ts';
import { loadSiteConfig } from './config.ts';
import { DEMO_SITE } from './service.ts';

interface EditableSite {
  site: Record<string, unknown>;
  locker: { buses: Record<string, unknown>[]; compartments: Record<string, unknown>[] };
  compartments: Record<string, Record<string, unknown>>;
}

/** The demo site with `change` applied, loaded from a file. */
function loadChanged(t: TestContext, change: (site: EditableSite) => void) {
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as EditableSite;
  change(site);
  const file = join(tempDir(t, 'kiosk-site-'), 'site.json');
  writeFileSync(file, JSON.stringify(site));
  const result = loadSiteConfig(file);
  assert.ok(!result.ok, 'the file is refused');
  assert.doesNotMatch(result.error, /\n/, 'one line');
  return result.error;
}

describe('site file errors', () => {
  test('name the compartment by its label, not its position in the list', (t) => {
    const error = loadChanged(t, (site) => {
      site.locker.compartments[2]!.lock = 99;
    });
    assert.match(
      error,
      /compartment A3 \(locker\.compartments\): lock: kerong-cu16 has locks 1\.\.16/,
    );
    assert.doesNotMatch(error, /compartments\.2/);
  });

  test('say "missing" for a missing field', (t) => {
    const lock = loadChanged(t, (site) => {
      delete site.locker.compartments[2]!.lock;
    });
    assert.match(lock, /compartment A3 \(locker\.compartments\): lock: missing$/);
    const name = loadChanged(t, (site) => {
      delete site.site.name;
    });
    assert.match(name, /site\.name: missing$/);
    const height = loadChanged(t, (site) => {
      delete site.compartments.A1!.heightCm;
    });
    assert.match(height, /compartments\.A1\.heightCm: missing$/);
  });

  test('a compartment without a label is named by its number in the list', (t) => {
    const error = loadChanged(t, (site) => {
      delete site.locker.compartments[2]!.label;
    });
    assert.match(error, /compartment no\. 3 \(locker\.compartments\): label: missing/);
  });

  test('a bus is named by its id', (t) => {
    const error = loadChanged(t, (site) => {
      site.locker.buses[0]!.timeoutMs = 1;
    });
    assert.match(error, /bus main \(locker\.buses\): timeoutMs: /);
  });

  test('settings for a compartment the locker does not have are an error', (t) => {
    const error = loadChanged(t, (site) => {
      site.compartments.Z9 = { heightCm: 50, accessible: true };
    });
    assert.match(error, /compartments\.Z9: no compartment Z9 in locker\.compartments/);
  });

  test('several problems stay on one line', (t) => {
    const error = loadChanged(t, (site) => {
      delete site.site.name;
      delete site.locker.compartments[0]!.size;
    });
    assert.match(
      error,
      /site\.name: missing; compartment A1 \(locker\.compartments\): size: missing/,
    );
  });
});
