/**
 * Numbered migrations, one SQL text for both databases (BIGINT and TEXT mean the same in
 * both). Each runs in its own transaction with its row in `schema_migrations`.
 */
import type { SqlDriver, StorageKind } from './driver.ts';

export interface Migration {
  version: number;
  name: string;
  /** One text for both databases. */
  sql: string;
  /** Run after `sql`, per database, where the two cannot share a text (a CHECK changed). */
  byKind?: Readonly<Record<StorageKind, string>>;
}

/** Availability of the lock boards: an hour in which a status report named a board offline. */
const BOARD_HOURS = `
  CREATE TABLE eval_board_offline (
    device_id TEXT NOT NULL REFERENCES devices (id),
    board TEXT NOT NULL,
    hour BIGINT NOT NULL,
    PRIMARY KEY (device_id, board, hour)
  );`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, events, feed, items',
    sql: `
      CREATE TABLE enrolment_tokens (
        token_hash TEXT PRIMARY KEY,
        label TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        device_id TEXT
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        label TEXT,
        enrolled_at BIGINT NOT NULL,
        last_seen_at BIGINT,
        last_seq BIGINT NOT NULL DEFAULT 0,
        feed_head BIGINT NOT NULL DEFAULT 0,
        feed_acked BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE nonces (
        device_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX nonces_by_time ON nonces (seen_at);
      CREATE TABLE events (
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        idempotency_key TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        payload_hash TEXT NOT NULL,
        created_at BIGINT,
        received_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('applied', 'parked')),
        result TEXT,
        reason TEXT,
        PRIMARY KEY (device_id, seq),
        UNIQUE (device_id, idempotency_key)
      );
      CREATE INDEX events_parked ON events (received_at) WHERE status = 'parked';
      CREATE TABLE feed (
        device_id TEXT NOT NULL REFERENCES devices (id),
        cursor BIGINT NOT NULL,
        kind TEXT NOT NULL,
        change TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, cursor)
      );
      CREATE TABLE items (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        reference TEXT NOT NULL,
        kind TEXT,
        status TEXT NOT NULL,
        compartment TEXT,
        expires_at BIGINT,
        updated_at BIGINT NOT NULL,
        last_seq BIGINT NOT NULL
      );
      CREATE TABLE compartments (
        device_id TEXT NOT NULL REFERENCES devices (id),
        label TEXT NOT NULL,
        defective INTEGER NOT NULL,
        reason TEXT,
        updated_at BIGINT NOT NULL,
        last_seq BIGINT NOT NULL,
        PRIMARY KEY (device_id, label)
      );
    `,
  },
  {
    version: 2,
    name: 'code keys, terminal status, announcements, contacts, notices, item history',
    sql: `
      ALTER TABLE devices ADD COLUMN code_key TEXT;
      ALTER TABLE devices ADD COLUMN status TEXT;
      ALTER TABLE devices ADD COLUMN status_at BIGINT;
      ALTER TABLE items ADD COLUMN announced_at BIGINT;
      ALTER TABLE items ADD COLUMN loaded_at BIGINT;
      ALTER TABLE items ADD COLUMN holding_days BIGINT;
      CREATE INDEX items_by_device ON items (device_id, status);
      CREATE INDEX items_by_reference ON items (reference);
      -- Contact data lives only here, and only until the item is finished.
      CREATE TABLE item_contacts (
        item_id TEXT PRIMARY KEY REFERENCES items (id),
        email TEXT,
        mobile TEXT,
        language TEXT NOT NULL
      );
      -- The plain pickup code, kept until the ready notice has been delivered.
      CREATE TABLE pending_codes (
        item_id TEXT PRIMARY KEY REFERENCES items (id),
        code TEXT NOT NULL
      );
      CREATE TABLE item_history (
        item_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX item_history_by_item ON item_history (item_id, at);
      -- Messages are rendered when sent: no contact data or code in this table.
      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL REFERENCES items (id),
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
        kind TEXT NOT NULL CHECK (kind IN ('ready', 'reminder', 'expiring', 'expired')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        sent_at BIGINT,
        UNIQUE (item_id, channel, kind)
      );
      CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
    `,
  },
  {
    version: 3,
    name: 'console users, sessions, login attempts, audit',
    sql: `
      CREATE TABLE console_users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'viewer')),
        totp_secret TEXT,
        -- The last TOTP time step used: a code is accepted once.
        totp_last_step BIGINT,
        created_at BIGINT NOT NULL,
        disabled_at BIGINT
      );
      -- Only the SHA-256 of a session token is stored; the token lives in the cookie.
      CREATE TABLE console_sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES console_users (id),
        csrf_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL
      );
      CREATE INDEX console_sessions_by_user ON console_sessions (user_id);
      -- Failed sign-ins by keyed scope (hashed user name or client address), for rate limits.
      CREATE TABLE console_login_failures (
        scope TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX console_login_failures_by_scope ON console_login_failures (scope, at);
      CREATE TABLE console_audit (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        user_id TEXT NOT NULL,
        username TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        reason TEXT,
        details TEXT
      );
      CREATE INDEX console_audit_by_time ON console_audit (at);
    `,
  },
  {
    version: 4,
    name: 'terminal status ordered by when the terminal took it',
    sql: `
      -- A status report arriving late (a retried request) must not replace a newer one.
      ALTER TABLE devices ADD COLUMN status_taken_at BIGINT;
    `,
  },
  {
    version: 5,
    name: 'fleet settings: the id of the key sealing stored secrets',
    sql: `
      -- secret_key_id: which key file sealed the TOTP secrets (storage/secrets.ts).
      CREATE TABLE fleet_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 6,
    name: 'terminals named by their enrolment token',
    sql: `
      -- The token's label is the terminal's one name (console, notice settings); terminals
      -- enrolled before took the site name they reported.
      UPDATE devices SET label = (
        SELECT enrolment_tokens.label FROM enrolment_tokens
        WHERE enrolment_tokens.device_id = devices.id AND enrolment_tokens.label IS NOT NULL
      )
      WHERE EXISTS (
        SELECT 1 FROM enrolment_tokens
        WHERE enrolment_tokens.device_id = devices.id AND enrolment_tokens.label IS NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'feed changes the terminal refused',
    sql: `
      -- The terminal's reason code (feed-change-refused) and when the server heard of it.
      ALTER TABLE feed ADD COLUMN refused_reason TEXT;
      ALTER TABLE feed ADD COLUMN refused_at BIGINT;
    `,
  },
  {
    version: 8,
    name: 'evaluation: usage events, item stages, staff time, availability',
    sql: `
      -- Issue #13. Nothing personal: visits are random ids, recipients keyed hashes whose
      -- key changes per evaluation period (evaluation/pseudonyms.ts).
      CREATE TABLE eval_sessions (
        device_id TEXT NOT NULL REFERENCES devices (id),
        session_id TEXT NOT NULL,
        service TEXT,
        language TEXT NOT NULL,
        large_text BIGINT NOT NULL,
        high_contrast BIGINT NOT NULL,
        speech BIGINT NOT NULL,
        outcome TEXT,
        reason TEXT,
        abandon_step TEXT,
        started_at BIGINT NOT NULL,
        ended_at BIGINT NOT NULL,
        duration_ms BIGINT,
        extensions BIGINT NOT NULL,
        reopened BIGINT NOT NULL,
        wrong_entries BIGINT NOT NULL,
        door_faults BIGINT NOT NULL,
        satisfaction BIGINT,
        alternative TEXT,
        distance_band TEXT,
        PRIMARY KEY (device_id, session_id)
      );
      CREATE INDEX eval_sessions_by_time ON eval_sessions (ended_at);
      CREATE TABLE eval_items (
        item_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        kind TEXT,
        announced_at BIGINT,
        loaded_at BIGINT,
        ended_at BIGINT,
        outcome TEXT,
        recipient TEXT
      );
      CREATE INDEX eval_items_by_load ON eval_items (loaded_at);
      CREATE TABLE eval_work (
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        task TEXT NOT NULL,
        item_kind TEXT,
        items BIGINT NOT NULL,
        duration_ms BIGINT,
        at BIGINT NOT NULL,
        PRIMARY KEY (device_id, seq)
      );
      CREATE TABLE eval_uptime (
        device_id TEXT NOT NULL REFERENCES devices (id),
        hour BIGINT NOT NULL,
        PRIMARY KEY (device_id, hour)
      );
      CREATE TABLE eval_door_alarms (
        device_id TEXT NOT NULL REFERENCES devices (id),
        compartment TEXT NOT NULL,
        alarm TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE TABLE eval_keys (period TEXT PRIMARY KEY, secret TEXT NOT NULL);
    `,
  },
  {
    version: 9,
    name: 'applications relayed to their destination',
    sql: `
      -- Issue #12. Ciphertext only: the envelope is the terminal's JWEs and the FIT-Connect
      -- metadata (hashes and structure, no typed value). One row per submission id, however
      -- often the terminal sends it; the remote ids make the relay's retries idempotent.
      CREATE TABLE applications (
        submission_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        case_number TEXT NOT NULL,
        service_id TEXT NOT NULL,
        leika_key TEXT NOT NULL,
        form_version TEXT NOT NULL,
        destination_id TEXT NOT NULL,
        envelope TEXT NOT NULL,
        pickup_at_terminal BIGINT NOT NULL,
        submitted_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        remote_submission_id TEXT,
        remote_case_id TEXT,
        attempts BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        pickup_item_id TEXT
      );
      CREATE INDEX applications_due ON applications (state, next_attempt_at);
      CREATE INDEX applications_by_time ON applications (received_at);
    `,
  },
  {
    version: 10,
    name: 'evaluator role; hours a terminal reported a board offline',
    sql: BOARD_HOURS,
    byKind: {
      // SQLite cannot change a CHECK: the table is rebuilt. Sessions go first (their foreign
      // key), so everyone signs in again after the upgrade.
      sqlite: `
        DELETE FROM console_sessions;
        CREATE TABLE console_users_v10 (
          id TEXT PRIMARY KEY,
          username TEXT NOT NULL UNIQUE,
          password_hash TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'viewer', 'evaluator')),
          totp_secret TEXT,
          totp_last_step BIGINT,
          created_at BIGINT NOT NULL,
          disabled_at BIGINT
        );
        INSERT INTO console_users_v10 SELECT id, username, password_hash, role, totp_secret,
          totp_last_step, created_at, disabled_at FROM console_users;
        DROP TABLE console_users;
        ALTER TABLE console_users_v10 RENAME TO console_users;`,
      postgres: `
        ALTER TABLE console_users DROP CONSTRAINT console_users_role_check;
        ALTER TABLE console_users ADD CONSTRAINT console_users_role_check
          CHECK (role IN ('admin', 'clerk', 'viewer', 'evaluator'));`,
    },
  },
  {
    version: 11,
    name: 'SMS codes of applications (keyed hashes only)',
    // Neither the code nor the number is stored: their HMACs under the key outside the
    // database (secrets.ts). Rows older than a day are deleted as codes are asked for.
    sql: `
      CREATE TABLE sms_codes (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id),
        number_mac TEXT NOT NULL,
        code_mac TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        sent_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        sends INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('open', 'verified', 'exhausted'))
      );
      CREATE INDEX sms_codes_device ON sms_codes (device_id, sent_at);
      CREATE INDEX sms_codes_number ON sms_codes (number_mac, sent_at);
    `,
  },
  {
    version: 12,
    name: 'evaluation: application usage per form',
    sql: `
      -- Issue #12: what each application did (started, step reached, abandoned, submitted),
      -- per form; never an answer.
      CREATE TABLE eval_applications (
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        session_id TEXT NOT NULL,
        form TEXT NOT NULL,
        form_version TEXT NOT NULL,
        event TEXT NOT NULL,
        step TEXT,
        duration_ms BIGINT,
        at BIGINT NOT NULL,
        PRIMARY KEY (device_id, seq)
      );
      CREATE INDEX eval_applications_by_time ON eval_applications (at);
    `,
  },
];

/** Applies the migrations not yet applied; returns the schema version. */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  await driver.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const rows = await driver.all<{ version: number }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  let current = rows[0]?.version ?? 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await driver.transaction(async (tx) => {
      await tx.exec(migration.sql);
      if (migration.byKind) await tx.exec(migration.byKind[driver.kind]);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    });
    current = migration.version;
  }
  return current;
}
