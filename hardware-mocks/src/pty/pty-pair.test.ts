/**
 * socat does not outlive the process that opened the pair, however that process ends: a
 * child opens a pair in its own TMPDIR and prints the host path, then exits or is killed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const PTY_PAIR = join(import.meta.dirname, 'pty-pair.ts');

/** socat processes whose links lie under `dir` (pgrep exits 1 when there are none). */
function socatsUnder(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `socat .*${dir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** A child that opens a pair, says where, then waits (`then: 'wait'`) or calls exit(3). */
async function childWithPair(dir: string, then: 'wait' | 'exit') {
  const script = `
    import { openPtyPair } from ${JSON.stringify(PTY_PAIR)};
    const pair = await openPtyPair();
    console.log(pair.hostPath);
    if (${JSON.stringify(then)} === 'exit') process.exit(3);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TMPDIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const [hostPath] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  assert.ok(hostPath.startsWith(dir), `the pair under ${dir}: ${hostPath}`);
  return { child, exited };
}

async function assertGone(dir: string) {
  for (let i = 0; i < 40 && socatsUnder(dir).length > 0; i++) await sleep(50);
  assert.deepEqual(socatsUnder(dir), [], 'socat still runs');
}

describe('openPtyPair: socat ends with its parent', () => {
  test('on process.exit()', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pty-parent-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { exited } = await childWithPair(dir, 'exit');
    assert.equal(await exited, 3);
    await assertGone(dir);
    assert.deepEqual(readdirSync(dir), [], 'its folder is removed');
  });

  test('on SIGKILL (no exit hook runs)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pty-parent-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { child, exited } = await childWithPair(dir, 'wait');
    assert.equal(socatsUnder(dir).length, 1, 'socat runs while its parent lives');
    child.kill('SIGKILL');
    await exited;
    await assertGone(dir);
  });
});
