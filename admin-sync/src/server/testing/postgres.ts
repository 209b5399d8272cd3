/**
 * A real, throw-away PostgreSQL for tests: Debian's server binaries (package `postgresql`,
 * installed by scripts/setup.sh), a cluster initialised in a temp dir, listening only on a
 * unix socket inside that dir (no port to collide with), durability off (test data). As root
 * the server runs as the `postgres` user, because PostgreSQL refuses to run as root.
 */
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const DEBIAN_ROOT = '/usr/lib/postgresql';
const SOCKET_PORT = 5432;

/** The one role that must give a password (scram-sha-256); every other role is trusted. */
export const PASSWORD_ROLE = 'fleet_pw';

export interface TestPostgres {
  /** A new, empty database; its connection settings. */
  createDatabase(): Promise<pg.PoolConfig>;
  /** Sets the password of PASSWORD_ROLE (created on first use), owner of `database`. */
  passwordRole(password: string, database: string): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server's bin dir, or undefined. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((version) => existsSync(join(DEBIAN_ROOT, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(DEBIAN_ROOT, versions[0], 'bin');
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries not found in /usr/lib/postgresql: run scripts/setup.sh (Debian package postgresql)',
    );
  }
  const asRoot = process.getuid?.() === 0;
  // As root: /tmp, which the postgres user can reach whatever TMPDIR says.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'fleet-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const run = (program: string, args: string[]) => {
    const [command, ...rest] = asRoot
      ? ['runuser', '-u', 'postgres', '--', join(bin, program), ...args]
      : [join(bin, program), ...args];
    execFileSync(command!, rest, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    run('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    // Trust for tests, but one role with a password, to test a wrong one.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      `local all ${PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n`,
    );
    const settings = [
      `-p ${SOCKET_PORT}`,
      "-c listen_addresses=''",
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', log, '-o', settings, '-w', '-t', '60', 'start']);
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${(error as Error).message}\n${serverLog}`);
  }

  const connection = (database: string): pg.PoolConfig => ({
    host: dir,
    port: SOCKET_PORT,
    user: 'postgres',
    database,
  });
  const admin = new pg.Pool({ ...connection('postgres'), max: 2 });
  let databases = 0;
  return {
    async createDatabase() {
      const name = `fleet_test_${++databases}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return connection(name);
    },
    async passwordRole(password, database) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
        PASSWORD_ROLE,
      ]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      const literal = `'${password.replaceAll("'", "''")}'`;
      await admin.query(`${verb} ROLE ${PASSWORD_ROLE} LOGIN PASSWORD ${literal}`);
      await admin.query(`ALTER DATABASE ${database} OWNER TO ${PASSWORD_ROLE}`);
    },
    async stop() {
      await admin.end();
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
