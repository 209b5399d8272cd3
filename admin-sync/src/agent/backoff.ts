export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * "Full jitter": a uniformly random wait below the exponential ceiling, so a fleet that lost
 * the server at the same moment does not come back in lockstep. `failures` counts from 1.
 */
export function backoffDelayMs(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 40);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
