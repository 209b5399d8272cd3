import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { throttledWarnings, tokenBuckets } from './rate-limit.ts';

test('a bucket: the burst at once, then the rate; each client its own', () => {
  let now = 0;
  const limiter = tokenBuckets({ burst: 50, perSecond: 25, now: () => now });
  const taken = (client: string, n: number) =>
    Array.from({ length: n }, () => limiter.take(client)).filter(Boolean).length;
  assert.equal(taken('a', 60), 50);
  assert.equal(taken('b', 1), 1, 'another client is not held up');
  now += 200; // 0.2 s: 5 more
  assert.equal(taken('a', 10), 5);
  now += 10_000; // refilled up to the burst, not beyond
  assert.equal(taken('a', 60), 50);
});

test('refusal warnings: one line per kind and period, with how many were left out', () => {
  let now = 0;
  const logger = memoryLogger();
  const warn = throttledWarnings(logger, 10_000, () => now);
  for (let i = 0; i < 100; i++) warn('rpc.unauthorised', { path: '/api/views' });
  warn('rpc.rate_limited', { what: 'events' });
  now += 10_000;
  warn('rpc.unauthorised', { path: '/api/views' });
  assert.deepEqual(
    logger.entries.map((entry) => [entry.event, entry.fields.leftOut]),
    [
      ['rpc.unauthorised', undefined],
      ['rpc.rate_limited', undefined],
      ['rpc.unauthorised', 99],
    ],
  );
});
