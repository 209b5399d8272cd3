import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { backup, type Db, LATEST_VERSION, migrations, openDb, schemaVersion } from './db.ts';
import { tempDir } from './test-support.ts';

/**
 * Representative rows valid at each schema version, and the check that they survived an
 * upgrade. Every version needs one: when 002 arrives, the rows of version 1 are upgraded.
 */
const FIXTURES: Record<number, { insert(db: Db): void; check(db: Db): void }> = {
  1: {
    insert(db) {
      db.exec(`
        INSERT INTO settings (key, value) VALUES ('holding-days', '10');
        INSERT INTO compartments (label, size, height_cm, accessible, purpose, bus, board, lock,
          defective, defect_reason, door, uses)
          VALUES ('A1', 'S', 40, 1, 'pickup', 'main', 0, 1, 0, NULL, 'closed', 3),
                 ('A2', 'M', 120, 0, 'pickup', 'main', 0, 2, 1, 'jammed', 'unknown', 0);
        INSERT INTO items (id, kind, reference, status, compartment, recipient_ref, code_hash,
          second_factor_hash, holding_days, loaded_at, loaded_by, expires_at, created_at, updated_at)
          VALUES ('i1', 'id-document', 'REF-1', 'loaded', 'A1', 'r-1', zeroblob(32), zeroblob(32),
                  14, 1000, 'staff-1', 2000, 900, 1000);
        INSERT INTO staff (id, role, card_hash, pin_hash, failed_pins)
          VALUES ('staff-1', 'staff', randomblob(32), randomblob(32), 2);
        INSERT INTO door_intents (id, compartment, purpose, item_id, state, created_at)
          VALUES ('d1', 'A1', 'load', 'i1', 'closed', 950);
        INSERT INTO door_events (compartment, type, intent_id, at) VALUES ('A1', 'open', 'd1', 960);
        INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
          VALUES (1, 1000, 'staff-1', 'item-loaded', 'i1', '{}', zeroblob(32), randomblob(32));
        INSERT INTO outbox (idempotency_key, type, payload, created_at, next_attempt_at)
          VALUES ('k1', 'item-ready', '{"itemId":"i1"}', 1000, 1000);
        INSERT INTO code_failures (at) VALUES (1100);
        INSERT INTO usage_events (session_id, at, type, service, data)
          VALUES ('s1', 1200, 'session-start', NULL, '{}');
        INSERT INTO flow_snapshots (id, machine, version, snapshot, updated_at)
          VALUES ('session', 'session', 1, '{"value":"attract"}', 1300);
      `);
    },
    check(db) {
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      for (const table of [
        'settings',
        'items',
        'staff',
        'door_intents',
        'door_events',
        'audit',
        'outbox',
        'code_failures',
        'usage_events',
        'flow_snapshots',
      ]) {
        assert.equal(count(table), 1, `${table} keeps its row`);
      }
      assert.equal(count('compartments'), 2);
      const item = db.prepare('SELECT * FROM items WHERE id = ?').get('i1') as Record<
        string,
        unknown
      >;
      assert.equal(item.status, 'loaded');
      assert.equal(item.compartment, 'A1');
      assert.equal((item.code_hash as Buffer).length, 32);
      // From 002 on: the reference's key (as `referenceKey` makes it), the reference as printed.
      if ('reference_key' in item) assert.equal(item.reference_key, 'REF1');
      assert.equal(item.reference, 'REF-1');
      const a2 = db.prepare("SELECT * FROM compartments WHERE label = 'A2'").get() as Record<
        string,
        unknown
      >;
      assert.equal(a2.defect_reason, 'jammed');
      assert.equal(
        (db.prepare('SELECT failed_pins FROM staff').get() as { failed_pins: number }).failed_pins,
        2,
      );
    },
  },
  2: {
    insert(db) {
      FIXTURES[1]!.insert(db);
      db.exec("UPDATE items SET reference_key = 'REF1'");
    },
    check(db) {
      FIXTURES[1]!.check(db);
      // The key is unique among active items of a kind: `REF.1` is the same reference.
      assert.throws(
        () =>
          db.exec(`INSERT INTO items (id, kind, reference, reference_key, status, holding_days,
            created_at, updated_at) VALUES ('i2', 'id-document', 'REF.1', 'REF1', 'announced', 14, 1, 1)`),
        /UNIQUE/,
      );
    },
  },
};

function pragmas(db: Db) {
  return {
    journal: db.pragma('journal_mode', { simple: true }),
    synchronous: db.pragma('synchronous', { simple: true }),
    foreignKeys: db.pragma('foreign_keys', { simple: true }),
  };
}

function tables(db: Db): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

describe('migrations', () => {
  test('the migration files are numbered 1..N without gaps', () => {
    const versions = migrations().map((m) => m.version);
    assert.deepEqual(
      versions,
      Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
    );
  });

  test('every file in migrations/ is in the list, under its own number and name', () => {
    const files = readdirSync(join(import.meta.dirname, 'migrations'))
      .filter((file) => file !== 'index.ts')
      .sort();
    assert.deepEqual(
      files,
      migrations().map((m) => `${m.name}.ts`),
    );
    for (const m of migrations()) assert.equal(Number(m.name.slice(0, 3)), m.version);
  });

  test('every migration applies to an empty file, one version at a time', (t) => {
    const dir = tempDir(t);
    for (let version = 1; version <= LATEST_VERSION; version++) {
      const db = openDb(join(dir, `v${version}.sqlite`), { upTo: version });
      assert.equal(schemaVersion(db), version);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      db.close();
    }
    const db = openDb(join(dir, 'latest.sqlite'));
    assert.equal(schemaVersion(db), LATEST_VERSION);
    for (const table of [
      'settings',
      'compartments',
      'items',
      'staff',
      'door_intents',
      'door_events',
      'audit',
      'outbox',
      'code_failures',
      'usage_events',
      'flow_snapshots',
    ]) {
      assert.ok(tables(db).includes(table), `table ${table} exists`);
    }
    db.close();
  });

  test('every version has a fixture, so the next migration is tested on real rows', () => {
    for (let version = 1; version <= LATEST_VERSION; version++) {
      assert.ok(FIXTURES[version], `FIXTURES[${version}] is missing`);
    }
  });

  test('the fixture of the latest version is valid there and survives a reopen', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    const first = openDb(path);
    FIXTURES[LATEST_VERSION]!.insert(first);
    assert.deepEqual(first.pragma('foreign_key_check'), []);
    first.close();
    const second = openDb(path);
    FIXTURES[LATEST_VERSION]!.check(second);
    second.close();
  });

  for (let version = 0; version < LATEST_VERSION; version++) {
    test(`a store at version ${version} upgrades to ${LATEST_VERSION} and keeps its rows`, (t) => {
      const path = join(tempDir(t), 'store.sqlite');
      const old = openDb(path, { upTo: version });
      assert.equal(schemaVersion(old), version);
      FIXTURES[version]?.insert(old);
      old.close();
      const db = openDb(path);
      assert.equal(schemaVersion(db), LATEST_VERSION);
      FIXTURES[version]?.check(db);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    });
  }

  test('a later migration upgrades real rows (synthetic 002 on top of the real ones)', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    const real = migrations();
    const withNext = [
      ...real,
      {
        version: LATEST_VERSION + 1,
        name: 'next.sql',
        sql: "ALTER TABLE items ADD COLUMN note TEXT NOT NULL DEFAULT 'none';",
      },
    ];
    const old = openDb(path);
    FIXTURES[LATEST_VERSION]!.insert(old);
    old.close();
    const db = openDb(path, { migrations: withNext });
    assert.equal(schemaVersion(db), LATEST_VERSION + 1);
    FIXTURES[LATEST_VERSION]!.check(db);
    assert.equal((db.prepare('SELECT note FROM items').get() as { note: string }).note, 'none');
    db.close();
  });

  test('a failing migration changes nothing: its first statements roll back', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    openDb(path).close();
    const broken = [
      ...migrations(),
      {
        version: LATEST_VERSION + 1,
        name: 'broken.sql',
        sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);',
      },
    ];
    assert.throws(() => openDb(path, { migrations: broken }), /no such table/);
    const db = openDb(path);
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.ok(!tables(db).includes('half_done'));
    db.close();
  });

  test('a migration that leaves foreign key violations is refused', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    openDb(path).close();
    const dangling = [
      ...migrations(),
      {
        version: LATEST_VERSION + 1,
        name: 'dangling.sql',
        // Inserted while a migration could have foreign keys off (a table rebuild).
        sql: `CREATE TABLE child (parent TEXT REFERENCES compartments (label));
              PRAGMA defer_foreign_keys = ON;
              INSERT INTO child VALUES ('nowhere');`,
      },
    ];
    assert.throws(() => openDb(path, { migrations: dangling }), /foreign key/);
    const db = openDb(path);
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.ok(!tables(db).includes('child'));
    db.close();
  });

  test('a store newer than the software is refused and left as it is', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    openDb(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    assert.throws(() => openDb(path), /newer than this software/);
    const check = new Database(path);
    assert.equal(check.pragma('user_version', { simple: true }), LATEST_VERSION + 1);
    check.close();
  });

  test('durability pragmas are set on every open', (t) => {
    const path = join(tempDir(t), 'store.sqlite');
    const expected = { journal: 'wal', synchronous: 2, foreignKeys: 1 };
    const first = openDb(path);
    assert.deepEqual(pragmas(first), expected);
    first.close();
    // A plain connection does not inherit synchronous/foreign_keys (not persisted) ...
    const plain = new Database(path);
    assert.notDeepEqual(pragmas(plain), expected);
    plain.close();
    // ... so openDb sets them again.
    const second = openDb(path);
    assert.deepEqual(pragmas(second), expected);
    second.close();
  });

  test('mustExist refuses to create a store', (t) => {
    const path = join(tempDir(t), 'absent.sqlite');
    assert.throws(() => openDb(path, { mustExist: true }));
    assert.ok(!existsSync(path));
  });
});

describe('backup', () => {
  test('copies committed rows that are still only in the WAL, while the source stays open', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'store.sqlite');
    const db = openDb(path);
    db.pragma('wal_autocheckpoint = 0'); // keep everything in the WAL
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 50; i++) insert.run(`wal-only-marker-${i}`, `value-${i}`);
    })();
    // The rows are committed but not checkpointed: in the -wal file, not in the main file.
    assert.ok(readFileSync(`${path}-wal`).includes('wal-only-marker-7'));
    assert.ok(!readFileSync(path).includes('wal-only-marker-7'));

    // A reader holding an open read transaction does not stop the backup.
    const reader = new Database(path, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM settings').get();

    const target = join(dir, 'backup.sqlite');
    backup(db, target);
    reader.prepare('COMMIT').run();
    reader.close();

    assert.ok(db.open, 'the source stays open');
    const copy = new Database(target, { readonly: true });
    const rows = copy.prepare('SELECT key, value FROM settings ORDER BY key').all();
    assert.deepEqual(rows, db.prepare('SELECT key, value FROM settings ORDER BY key').all());
    assert.equal(rows.length, 50);
    assert.equal(copy.pragma('user_version', { simple: true }), LATEST_VERSION);
    assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    copy.close();
    assert.ok(!existsSync(`${target}-wal`) || statSync(`${target}-wal`).size === 0);
    db.close();
  });

  test('refuses to overwrite a file and leaves no partial file behind', (t) => {
    const dir = tempDir(t);
    const db = openDb(join(dir, 'store.sqlite'));
    const target = join(dir, 'backup.sqlite');
    backup(db, target);
    const before = readFileSync(target);
    assert.throws(() => backup(db, target), /already exists/);
    assert.deepEqual(readFileSync(target), before);
    assert.throws(() => backup(db, join(dir, 'no-such-dir', 'backup.sqlite')));
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('partial')),
      [],
    );
    db.close();
  });
});
