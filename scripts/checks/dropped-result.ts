/**
 * Fails on a dropped `Result` in production code: an expression statement (or an arrow
 * function's body where nothing reads it) whose type is a `Result` or a promise of one,
 * e.g. `store.markLoaded(…);`. A wrong-status at a door completion must leave a log line,
 * an audit row and an alarm, not vanish. Tests, fixtures, benchmarks and the simulator are
 * not checked. `void expr` says on purpose that the value is not needed.
 *
 *   node scripts/checks/dropped-result.ts     # exit 1 and one line per dropped Result
 *
 * Uses the TypeScript 7 compiler API (`typescript/unstable/sync`): a Result is recognised by
 * its shape (`{ ok: true; value } | { ok: false; error }`), whichever package declares it.
 */
import { relative, resolve } from 'node:path';
import type { ArrowFunction, Expression, Node, SourceFile } from 'typescript/unstable/ast';
import {
  isArrowFunction,
  isAssignmentOperator,
  isBinaryExpression,
  isBlock,
  isExpressionStatement,
} from 'typescript/unstable/ast/is';
import {
  API,
  type Checker,
  type Project,
  SignatureKind,
  type Type,
  TypeFlags,
} from 'typescript/unstable/sync';

export interface DroppedResult {
  /** Relative to the project's folder. */
  file: string;
  /** 1-based. */
  line: number;
  /** The expression, shortened to its first line. */
  code: string;
}

/** What is not production code: tests and their fixtures, benchmarks, the simulator. */
export const NOT_PRODUCTION: readonly RegExp[] = [
  /\.test\.tsx?$/,
  /\.testing\.tsx?$/,
  /(^|\/)test-support\.ts$/,
  /(^|\/)(testing|bench|e2e|node_modules)\//,
  /^hardware-mocks\//,
];

export function isProduction(file: string): boolean {
  return (
    /\.tsx?$/.test(file) && !file.endsWith('.d.ts') && !NOT_PRODUCTION.some((re) => re.test(file))
  );
}

/** The projects `npm test` type-checks: the repository and the kiosk UI. */
export const PROJECTS = ['tsconfig.json', 'kiosk/ui/tsconfig.json'];

/** Every dropped Result in the production files of the projects (tsconfig files) under `root`. */
export function findDroppedResults(
  root: string,
  options: { projects?: readonly string[]; include?: (file: string) => boolean } = {},
): DroppedResult[] {
  const include = options.include ?? isProduction;
  const projects = options.projects ?? ['tsconfig.json'];
  const api = new API({ cwd: root });
  try {
    // One tsgo process and snapshot for every project.
    const snapshot = api.updateSnapshot({ openProjects: [...projects] });
    const found: DroppedResult[] = [];
    const seen = new Set<string>();
    for (const config of projects) {
      const project = snapshot.getProject(resolve(root, config));
      if (!project) throw new Error(`no TypeScript project ${config} in ${root}`);
      for (const fileName of project.program.getSourceFileNames()) {
        const file = relative(root, fileName);
        if (file.startsWith('..') || seen.has(file) || !include(file)) continue;
        seen.add(file);
        const source = project.program.getSourceFile(fileName);
        if (source) found.push(...droppedIn(project, source, file));
      }
    }
    return found;
  } finally {
    api.close();
  }
}

function droppedIn(project: Project, source: SourceFile, file: string): DroppedResult[] {
  const candidates: { expression: Expression; arrow?: ArrowFunction }[] = [];
  const visit = (node: Node): void => {
    // `x = f()` keeps the value: an assignment is not a dropped Result.
    if (isExpressionStatement(node) && !isAssignment(node.expression)) {
      candidates.push({ expression: node.expression });
    } else if (isArrowFunction(node) && !isBlock(node.body)) {
      candidates.push({ expression: node.body as Expression, arrow: node });
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  if (candidates.length === 0) return [];
  const { checker } = project;
  // One round trip for all the file's types: the checker runs in the tsgo process.
  const types = checker.getTypeAtLocation(candidates.map((c) => c.expression));
  return candidates
    .filter((candidate, index) => {
      const type = types[index];
      if (!type || !isResultOrPromiseOfOne(checker, type)) return false;
      // `() => store.x()` drops its value only where the function's caller expects void.
      return !candidate.arrow || returnsVoid(checker, candidate.arrow);
    })
    .map(({ expression }) => {
      const start = skipTrivia(source.text, expression.pos);
      return {
        file,
        line: source.getLineAndCharacterOfPosition(start).line + 1,
        code: source.text.slice(start, expression.end).split('\n')[0]!.trim(),
      };
    });
}

function isAssignment(expression: Expression): boolean {
  return isBinaryExpression(expression) && isAssignmentOperator(expression.operatorToken.kind);
}

function isResultOrPromiseOfOne(checker: Checker, type: Type): boolean {
  if (isResult(checker, type)) return true;
  if (type.getSymbol()?.name !== 'Promise' || !type.isTypeReference()) return false;
  const [inner] = checker.getTypeArguments(type);
  return inner !== undefined && isResult(checker, inner);
}

/** `{ ok: true; value: T } | { ok: false; error: E }`, by shape. */
function isResult(checker: Checker, type: Type): boolean {
  if (!(type.flags & TypeFlags.Union) || !type.isUnionType()) return false;
  const members = type
    .getTypes()
    .map((member) => checker.getPropertiesOfType(member).map((property) => property.name));
  return (
    members.every((names) => names.includes('ok')) &&
    members.some((names) => names.includes('error')) &&
    members.some((names) => names.includes('value'))
  );
}

function returnsVoid(checker: Checker, arrow: ArrowFunction): boolean {
  const expected = checker.getContextualType(arrow);
  if (!expected) return false;
  return checker.getSignaturesOfType(expected, SignatureKind.Call).some((signature) => {
    const returned = checker.getReturnTypeOfSignature(signature);
    return returned !== undefined && (returned.flags & TypeFlags.Void) !== 0;
  });
}

/** A node's `pos` includes the whitespace and comments before it. */
function skipTrivia(text: string, pos: number): number {
  let at = pos;
  for (;;) {
    const rest = text.slice(at);
    const skipped = /^(\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest);
    if (!skipped) return at;
    at += skipped[0].length;
  }
}

if (import.meta.main) {
  const root = process.cwd();
  const dropped = findDroppedResults(root, { projects: PROJECTS });
  for (const { file, line, code } of dropped) {
    console.error(
      `${file}:${line}: the Result of \`${code}\` is dropped: handle its error (log, audit, alarm) or return it`,
    );
  }
  if (dropped.length > 0) process.exit(1);
  console.log('dropped-result: no dropped Result in production code');
}
