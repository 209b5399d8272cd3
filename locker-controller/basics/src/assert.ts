/**
 * Assertions for programming errors only: a broken invariant is a bug to fix, so it throws
 * (and the stack trace points at it). What a person or a device can cause is a `Result`.
 */

/** Thrown by `invariant` and `assertNever`; its name says "a bug", not "bad input". */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Narrows `condition` to true, or throws: `invariant(row, 'item vanished in its transaction')`. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/**
 * The `default` of an exhaustive switch: `tsc` fails when a case is missing (the value is
 * then not `never`); at run time, a value from outside the types throws.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new InvariantError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
