import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShellArgs } from './args.ts';

const defaults = { dataDir: '/home/kiosk/.config/amtomat' };

describe('parseShellArgs', () => {
  it('uses the defaults when nothing is given', () => {
    assert.deepEqual(parseShellArgs([], {}, defaults), {
      ok: true,
      value: { dataDir: defaults.dataDir, port: 8080, demo: false },
    });
  });

  it('reads flags in both spellings and ignores Electron and Chromium arguments', () => {
    const argv = ['/usr/bin/electron', '.', '--no-sandbox', '--data=/srv/kiosk', '--port', '4100'];
    const result = parseShellArgs([...argv, '--config', '/etc/kiosk.json', '--demo'], {}, defaults);
    assert.deepEqual(result, {
      ok: true,
      value: { dataDir: '/srv/kiosk', port: 4100, config: '/etc/kiosk.json', demo: true },
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { KIOSK_DATA: '/env/data', KIOSK_PORT: '4200' };
    assert.deepEqual(parseShellArgs([], env, defaults), {
      ok: true,
      value: { dataDir: '/env/data', port: 4200, demo: false },
    });
    assert.deepEqual(parseShellArgs(['--port', '4300'], env, defaults), {
      ok: true,
      value: { dataDir: '/env/data', port: 4300, demo: false },
    });
  });

  it('rejects a bad port or a missing value', () => {
    for (const argv of [['--port', '65536'], ['--port', '-1'], ['--port=http']]) {
      assert.equal(parseShellArgs(argv, {}, defaults).ok, false, argv.join(' '));
    }
    assert.equal(parseShellArgs([], { KIOSK_PORT: 'x' }, defaults).ok, false);
    assert.deepEqual(parseShellArgs(['--data'], {}, defaults), {
      ok: false,
      error: '--data needs a value',
    });
    assert.equal(parseShellArgs(['--data', '--demo'], {}, defaults).ok, false);
  });
});
