import assert from 'node:assert/strict';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than `undefined` or `false`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 4000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await sleep(5);
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

/** Waits until `predicate` holds. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 4000) {
  await eventually(what, predicate, timeoutMs);
}
