/**
 * Bundles the Electron main process (kiosk/electron/main.ts and everything it imports from
 * the workspaces) into kiosk/build/electron/main.js for packaging: Electron's Node does not
 * strip types from files under node_modules, where the workspace packages land in the app.
 * Native modules and Electron itself stay external, and so does pdfkit (the receipts: it
 * reads its font metrics from files beside its own code). Two folders deep under kiosk/, so the
 * service finds kiosk/ui/dist and installers/ as it does from the sources.
 */
import { join } from 'node:path';
import { build } from 'rolldown';

const ROOT = join(import.meta.dirname, '..');
export const ELECTRON_BUNDLE = join(ROOT, 'kiosk', 'build', 'electron', 'main.js');

export async function buildElectronMain(outFile = ELECTRON_BUNDLE) {
  await build({
    input: join(ROOT, 'kiosk', 'electron', 'main.ts'),
    platform: 'node',
    external: [
      /^electron$/,
      /^better-sqlite3$/,
      /^serialport$/,
      /^@serialport\//,
      /^node-hid$/,
      /^pdfkit$/,
    ],
    output: { file: outFile, format: 'esm' },
    logLevel: 'warn',
  });
  return outFile;
}

if (import.meta.main) console.log(`built ${await buildElectronMain()}`);
