import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { err, ok, type Result } from '@amtomat/basics';
import type { ServiceOptions } from './service.ts';

export type KioskArgs = Pick<ServiceOptions, 'dataDir' | 'port' | 'config'> & {
  /** The demo root: simulated hardware, demo people and items (service/demo.ts). */
  demo: boolean;
  headless: boolean;
};

const OPTIONS = 'options: --demo, --headless, --data DIR, --port N, --config FILE';

/**
 * `--data DIR --port N --config FILE --demo --headless`, with `KIOSK_DATA` / `KIOSK_PORT`
 * where the flag is not given (a flag wins). A mistake is a value: one line naming the
 * flag or variable and what it takes, for the caller to print.
 */
export function parseKioskArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Result<KioskArgs, string> {
  const flags = readFlags(argv);
  if (!flags.ok) return flags;
  const values = flags.value;
  // An empty variable counts as unset (`KIOSK_PORT= npm start`).
  const portSource = values.port === undefined ? 'KIOSK_PORT' : '--port';
  const given = values.port ?? nonEmpty(env.KIOSK_PORT);
  const port = parsePort(given ?? '8080');
  if (port === undefined) {
    return err(`${portSource} must be a port number from 0 to 65535, not "${given}"`);
  }
  const dataDir = values.data ?? nonEmpty(env.KIOSK_DATA) ?? join(process.cwd(), 'data');
  if (dataDir === '') return err('--data needs a folder');
  return ok({
    dataDir,
    port,
    ...(values.config !== undefined && { config: values.config }),
    demo: values.demo,
    headless: values.headless,
  });
}

const FLAGS = {
  data: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  demo: { type: 'boolean', default: false },
  headless: { type: 'boolean', default: false },
} as const;

function readFlags(argv: readonly string[]) {
  try {
    return ok(parseArgs({ args: [...argv], options: FLAGS, strict: true }).values);
  } catch (error) {
    // Node's messages name the option; some span lines (`--port -5`): one line.
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    return err(`${message} (${OPTIONS})`);
  }
}

/** 0 is allowed: the system picks a free port (tests and the bench use it). */
function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text.trim())) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

const nonEmpty = (value: string | undefined) => (value === '' ? undefined : value);
