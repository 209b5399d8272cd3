/**
 * Structured logging: one JSON object per line, an event name plus fields.
 * Callers pass only technical facts (addresses, counts, reasons), never personal data
 * such as codes, card numbers or barcode contents.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

/** One line as `memoryLogger` keeps it. */
export interface LogEntry {
  level: LogLevel;
  event: string;
  fields: LogFields;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON lines to a stream (stderr by default), dropping levels below `minLevel`. */
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

/** Keeps entries in memory; tests assert on what was logged. */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, event, fields = {}) {
      entries.push({ level, event, fields });
    },
  };
}

export const silentLogger: Logger = { log() {} };
