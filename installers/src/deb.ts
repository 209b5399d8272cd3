/**
 * The terminal's Debian package, built offline with dpkg-deb from a staged tree:
 * the kiosk's sources without tests, the built UI, the production dependencies only (no
 * fleet server, no simulator), the Node 24 that runs the build (pinned by scripts/node24), and the system files in
 * installers/debian (units, udev rules, pam, maintainer scripts).
 *
 *   npm run deb [-- --out DIR]      # writes DIR/amtomat_VERSION_amd64.deb (default: dist/)
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..', '..');
const DEBIAN = join(ROOT, 'installers', 'debian');
const LIB = 'usr/lib/amtomat';

/** The workspace packages the kiosk runs on, and what of each it runs. */
const APP_PARTS = [
  { from: 'kiosk/src', skip: ['demo.ts'] },
  { from: 'kiosk/ui/dist', skip: [] },
  // The service speaks from the page's own translation files (kiosk/src/speech).
  { from: 'kiosk/ui/src/locales', skip: [] },
  // ... and lists its names as the page does (formatList).
  { from: 'kiosk/ui/src/components/date-time.ts', skip: [] },
  { from: 'kiosk/package.json', skip: [] },
  { from: 'locker-controller/src', skip: [] },
  { from: 'locker-controller/package.json', skip: [] },
  { from: 'locker-controller/basics/src', skip: [] },
  { from: 'locker-controller/basics/package.json', skip: [] },
  // The sync agent and its protocol; the fleet server stays out.
  { from: 'admin-sync/src/protocol', skip: [] },
  { from: 'admin-sync/src/agent', skip: [] },
  // The shipped form catalogue (applications), embedded by the protocol's form-files.ts.
  { from: 'admin-sync/forms', skip: ['README.md'] },
  { from: 'admin-sync/package.json', skip: [] },
  { from: 'installers/sites', skip: [] },
  { from: 'installers/site.schema.json', skip: [] },
  // The commissioning wizard (bin/commission); its pty test driver stays out.
  { from: 'installers/src/commission', skip: ['testing'] },
] as const;

const WORKSPACES: Record<string, string> = {
  '@amtomat/kiosk': 'kiosk',
  '@amtomat/locker-controller': 'locker-controller',
  '@amtomat/basics': 'locker-controller/basics',
  '@amtomat/admin-sync': 'admin-sync',
};

/**
 * The packages whose dependencies the kiosk runs on (the root's: the wizard's prompts). admin-sync is not among them: its
 * dependencies are the fleet server's (the agent and protocol need only zod, the kiosk's).
 */
const RUNTIME_MANIFESTS = ['kiosk', 'locker-controller', 'locker-controller/basics', '.'];

function runtimeDependencies(): string[] {
  const names = RUNTIME_MANIFESTS.flatMap((folder) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    // An optional one (the neural voice's sherpa-onnx) goes in where npm installed it.
    const optional = Object.keys(manifest.optionalDependencies ?? {}).filter(
      (name) => resolvePackageOrNull(name, ROOT) !== null,
    );
    return [...Object.keys(manifest.dependencies ?? {}), ...optional];
  });
  return [...new Set(names)].filter((name) => !(name in WORKSPACES));
}

const isTestFile = (path: string) =>
  /\.(test|type-test|bench)\.tsx?$/.test(path) ||
  ['test-support.ts', 'testing'].includes(basename(path));

export interface DebOptions {
  outDir: string;
  /** zstd -1 for the test's build (seconds), xz for a release. */
  compression?: 'zstd' | 'xz';
  /** Another version than package.json's (the upgrade test builds an older and a newer one). */
  version?: string;
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** Stages the tree and builds the .deb; returns its path. Throws with one line on failure. */
export function buildDeb(options: DebOptions): string {
  const version = options.version ?? packageVersion();
  const stage = join(options.outDir, 'stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const lib = join(stage, LIB);
  if (!existsSync(join(ROOT, 'kiosk/ui/dist/index.html'))) {
    throw new Error('the kiosk UI is not built: run npm run build -w kiosk/ui');
  }
  for (const part of APP_PARTS) {
    const skip = new Set<string>(part.skip);
    cpSync(join(ROOT, part.from), join(lib, 'app', part.from), {
      recursive: true,
      filter: (source) => !skip.has(basename(source)) && !isTestFile(source),
    });
  }
  writeFileSync(
    join(lib, 'app', 'package.json'),
    `${JSON.stringify({ name: 'amtomat', version, private: true, type: 'module' }, null, 2)}\n`,
  );
  stageNodeModules(join(lib, 'app'));
  // The pinned runtime (scripts/lib/node24.sh put it there), the binary only.
  // The Node 24 this build runs on (scripts/node24 puts it first: .tools/node or the system's).
  cpSync(realpathSync(process.execPath), join(lib, 'node/bin/node'));
  cpSync(join(DEBIAN, 'bin'), join(lib, 'bin'), { recursive: true });
  cpSync(join(DEBIAN, 'systemd'), join(stage, 'lib/systemd/system'), { recursive: true });
  cpSync(join(DEBIAN, 'udev'), join(stage, 'lib/udev/rules.d'), { recursive: true });
  cpSync(join(DEBIAN, 'pam'), join(stage, 'etc/pam.d'), { recursive: true });
  cpSync(join(ROOT, 'installers/README.md'), join(stage, 'usr/share/doc/amtomat/README.md'));
  cpSync(join(DEBIAN, 'DEBIAN'), join(stage, 'DEBIAN'), { recursive: true });
  // preinst tells an upgrade from a downgrade by its own version.
  const preinst = join(stage, 'DEBIAN/preinst');
  writeFileSync(preinst, readFileSync(preinst, 'utf8').replaceAll('@VERSION@', version));
  writeFileSync(join(stage, 'DEBIAN/control'), control(version, stage));
  const deb = join(options.outDir, `amtomat_${version}_amd64.deb`);
  const level = options.compression === 'xz' ? ['-Zxz'] : ['-Zzstd', '-z1'];
  execFileSync('dpkg-deb', ['--root-owner-group', ...level, '--build', stage, deb], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  rmSync(stage, { recursive: true, force: true });
  return deb;
}

/** The runtime dependencies with theirs (as npm hoisted them), and the workspaces as links. */
function stageNodeModules(app: string) {
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    const dir = resolvePackage(name, from);
    if (seen.has(dir)) return;
    seen.add(dir);
    const target = join(app, relative(ROOT, dir));
    cpSync(dir, target, {
      recursive: true,
      // Their own tests and docs stay out, and so does every nested package (visited on its own).
      filter: (source) =>
        !/\/(tests?|__tests__|docs?|\.github)$/.test(source) &&
        !isTestFile(source) &&
        !source.startsWith(join(dir, 'node_modules')),
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
    })) {
      if (resolvePackageOrNull(dependency, dir)) visit(dependency, dir);
    }
  };
  for (const name of runtimeDependencies()) visit(name, ROOT);
  for (const [name, folder] of Object.entries(WORKSPACES)) {
    const link = join(app, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), join(app, folder)), link);
  }
}

function resolvePackageOrNull(name: string, from: string): string | null {
  for (let dir = from; dir.startsWith(ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT) break;
  }
  return null;
}

function resolvePackage(name: string, from: string): string {
  const dir = resolvePackageOrNull(name, from);
  if (!dir) throw new Error(`${name} is not installed: run npm ci`);
  return dir;
}

function control(version: string, stage: string): string {
  const kib = execFileSync('du', ['-sk', '--exclude=DEBIAN', stage], { encoding: 'utf8' }).split(
    '\t',
  )[0];
  return `Package: amtomat
Version: ${version}
Architecture: amd64
Maintainer: Amt-O-Mat project <amtomat@invalid>
Installed-Size: ${kib}
Depends: adduser, passwd, socat, udev, libusb-1.0-0, cage, chromium, systemd, fonts-dejavu-core
Suggests: cups, cups-client
Section: misc
Priority: optional
Description: Amt-O-Mat self-service terminal (kiosk service, lock boards, touch UI)
 The kiosk of a municipal self-service terminal or parcel station: the service with its
 store, lock-board drivers and touch UI, run by systemd (watchdog, restart), the window as
 Chromium in kiosk mode in cage on tty1, a nightly store backup, udev rules for the
 lock-board adapters, card reader and scanner. Node.js 24 is included.
`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: join(ROOT, 'dist') } },
  });
  try {
    mkdirSync(values.out, { recursive: true });
    console.log(buildDeb({ outDir: values.out, compression: 'xz' }));
  } catch (error) {
    console.error(`error: ${(error as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}
