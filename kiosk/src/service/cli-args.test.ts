import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseKioskArgs } from './cli-args.ts';

describe('parseKioskArgs', () => {
  test('defaults: port 8080, ./data', () => {
    assert.deepEqual(parseKioskArgs([], {}), {
      ok: true,
      value: { dataDir: join(process.cwd(), 'data'), port: 8080, demo: false, headless: false },
    });
  });

  test('KIOSK_DATA and KIOSK_PORT where no flag is given; a flag wins', () => {
    const env = { KIOSK_DATA: '/env/data', KIOSK_PORT: '4200' };
    const fromEnv = parseKioskArgs(['--demo'], env);
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.value.dataDir, '/env/data');
    assert.equal(fromEnv.value.port, 4200);
    const flags = parseKioskArgs(['--data', '/flag/data', '--port=4300'], env);
    assert.ok(flags.ok);
    assert.equal(flags.value.dataDir, '/flag/data');
    assert.equal(flags.value.port, 4300);
  });

  test('port 0 (any free port) is allowed; an empty variable counts as unset', () => {
    const zero = parseKioskArgs(['--port', '0'], {});
    assert.ok(zero.ok && zero.value.port === 0);
    const empty = parseKioskArgs([], { KIOSK_PORT: '', KIOSK_DATA: '' });
    assert.ok(empty.ok && empty.value.port === 8080);
    assert.equal(empty.value.dataDir, join(process.cwd(), 'data'));
  });

  test('mistakes are one-line values naming the flag or the variable', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', '65536'], {}, /^--port must be a port number from 0 to 65535, not "65536"$/],
      [['--port', '1.5'], {}, /^--port must be/],
      [[], { KIOSK_PORT: '-1' }, /^KIOSK_PORT must be/],
      [['--nope'], {}, /^Unknown option '--nope' \(options: /],
      [['--port', '-5'], {}, /^Option '--port' argument is ambiguous\. /],
    ];
    for (const [argv, env, pattern] of cases) {
      const result = parseKioskArgs(argv, env);
      assert.ok(!result.ok, argv.join(' '));
      assert.match(result.error, pattern);
      assert.doesNotMatch(result.error, /\n/);
    }
  });
});
