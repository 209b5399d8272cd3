/**
 * kiosk-admin: the operator's tool for the terminal's store. It never migrates or otherwise
 * changes the store; it may run while the kiosk service is running (WAL).
 *
 *   npm run kiosk-admin -- --data DIR verify-audit | backup FILE | schema-version
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAudit } from './audit.ts';
import { backup, type Db, LATEST_VERSION, openDb, STORE_FILE, schemaVersion } from './db.ts';

export const EXIT = { ok: 0, broken: 1, usage: 2, failed: 3 } as const;

const USAGE = `usage: kiosk-admin --data DIR <command>

  verify-audit     check the hash chain of the audit trail
  backup FILE      write a consistent copy of the store to FILE (must not exist)
  schema-version   the store's schema version and the one this software expects

DIR is the terminal's data directory (holding ${STORE_FILE}).
Exit codes: 0 ok, 1 audit chain broken, 2 usage or missing store, 3 store unreadable.`;

class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export function main(argv: string[], io: Io): number {
  try {
    const { dataDir, command, rest } = parseCommandLine(argv);
    if (command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    const db = openStore(dataDir);
    try {
      return runCommand(db, command, rest, io);
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`kiosk-admin: ${error.message}`);
      return error.exitCode;
    }
    // A damaged or foreign file, a full disk: one line for the operator, no stack trace.
    if (error instanceof Error) {
      io.err(`kiosk-admin: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}

function parseCommandLine(argv: string[]): { dataDir: string; command: string; rest: string[] } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`, EXIT.usage);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === 'help') return { dataDir: '', command: 'help', rest };
  if (command === undefined) throw new CliError(`no command given\n${USAGE}`, EXIT.usage);
  if (!['verify-audit', 'backup', 'schema-version'].includes(command)) {
    throw new CliError(`unknown command '${command}'\n${USAGE}`, EXIT.usage);
  }
  const expected = command === 'backup' ? 1 : 0;
  if (rest.length !== expected) {
    throw new CliError(
      command === 'backup' ? 'backup needs exactly one FILE' : `${command} takes no arguments`,
      EXIT.usage,
    );
  }
  if (parsed.values.data === undefined) throw new CliError('--data DIR is required', EXIT.usage);
  return { dataDir: parsed.values.data, command, rest };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function openStore(dataDir: string): Db {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new CliError(`data directory ${dataDir} does not exist`, EXIT.usage);
  }
  const path = join(dataDir, STORE_FILE);
  if (!existsSync(path))
    throw new CliError(`no store in ${dataDir} (${STORE_FILE} missing)`, EXIT.usage);
  return openDb(path, { mustExist: true, migrate: false });
}

function runCommand(db: Db, command: string, rest: string[], io: Io): number {
  const version = schemaVersion(db);
  if (command === 'schema-version') {
    io.out(`schema version ${version} (this software: ${LATEST_VERSION})`);
    return EXIT.ok;
  }
  if (version === 0) throw new CliError('the store file holds no kiosk schema', EXIT.failed);
  if (version > LATEST_VERSION) {
    throw new CliError(
      `store schema version ${version} is newer than this software (${LATEST_VERSION})`,
      EXIT.failed,
    );
  }
  if (command === 'verify-audit') {
    const result = verifyAudit(db);
    if (result.ok) {
      io.out(`audit chain ok: ${result.value.entries} entries`);
      return EXIT.ok;
    }
    io.out(`audit chain BROKEN at seq ${result.error.seq}: ${result.error.reason}`);
    return EXIT.broken;
  }
  const target = rest[0]!;
  if (existsSync(target)) throw new CliError(`backup target ${target} already exists`, EXIT.usage);
  backup(db, target);
  io.out(`backup written to ${target}`);
  return EXIT.ok;
}

if (import.meta.main) {
  process.exitCode = main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
