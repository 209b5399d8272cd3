import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

// js-yaml comes with electron-builder (it reads this same file with it); it has no types here.
const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId?: string;
  productName?: string;
  asar?: boolean;
  files?: string[];
  extraMetadata?: { main?: string };
  electronFuses?: Record<string, boolean>;
  linux?: { target?: string[] };
}

const config = load(
  readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('flips the hardening fuses', () => {
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar, which onlyLoadAppFromAsar requires', () => {
    assert.equal(config.asar, true);
  });

  it('starts the built main process and ships no tests', () => {
    assert.equal(config.extraMetadata?.main, 'kiosk/build/electron/main.js');
    assert.ok(config.files?.includes('kiosk/**'));
    assert.ok(config.files?.includes('!**/*.test.ts'));
    assert.ok(config.files?.includes('!**/*.testing.ts'));
  });

  it('names the app and builds the Linux installers', () => {
    assert.equal(config.appId, 'de.myk10.amtomat.kiosk');
    assert.equal(config.productName, 'Amt-O-Mat Kiosk');
    assert.deepEqual([...(config.linux?.target ?? [])].sort(), ['AppImage', 'deb']);
  });
});
