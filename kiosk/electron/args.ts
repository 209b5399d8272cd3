import type { Result } from '@amtomat/basics';

/** What the shell hands to the service; the same shape as the service's `ServiceOptions`. */
export interface ShellServiceOptions {
  dataDir: string;
  port: number;
  config?: string;
  demo: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const VALUE_FLAGS = ['--data', '--port', '--config'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/**
 * Reads `--data DIR`, `--port N`, `--config FILE`, `--demo` (also `--flag=value`) and the
 * environment `KIOSK_DATA`, `KIOSK_PORT`; flags win over the environment. Unknown arguments
 * are ignored: Electron and Chromium put their own executable, app path and switches in argv.
 * The port defaults to 8080, as for the service on its own (issue #4); 0 lets the OS pick a
 * free loopback port, and the shell learns the real URL from the service.
 */
export function parseShellArgs(
  argv: readonly string[],
  env: Env,
  defaults: { dataDir: string },
): Result<ShellServiceOptions, string> {
  const values = new Map<ValueFlag, string>();
  let demo = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--demo') {
      demo = true;
      continue;
    }
    const [name, inlineValue] = splitFlag(arg);
    if (!isValueFlag(name)) continue;
    const value = inlineValue ?? argv[++index];
    if (value === undefined || value === '' || value.startsWith('--')) {
      return { ok: false, error: `${name} needs a value` };
    }
    values.set(name, value);
  }

  const port = parsePort(values.get('--port') ?? env.KIOSK_PORT ?? '8080');
  if (port === undefined) return { ok: false, error: 'port must be an integer from 0 to 65535' };
  const config = values.get('--config');
  return {
    ok: true,
    value: {
      dataDir: values.get('--data') ?? env.KIOSK_DATA ?? defaults.dataDir,
      port,
      demo,
      ...(config === undefined ? {} : { config }),
    },
  };
}

function splitFlag(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return equals === -1 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
