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
import { loadSiteConfig, terminalLayout } from './config.ts';
import { DEMO_SITE } from './service.ts';

interface EditableSite {
  site: Record<string, unknown>;
  locker: { buses: Record<string, unknown>[]; compartments: Record<string, unknown>[] };
  compartments: Record<string, Record<string, unknown>>;
  screen?: Record<string, unknown>;
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

describe('the screen and the wall in the site file', () => {
  test('a screen hung too high, or without its size, is one line saying what to fix', (t) => {
    const high = loadChanged(t, (site) => {
      site.screen = { orientation: 'portrait', diagonalInch: 21.5, lowerEdgeCm: 120 };
    });
    assert.match(high, /^site file .*: screen: less than 10 cm of the screen lies 85–105 cm above/);
    assert.match(high, /lower edge is at most 95 cm high$/);
    const sizeless = loadChanged(t, (site) => {
      site.screen = { orientation: 'portrait', lowerEdgeCm: 80 };
    });
    assert.match(sizeless, /screen: give either diagonalInch or heightCm/);
    const sideways = loadChanged(t, (site) => {
      site.screen = { orientation: 'upright', heightCm: 40, lowerEdgeCm: 80 };
    });
    assert.match(
      sideways,
      /screen\.orientation: Invalid option: expected one of "portrait"\|"landscape"/,
    );
    const below = loadChanged(t, (site) => {
      site.screen = { orientation: 'landscape', heightCm: 40, lowerEdgeCm: -5 };
    });
    assert.match(below, /screen\.lowerEdgeCm: Too small/);
  });

  test('a place on the wall missing its row, or taken twice, names the compartment', (t) => {
    const rowless = loadChanged(t, (site) => {
      delete site.compartments.A2!.row;
    });
    assert.match(
      rowless,
      /compartments\.A2\.row: missing \(give every compartment a column and a row, or none\)$/,
    );
    const twice = loadChanged(t, (site) => {
      site.compartments.A2!.row = 2;
    });
    assert.match(twice, /compartments\.A(1|2): column 1, row 2 is already A(1|2)'s place/);
  });

  test('the demo site: the reach band on its portrait screen, and its wall', () => {
    const site = loadSiteConfig(DEMO_SITE);
    assert.ok(site.ok);
    const layout = terminalLayout(site.value);
    // 21.5 inch portrait, 47.6 cm tall, lower edge at 80 cm: 105 cm is 47.5 % down the
    // screen, 85 cm 89.5 % down.
    assert.equal(layout.orientation, 'portrait');
    assert.ok(Math.abs(layout.reach.top - 0.475) < 0.002, `top ${layout.reach.top}`);
    assert.ok(Math.abs(layout.reach.bottom - 0.895) < 0.002, `bottom ${layout.reach.bottom}`);
    assert.equal(layout.wall?.columns, 2);
    const b2 = layout.wall?.compartments.find((c) => c.label === 'B2');
    // Its top is the floor of B1 above it.
    assert.deepEqual(b2, { label: 'B2', column: 2, row: 4, bottomCm: 10, topCm: 70 });
  });
});
