/**
 * Seeded randomness for the fault and kill tests, so a failing run can be repeated: the
 * seed comes from SYNC_TEST_SEED when set, else it is drawn and the test prints it.
 */
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';

export const SEED_VARIABLE = 'SYNC_TEST_SEED';

function testSeed(): number {
  const given = Number(process.env[SEED_VARIABLE]);
  return Number.isSafeInteger(given) && given > 0 ? given : randomInt(1, 2 ** 31);
}

/** Items in an order of `random`'s choosing (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Runs `body` with the test's seed, printed as its diagnostic; when it fails, says which seed
 * to repeat it with. That goes to stderr because the test runner shows a failing test's error
 * but not its diagnostics first.
 */
export async function withSeed<T>(
  t: TestContext,
  what: string,
  body: (seed: number) => Promise<T>,
): Promise<T> {
  const seed = testSeed();
  t.diagnostic(`seed ${seed}`);
  try {
    return await body(seed);
  } catch (error) {
    process.stderr.write(`${what} failed with seed ${seed}: rerun with ${SEED_VARIABLE}=${seed}\n`);
    throw error;
  }
}
