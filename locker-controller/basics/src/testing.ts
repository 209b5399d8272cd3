/** Test support: a simulated clock. Imported by tests only (`@amtomat/basics/testing`). */
import type { Clock } from './clock.ts';

export interface SimulatedClock extends Clock {
  /** Moves the time on by `ms` and wakes every sleeper whose time has come. */
  advance(ms: number): void;
  /** Sets the time (never backwards past a sleeper: it simply wakes later). */
  set(at: number): void;
  /** When the earliest sleeper wakes; undefined when nobody sleeps. */
  nextWakeAt(): number | undefined;
}

/** A clock tests move by hand; sleepers wake in the order of their wake times. */
export function simulatedClock(start = Date.UTC(2026, 10, 2, 9, 0, 0)): SimulatedClock {
  let now = start;
  const sleepers = new Set<{ until: number; wake: () => void }>();
  const clock: SimulatedClock = {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        // Whole milliseconds, as Date.now() gives them (a store keeps times as integers).
        const sleeper = { until: now + Math.ceil(ms), wake: () => done() };
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
      const due = [...sleepers].filter((sleeper) => sleeper.until <= now);
      for (const sleeper of due.sort((a, b) => a.until - b.until)) sleeper.wake();
    },
    nextWakeAt() {
      let earliest: number | undefined;
      for (const { until } of sleepers)
        if (earliest === undefined || until < earliest) earliest = until;
      return earliest;
    },
  };
  return clock;
}
