/**
 * Brute-force protection for pickup codes at one terminal. Five wrong codes (or dates of
 * birth) within ten minutes lock code entry; each further failure after a lock doubles
 * the lock, counted over a day, up to an hour. Failures are stored, so a restart does not
 * reset the lock.
 */
export const LOCKOUT = {
  windowMs: 10 * 60_000,
  maxFailures: 5,
  escalationWindowMs: 24 * 60 * 60_000,
  baseLockMs: 60_000,
  maxLockMs: 60 * 60_000,
} as const;

/** `failures`: times of wrong entries within the escalation window, oldest first. */
export function lockedUntil(failures: readonly number[], now: number): number | null {
  const recent = failures.filter((at) => at > now - LOCKOUT.windowMs);
  if (recent.length < LOCKOUT.maxFailures) return null;
  const daily = failures.filter((at) => at > now - LOCKOUT.escalationWindowMs).length;
  const lockMs = Math.min(
    LOCKOUT.maxLockMs,
    LOCKOUT.baseLockMs * 2 ** (daily - LOCKOUT.maxFailures),
  );
  const until = recent.at(-1)! + lockMs;
  return until > now ? until : null;
}
