import type { Migration } from './index.ts';

/**
 * 002: references compare by a normalised key (store/reference.ts `referenceKey`), so a
 * label printed `PKG-2002` and typed `PKG2002` is one parcel. The reference itself stays as
 * printed. `reference_key()` is the same TypeScript function, registered by openDb.
 */
export const migration: Migration = {
  version: 2,
  name: '002-reference-key',
  sql: `
ALTER TABLE items ADD COLUMN reference_key TEXT;
UPDATE items SET reference_key = reference_key(reference);
DROP INDEX items_active_reference;
CREATE UNIQUE INDEX items_active_reference ON items (reference_key, kind)
  WHERE status IN ('announced', 'loaded', 'expired', 'dropped_off');
CREATE INDEX items_by_reference_key ON items (reference_key);
`,
};
