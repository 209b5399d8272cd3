/**
 * One-off codemod for branches made before `@amtomat/basics` (issue #10, item 6): rewrites
 * every import of `Result`, `ok`, `err`, `Logger`, `Clock` ... from their old homes
 * (locker-controller, admin-sync's protocol/agent/server copies, the kiosk's simulated clock)
 * to `@amtomat/basics` (or `@amtomat/basics/testing`). Idempotent; prints what it changed and
 * the re-exports (`export … from`) it left for a person. Run it, then
 * `node_modules/.bin/biome check --write .` to sort and wrap the imports:
 *
 *   node scripts/codemods/basics-imports.ts [files or folders …]   (default: the repository)
 *
 * Delete this file once no branch from before the basics package is left.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BASICS = '@amtomat/basics';
const BASICS_TESTING = '@amtomat/basics/testing';

/** Every name the basics package exports under a name some old home also exported. */
const BASICS_NAMES = new Set([
  'Result',
  'ok',
  'err',
  'Clock',
  'systemClock',
  'Logger',
  'LogLevel',
  'LogFields',
  'LogEntry',
  'jsonLogger',
  'memoryLogger',
  'silentLogger',
]);

/** Old homes whose every import moves (the files are gone). */
const GONE: Record<string, string> = {
  'locker-controller/src/clock.ts': BASICS,
  'locker-controller/src/log.ts': BASICS,
  'locker-controller/src/result.ts': BASICS,
  'admin-sync/src/protocol/result.ts': BASICS,
  'admin-sync/src/server/log.ts': BASICS,
  'kiosk/src/testing/simulated-clock.ts': BASICS_TESTING,
};

/** Modules that used to re-export (or define) basics among other things. */
const MIXED_PACKAGES = new Set([
  '@amtomat/locker-controller',
  '@amtomat/admin-sync/protocol',
  '@amtomat/admin-sync/agent',
  '@amtomat/admin-sync/server',
]);
const MIXED_FILES = new Set([
  'locker-controller/src/index.ts',
  'admin-sync/src/protocol/index.ts',
  'admin-sync/src/agent/index.ts',
  'admin-sync/src/agent/ports.ts',
  'admin-sync/src/agent/testing/support.ts',
  'admin-sync/src/server/index.ts',
]);

const SKIP_DIRS = new Set(['node_modules', '.git', '.tools', 'dist', 'build', '.data']);
const DECLARATION = /^import(\s+type)?\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*\n?/gm;
const RE_EXPORT = /^export(\s+type)?\s*(\{[^}]*\}|\*)\s*from\s*'([^']+)';/gm;

interface Specifier {
  name: string;
  text: string;
  typeOnly: boolean;
}

function parseSpecifiers(list: string, declarationIsType: boolean): Specifier[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const typeOnly = declarationIsType || part.startsWith('type ');
      const text = part.replace(/^type\s+/, '');
      return { name: text.split(/\s+as\s+/)[0]!.trim(), text, typeOnly };
    });
}

const render = (spec: Specifier) => (spec.typeOnly ? `type ${spec.text}` : spec.text);

/** Where an import of `specifier` from `file` goes, per moved name (undefined: it stays). */
function target(file: string, specifier: string): ((name: string) => string | undefined) | null {
  if (specifier.startsWith('.')) {
    const path = relative(ROOT, resolve(dirname(file), specifier));
    const gone = GONE[path];
    if (gone) return () => gone;
    if (MIXED_FILES.has(path)) return (name) => (BASICS_NAMES.has(name) ? BASICS : undefined);
    return null;
  }
  if (MIXED_PACKAGES.has(specifier)) {
    return (name) => (BASICS_NAMES.has(name) ? BASICS : undefined);
  }
  return null;
}

/** The file rewritten, or undefined when nothing changes. */
export function rewrite(file: string, source: string): string | undefined {
  const moved = new Map<string, Specifier[]>();
  let firstChange: number | undefined;
  let text = source.replace(
    DECLARATION,
    (whole, typeKeyword: string | undefined, list: string, specifier: string, offset: number) => {
      const destination = target(file, specifier);
      if (!destination) return whole;
      const specs = parseSpecifiers(list, Boolean(typeKeyword));
      const staying: Specifier[] = [];
      for (const spec of specs) {
        const to = destination(spec.name);
        if (to === undefined) staying.push(spec);
        else moved.set(to, [...(moved.get(to) ?? []), spec]);
      }
      if (staying.length === specs.length) return whole;
      firstChange ??= offset;
      if (staying.length === 0) return '';
      const allTypes = staying.every((spec) => spec.typeOnly);
      const names = staying.map((spec) => (allTypes ? spec.text : render(spec)));
      return `import${allTypes ? ' type' : ''} { ${names.join(', ')} } from '${specifier}';\n`;
    },
  );
  if (firstChange === undefined) return undefined;
  for (const [to, specs] of moved) {
    const existing = new RegExp(`^import(\\s+type)?\\s*\\{([^}]*)\\}\\s*from\\s*'${to}';`, 'm');
    const found = existing.exec(text);
    const all = [...specs, ...(found ? parseSpecifiers(found[2]!, Boolean(found[1])) : [])];
    const byName = new Map<string, Specifier>();
    for (const spec of all) {
      const seen = byName.get(spec.text);
      byName.set(spec.text, seen && !seen.typeOnly ? seen : spec);
    }
    const line = `import { ${[...byName.values()].map(render).join(', ')} } from '${to}';`;
    if (found) text = text.replace(existing, line);
    else text = `${text.slice(0, firstChange)}${line}\n${text.slice(firstChange)}`;
  }
  return text;
}

function* sourceFiles(path: string): Generator<string> {
  if (statSync(path).isFile()) {
    if (/\.tsx?$/.test(path)) yield path;
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const child = join(path, entry.name);
    if (relative(ROOT, child) === join('locker-controller', 'basics')) continue;
    if (entry.isDirectory()) yield* sourceFiles(child);
    else if (/\.tsx?$/.test(entry.name)) yield child;
  }
}

if (import.meta.main) {
  const roots = process.argv.slice(2);
  for (const root of roots.length > 0 ? roots : [ROOT]) {
    for (const file of sourceFiles(resolve(root))) {
      if (file === import.meta.filename) continue;
      const source = readFileSync(file, 'utf8');
      const rewritten = rewrite(file, source);
      if (rewritten !== undefined) {
        writeFileSync(file, rewritten);
        console.log(`rewrote ${relative(ROOT, file)}`);
      }
      for (const match of (rewritten ?? source).matchAll(RE_EXPORT)) {
        const destination = target(file, match[3]!);
        if (destination && (match[2] === '*' || /\b(Result|Logger|Clock|ok|err)\b/.test(match[2]!)))
          console.log(`check by hand: ${relative(ROOT, file)}: ${match[0]}`);
      }
    }
  }
}
