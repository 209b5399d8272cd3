import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLogger, type Logger } from '@amtomat/basics';

/**
 * JSON lines into `dir/kiosk.log`, rotated by size (kiosk.log.1 … .N, oldest dropped), and
 * warnings and errors also to stderr. What goes in is already free of personal data: every
 * event names ids, labels and kinds only.
 */
export function rotatingLogger(
  dir: string,
  options: { maxBytes?: number; keep?: number; echo?: boolean } = {},
): Logger {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 5;
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = join(dir, 'kiosk.log');
  let size = existsSync(file) ? statSync(file).size : 0;

  function rotate() {
    rmSync(`${file}.${keep}`, { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
    }
    if (existsSync(file)) renameSync(file, `${file}.1`);
    size = 0;
  }

  const toFile = jsonLogger('kiosk', {
    minLevel: 'info',
    write(line) {
      if (size + line.length > maxBytes) rotate();
      appendFileSync(file, line, { mode: 0o640 });
      size += Buffer.byteLength(line);
    },
  });
  const toStderr = jsonLogger('kiosk', { minLevel: 'warn' });
  return {
    log(level, event, fields) {
      toFile.log(level, event, fields);
      if (options.echo !== false) toStderr.log(level, event, fields);
    },
  };
}
