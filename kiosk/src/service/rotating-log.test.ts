import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rotatingLogger } from './rotating-log.ts';

test('JSON lines rotate by size; the oldest file goes; every line stays whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-log-'));
  try {
    const logger = rotatingLogger(dir, { maxBytes: 2_000, keep: 3, echo: false });
    for (let n = 0; n < 200; n++) logger.log('info', 'test.line', { n, compartment: 'A3' });
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['kiosk.log', 'kiosk.log.1', 'kiosk.log.2', 'kiosk.log.3']);
    for (const file of files) {
      assert.ok(statSync(join(dir, file)).size <= 2_000, `${file} within its size`);
      for (const line of readFileSync(join(dir, file), 'utf8').trim().split('\n')) {
        const entry = JSON.parse(line) as { event: string; level: string };
        assert.equal(entry.event, 'test.line');
      }
    }
    const newest = readFileSync(join(dir, 'kiosk.log'), 'utf8').trim().split('\n').at(-1)!;
    assert.equal((JSON.parse(newest) as { n: number }).n, 199);
    assert.ok(!existsSync(join(dir, 'kiosk.log.4')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
