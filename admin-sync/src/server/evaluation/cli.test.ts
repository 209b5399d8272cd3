/**
 * `fleet-server simulate-evaluation` and `export-evaluation` as real processes: a short
 * simulation into a new data folder, the export from it, and each mistake a person can make
 * as one line with exit 2, never a stack trace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runFleetCli } from '../testing/cli-process.ts';

describe('fleet-server evaluation commands', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('simulate, then export a Data Package', () => {
    const data = join(dir, 'fleet');
    const period = ['--from', '2026-01-01', '--to', '2026-01-31'];
    const sim = runFleetCli(['simulate-evaluation', ...period, '--terminals', '2', '--data', data]);
    assert.equal(sim.status, 0, sim.stderr);
    assert.match(
      sim.stdout,
      /simulated 2 terminals, \d+ events; evaluation config in .*evaluation\.json/,
    );
    const out = join(dir, 'package');
    const exported = runFleetCli(['export-evaluation', ...period, '--out', out, '--data', data]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /wrote kpis\.csv, parameters\.csv, codebook\.csv, terminals\.csv, datapackage\.json/,
    );
    const descriptor = JSON.parse(readFileSync(join(out, 'datapackage.json'), 'utf8')) as {
      resources: unknown[];
    };
    assert.equal(descriptor.resources.length, 4);
    // The config the simulation wrote was used: its sites are in the package.
    assert.match(
      readFileSync(join(out, 'terminals.csv'), 'utf8'),
      /Terminal Mayen,Mayen,2026-01-01/,
    );
    const again = runFleetCli(['simulate-evaluation', ...period, '--data', data]);
    assert.equal(again.status, 2);
    assert.equal(
      again.stderr.trim(),
      'error: simulate-evaluation fills an empty database only: use a new --data DIR',
    );
  });

  test('mistakes are one line, exit 2', () => {
    const data = join(dir, 'empty');
    const cases: [string[], RegExp][] = [
      [
        ['export-evaluation', '--to', '2026-01-31', '--out', join(dir, 'x')],
        /^error: export-evaluation needs --from YYYY-MM-DD$/m,
      ],
      [
        [
          'export-evaluation',
          '--from',
          '2026-02-01',
          '--to',
          '2026-01-31',
          '--out',
          join(dir, 'x'),
        ],
        /^error: --from 2026-02-01 is after --to 2026-01-31$/m,
      ],
      [
        ['export-evaluation', '--from', '2026-01-01', '--to', '2026-01-31'],
        /^error: export-evaluation needs --out DIR$/m,
      ],
    ];
    for (const [args, message] of cases) {
      const run = runFleetCli([...args, '--data', data]);
      assert.equal(run.status, 2, args.join(' '));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ suppressionThreshold: 1 }));
    const bad = runFleetCli([
      'export-evaluation',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-31',
      '--out',
      join(dir, 'y'),
      '--evaluation-config',
      config,
      '--data',
      data,
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.trim(), /^error: .*bad\.json: suppressionThreshold: .+$/);
    assert.equal(existsSync(join(dir, 'y')), false, 'nothing written');
  });
});
