import type { Logger } from '@amtomat/basics';
import type { WebContentsLike } from './electron-like.ts';

/** Time as a port (DESIGN.md §4.1), so tests drive crashes and hangs without waiting. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long a renderer may stay unresponsive (a long layout, a GC pause) before it is killed. */
export const HANG_GRACE_MS = 10_000;
/** A crash this long after the previous one starts a new series (no backoff). */
export const CALM_AFTER_MS = 5 * 60_000;
export const MAX_RELOAD_DELAY_MS = 60_000;

/** 1st crash of a series: reload at once; then 1 s, 2 s, 4 s … capped, so a loop cannot spin. */
export function reloadDelayMs(crashesInSeries: number): number {
  if (crashesInSeries <= 1) return 0;
  return Math.min(1000 * 2 ** (crashesInSeries - 2), MAX_RELOAD_DELAY_MS);
}

/**
 * Keeps the kiosk page alive. Business state lives in the service (DESIGN.md §2), so a
 * reload loses nothing. A crashed renderer is reloaded with backoff; a renderer that stays
 * unresponsive past the grace is killed, and its `render-process-gone` brings the reload,
 * so both cases share one path. Reloads go to the service root (the auth cookie is already
 * set; the auth URL is single-use).
 */
export function keepRendererAlive(
  contents: WebContentsLike,
  options: { reloadUrl: string; timers: Timers; logger: Logger },
): void {
  const { reloadUrl, timers, logger } = options;
  let crashesInSeries = 0;
  let lastCrashAt = Number.NEGATIVE_INFINITY;
  let reloadPending = false;
  let hangTimer: unknown;

  const cancelHangTimer = () => {
    if (hangTimer === undefined) return false;
    timers.clearTimeout(hangTimer);
    hangTimer = undefined;
    return true;
  };

  const reload = () => {
    reloadPending = false;
    if (contents.isDestroyed()) return;
    contents.loadURL(reloadUrl).catch((error: unknown) => {
      logger.log('error', 'renderer-reload-failed', { code: errorCode(error) });
    });
  };

  contents.on('render-process-gone', (_event, details) => {
    cancelHangTimer();
    if (contents.isDestroyed()) return; // the window is closing: nothing to bring back
    const now = timers.now();
    crashesInSeries = now - lastCrashAt > CALM_AFTER_MS ? 1 : crashesInSeries + 1;
    lastCrashAt = now;
    const delayMs = reloadDelayMs(crashesInSeries);
    logger.log('error', 'renderer-gone', {
      reason: details.reason,
      exitCode: details.exitCode,
      crashesInSeries,
      reloadInMs: delayMs,
    });
    if (reloadPending) return;
    reloadPending = true;
    timers.setTimeout(reload, delayMs);
  });

  contents.on('unresponsive', () => {
    if (hangTimer !== undefined) return;
    logger.log('warn', 'renderer-unresponsive', { graceMs: HANG_GRACE_MS });
    hangTimer = timers.setTimeout(() => {
      hangTimer = undefined;
      logger.log('error', 'renderer-hung', { graceMs: HANG_GRACE_MS });
      contents.forcefullyCrashRenderer();
    }, HANG_GRACE_MS);
  });

  contents.on('responsive', () => {
    if (cancelHangTimer()) logger.log('info', 'renderer-responsive');
  });
}

/** Chromium's net error name (ERR_CONNECTION_REFUSED …); never the message, which holds the URL. */
function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String(error.code);
  return 'unknown';
}
