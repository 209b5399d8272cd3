/**
 * The rounds of the kill -9 tests, the fleet server's (agent/kill.test.ts) and the terminal's
 * (in the kiosk): KILLS times a process is killed mid-push at a seeded moment and restarted.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './support.ts';

export const KILLS = 3;

/**
 * Where the k-th kill goes (k from 1): around k/(KILLS+1) of the way, ± a tenth, so that the
 * last one still leaves a quarter of the events unsent.
 */
const killPoint = (k: number, total: number, random: () => number) =>
  Math.round(total * (k / (KILLS + 1) + (random() - 0.5) / 5));

/**
 * Each round: once `progress()` (events through, of `total`) reaches the round's point, up to
 * `jitterMs` later (somewhere in the next batch's round trip) `kill()`, check that events were
 * still to push, `restart()`.
 */
export async function killRounds(run: {
  total: number;
  random: () => number;
  jitterMs: number;
  progress: () => number | Promise<number>;
  kill: () => Promise<void>;
  restart: () => Promise<void>;
}): Promise<void> {
  for (let k = 1; k <= KILLS; k++) {
    const point = killPoint(k, run.total, run.random);
    const reached = async () => (await run.progress()) >= point;
    await waitFor(`${point} of ${run.total} events through`, reached, 60_000);
    await sleep(Math.floor(run.random() * run.jitterMs));
    await run.kill();
    assert.ok((await run.progress()) < run.total, 'killed while events were still to push');
    await run.restart();
  }
}
