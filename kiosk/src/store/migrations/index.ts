/**
 * The store's schema, as numbered migrations `NNN-name.ts`, each one SQL text applied in
 * order in its own transaction. They are modules, not `.sql` files read from disk, so the
 * bundled main process of the packaged kiosk carries them (issue #10): a bundle has no
 * folder beside it to read. A new migration is a new file here and one line below.
 */
import { migration as initial } from './001-initial.ts';
import { migration as referenceKey } from './002-reference-key.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [initial, referenceKey];
