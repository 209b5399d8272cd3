import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildElectronMain } from '../../scripts/build-electron.ts';

test('the main process bundles to JavaScript with Electron and the native modules external', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-bundle-'));
  try {
    const code = readFileSync(await buildElectronMain(join(dir, 'main.js')), 'utf8');
    assert.match(code, /from "electron"/);
    assert.match(code, /from "better-sqlite3"/);
    assert.ok(code.includes('startService'), 'the service is inside the bundle');
    assert.ok(!code.includes('import type'), 'no TypeScript left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
