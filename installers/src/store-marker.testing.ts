/**
 * For the upgrade and rollback tests: a mark in a real kiosk store that the "old" and the
 * "new" version write differently, so a test reads which version's store it holds.
 */
import { openDb } from '../../kiosk/src/store/db.ts';

export function setMarker(file: string, value: string): void {
  const db = openDb(file);
  db.exec('CREATE TABLE IF NOT EXISTS marker (v TEXT)');
  db.prepare('DELETE FROM marker').run();
  db.prepare('INSERT INTO marker (v) VALUES (?)').run(value);
  db.close();
}

export function marker(file: string): string {
  const db = openDb(file, { mustExist: true });
  const row = db.prepare('SELECT v FROM marker').get() as { v: string };
  db.close();
  return row.v;
}
