import assert from 'node:assert/strict';
import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
// js-yaml comes with electron-builder (it reads this same file with it); it has no types here.
const { load } = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId?: string;
  productName?: string;
  asar?: boolean;
  files?: string[];
  extraMetadata?: { main?: string };
  electronFuses?: Record<string, boolean>;
  linux?: { target?: string[] };
}

const config = load(
  readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('flips the hardening fuses', () => {
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar, which onlyLoadAppFromAsar requires', () => {
    assert.equal(config.asar, true);
  });

  it('starts the built main process', () => {
    assert.equal(config.extraMetadata?.main, 'kiosk/build/electron/main.js');
  });

  it('names the app and builds the Linux installers', () => {
    assert.equal(config.appId, 'de.myk10.amtomat.kiosk');
    assert.equal(config.productName, 'Amt-O-Mat Kiosk');
    assert.deepEqual([...(config.linux?.target ?? [])].sort(), ['AppImage', 'deb']);
  });
});

/**
 * The package's file list as electron-builder computes it: its own matcher
 * (app-builder-lib `getMainFileMatchers`, with the patterns it adds itself) walked over this
 * tree, and its own collector of production node_modules (`npm list` of the root package).
 */
const ROOT = join(import.meta.dirname, '..', '..');

type Filter = (file: string, stat: Stats) => boolean;
const { getMainFileMatchers } = require('app-builder-lib/out/fileMatcher.js') as {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (text: string) => string,
    platformSpecificBuildOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): { createFilter(): Filter }[];
};

function packerFilter(): Filter {
  const info = {
    projectDir: ROOT,
    buildResourcesDir: 'build',
    isPrepackedAppAsar: false,
    config,
    debugLogger: { isEnabled: false },
  };
  const [matcher] = getMainFileMatchers(
    ROOT,
    '/app',
    (text) => text,
    {},
    { info },
    join(ROOT, 'dist', 'installers'),
    false,
  );
  return matcher!.createFilter();
}

/** What the packer would copy from this tree: it descends only into folders that pass. */
function packedTree(filter: Filter, dir = ROOT): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat || !filter(path, stat)) continue;
    if (stat.isDirectory()) files.push(...packedTree(filter, path));
    else files.push(relative(ROOT, path));
  }
  return files;
}

/** Whether a file (present here or not, e.g. the bundle before `npm run package`) is packed. */
function wouldPack(filter: Filter, file: string): boolean {
  const asDir = { isDirectory: () => true } as Stats;
  const asFile = { isDirectory: () => false } as Stats;
  const parts = file.split('/');
  return parts.every((_, index) =>
    filter(join(ROOT, ...parts.slice(0, index + 1)), index < parts.length - 1 ? asDir : asFile),
  );
}

interface CollectedModule {
  name: string;
  dependencies?: CollectedModule[];
}
const { NpmNodeModulesCollector } =
  require('app-builder-lib/out/node-module-collector/npmNodeModulesCollector.js') as {
    NpmNodeModulesCollector: new (
      rootDir: string,
      tempDirs: unknown,
    ) => {
      getNodeModules(options: { packageName: string }): Promise<{ nodeModules: CollectedModule[] }>;
    };
  };
const { TmpDir } = require('temp-file') as { TmpDir: new (name: string) => unknown };

describe('the package file list (what electron-builder would pack)', () => {
  const filter = packerFilter();
  const tree = packedTree(filter);

  it('holds what the bundle reads at run time', () => {
    for (const file of [
      'package.json',
      'kiosk/package.json',
      'kiosk/build/electron/main.js',
      'kiosk/ui/dist/index.html',
      'kiosk/ui/dist/assets/index.js',
      'installers/sites/demo.json',
    ]) {
      assert.ok(wouldPack(filter, file), `${file} is packed`);
    }
    assert.ok(tree.includes('installers/sites/demo.json'));
  });

  it('holds no source, test, e2e, fleet server or simulator file', () => {
    const forbidden = [
      /\.tsx?$/,
      /\.test\.|\.testing\.|test-support/,
      /(^|\/)(e2e|testing|bench)\//,
      /^admin-sync\//,
      /^hardware-mocks\//,
      /^locker-controller\//,
      /^kiosk\/(src|electron|ui\/src)\//,
    ];
    const shipped = tree.filter((file) => forbidden.some((pattern) => pattern.test(file)));
    assert.deepEqual(shipped, []);
    for (const file of [
      'kiosk/e2e/harness.ts',
      'kiosk/electron/fake-electron.testing.ts',
      'kiosk/src/service/demo.ts',
      'admin-sync/src/server/cli.ts',
      'hardware-mocks/src/lock-board-sim/cli.ts',
      'kiosk/build/test-1/main.js',
      '.data/demo/kiosk.sqlite',
    ]) {
      assert.ok(!wouldPack(filter, file), `${file} is not packed`);
    }
  });

  it('takes the native modules the bundle leaves external, and no workspace package', async () => {
    const collector = new NpmNodeModulesCollector(ROOT, new TmpDir('amtomat-package-test'));
    const { nodeModules } = await collector.getNodeModules({ packageName: 'amtomat' });
    const names = new Set<string>();
    const collect = (modules: CollectedModule[]) => {
      for (const module of modules) {
        names.add(module.name);
        collect(module.dependencies ?? []);
      }
    };
    collect(nodeModules);
    for (const native of ['better-sqlite3', 'serialport', 'node-hid', 'pdfkit']) {
      assert.ok(names.has(native), `${native} is packed`);
    }
    const workspaces = [...names].filter((name) => name.startsWith('@amtomat/'));
    assert.deepEqual(workspaces, [], 'the workspaces are inside the bundle');
    assert.ok(!names.has('electron'), 'electron-builder brings Electron itself');
  });
});
