import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findDroppedResults, isProduction } from './dropped-result.ts';

/** A small project for the real type checker: what is a dropped Result, and what is not. */
const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'es2024',
      lib: ['es2024'],
      types: [],
      strict: true,
      noEmit: true,
      module: 'nodenext',
      allowImportingTsExtensions: true,
    },
    include: ['src'],
  }),
  'src/store.ts': `
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
export function save(): Result<number, 'full'> { return { ok: true, value: 1 }; }
export async function send(): Promise<Result<void, 'offline'>> { return { ok: false, error: 'offline' }; }
export function flag(): { ok: boolean } { return { ok: true }; }
`,
  'src/service.ts': `
import { flag, save, send } from './store.ts';
export async function run(): Promise<number> {
  save();
  await send();
  send();
  [1, 2].forEach(() => save());
  const kept = save();
  let later = save();
  later = save();
  if (!save().ok) return 0;
  // Said on purpose: handled elsewhere.
  void save();
  const factory = () => save();
  flag();
  return kept.ok && later.ok && factory().ok ? 1 : 0;
}
`,
  'src/service.test.ts': `
import { save } from './store.ts';
save();
`,
};

test('finds each dropped Result with its line, and nothing that is used or said on purpose', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-dropped-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  assert.deepEqual(findDroppedResults(dir), [
    { file: 'src/service.ts', line: 4, code: 'save()' },
    { file: 'src/service.ts', line: 5, code: 'await send()' },
    { file: 'src/service.ts', line: 6, code: 'send()' },
    { file: 'src/service.ts', line: 7, code: 'save()' },
  ]);
});

test('production code: not tests, fixtures, benchmarks, e2e or the simulator', () => {
  for (const file of [
    'kiosk/src/doors/door-service.ts',
    'kiosk/src/flows/drop-off.flow.ts',
    'locker-controller/src/locker/locker.ts',
    'admin-sync/src/server/cli.ts',
    'scripts/build-electron.ts',
  ]) {
    assert.ok(isProduction(file), file);
  }
  for (const file of [
    'kiosk/src/doors/door-service.test.ts',
    'kiosk/electron/fake-electron.testing.ts',
    'kiosk/src/store/test-support.ts',
    'kiosk/src/testing/kiosk-fixture.ts',
    'kiosk/e2e/harness.ts',
    'kiosk/bench/rpc.bench.ts',
    'hardware-mocks/src/lock-board-sim/simulator.ts',
  ]) {
    assert.ok(!isProduction(file), file);
  }
});
