/**
 * Expected failures are values, not exceptions: `{ ok: false, error }` names what went wrong.
 * The same shape as locker-controller's, repeated here because admin-sync/server may import
 * only admin-sync/protocol (docs/architecture.md); values pass freely between the two.
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
