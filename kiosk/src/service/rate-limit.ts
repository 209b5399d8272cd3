import type { Logger } from '@amtomat/basics';

type LogFields = Parameters<Logger['log']>[2];

/**
 * Token buckets per client: `burst` requests at once, then `perSecond` on average. A client
 * over its budget is refused at once, before its request costs anything (DESIGN.md §2: the
 * service must stay responsive to its own window).
 */
export interface RateLimiter {
  /** Takes one token from `client`'s bucket; false: over the limit. */
  take(client: string): boolean;
}

/** Buckets are forgotten once full again, so many clients cannot grow the map for long. */
const PRUNE_ABOVE = 1000;

export function tokenBuckets(options: {
  burst: number;
  perSecond: number;
  now?: () => number;
}): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (bucket: { tokens: number; at: number }, at: number) => {
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + ((at - bucket.at) / 1000) * options.perSecond,
    );
    bucket.at = at;
  };
  return {
    take(client) {
      const at = now();
      if (buckets.size > PRUNE_ABOVE) {
        for (const [key, bucket] of buckets) {
          refill(bucket, at);
          if (bucket.tokens >= options.burst) buckets.delete(key);
        }
      }
      const bucket = buckets.get(client) ?? { tokens: options.burst, at };
      buckets.set(client, bucket);
      refill(bucket, at);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

/**
 * Warnings about refused requests, at most one line per event name every `everyMs`, with
 * how many were left out since: a flood of refusals must not become a flood of log writes
 * (nor rotate the useful lines away).
 */
export function throttledWarnings(
  logger: Logger,
  everyMs = 10_000,
  now: () => number = () => performance.now(),
) {
  const last = new Map<string, { at: number; left: number }>();
  return (event: string, fields: LogFields) => {
    const seen = last.get(event);
    if (seen && now() - seen.at < everyMs) {
      seen.left++;
      return;
    }
    logger.log('warn', event, seen?.left ? { ...fields, leftOut: seen.left } : fields);
    last.set(event, { at: now(), left: 0 });
  };
}
