/**
 * Structured logging: one JSON object per line, an event name plus technical fields (no
 * personal data). The same shape as locker-controller's Logger, so the kiosk's logger can be
 * passed in; repeated here because the server imports only admin-sync/protocol.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(
  component: string,
  options: { minLevel?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  const min = LEVEL_ORDER[options.minLevel ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return {
    log(level, event, fields) {
      if (LEVEL_ORDER[level] < min) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level, component, event, ...fields })}\n`,
      );
    },
  };
}

export function memoryLogger(): Logger & {
  entries: { level: LogLevel; event: string; fields: LogFields }[];
} {
  const entries: { level: LogLevel; event: string; fields: LogFields }[] = [];
  return {
    entries,
    log(level, event, fields = {}) {
      entries.push({ level, event, fields });
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** Time as a port, so tests can move it. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
