import type { Clock } from '@amtomat/locker-controller';

/** A clock tests move by hand: `advance(ms)` wakes every sleeper whose time has come. */
export function simulatedClock(start = Date.UTC(2026, 10, 2, 9, 0, 0)) {
  let now = start;
  const sleepers = new Set<{ until: number; wake: () => void }>();
  const clock: Clock & { advance(ms: number): void; set(at: number): void } = {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        const sleeper = { until: now + ms, wake: () => done() };
        const done = () => {
          sleepers.delete(sleeper);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        if (signal?.aborted) return resolve();
        signal?.addEventListener('abort', done, { once: true });
        sleepers.add(sleeper);
      });
    },
    advance(ms) {
      clock.set(now + ms);
    },
    set(at) {
      now = at;
      for (const sleeper of [...sleepers]) if (sleeper.until <= now) sleeper.wake();
    },
  };
  return clock;
}
