import type { Migration } from './index.ts';

/**
 * 001: the terminal's store. Times are milliseconds since the epoch (INTEGER).
 * Secrets never appear here in clear: codes, second factors, PINs and card numbers are
 * HMAC-SHA256 values keyed with the device secret kept outside this file.
 */
export const migration: Migration = {
  version: 1,
  name: '001-initial',
  sql: `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per compartment door. Occupancy is derived from items, not stored twice.
CREATE TABLE compartments (
  label         TEXT PRIMARY KEY,
  size          TEXT NOT NULL CHECK (size IN ('S', 'M', 'L', 'XL')),
  -- Height of the compartment floor; low ones are offered to wheelchair users first.
  height_cm     INTEGER NOT NULL DEFAULT 100,
  accessible    INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0, 1)),
  purpose       TEXT NOT NULL DEFAULT 'pickup' CHECK (purpose IN ('pickup', 'drop-off')),
  bus           TEXT NOT NULL,
  board         INTEGER NOT NULL,
  lock          INTEGER NOT NULL,
  defective     INTEGER NOT NULL DEFAULT 0 CHECK (defective IN (0, 1)),
  defect_reason TEXT,
  door          TEXT NOT NULL DEFAULT 'unknown' CHECK (door IN ('closed', 'open', 'unknown')),
  door_changed_at INTEGER,
  uses          INTEGER NOT NULL DEFAULT 0,
  UNIQUE (bus, board, lock)
) STRICT;

-- Documents, parcels and objects waiting in (or announced for) a compartment.
-- announced → loaded → picked_up, or loaded → expired → retrieved;
-- drop-offs: dropped_off → retrieved.
CREATE TABLE items (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('document', 'id-document', 'parcel', 'object', 'drop-off')),
  reference       TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN
                    ('announced', 'loaded', 'picked_up', 'expired', 'retrieved', 'dropped_off', 'cancelled')),
  compartment     TEXT REFERENCES compartments (label),
  -- Pseudonymous reference the backend uses to notify the citizen; never contact data.
  recipient_ref   TEXT,
  code_hash       BLOB,
  second_factor_hash BLOB,
  needs_pin_letter_confirmation INTEGER NOT NULL DEFAULT 0,
  needs_accessible INTEGER NOT NULL DEFAULT 0,
  size            TEXT CHECK (size IN ('S', 'M', 'L', 'XL')),
  holding_days    INTEGER NOT NULL,
  announced_at    INTEGER,
  loaded_at       INTEGER,
  loaded_by       TEXT,
  expires_at      INTEGER,
  expiring_sent_at INTEGER,
  picked_up_at    INTEGER,
  retrieved_at    INTEGER,
  retrieved_by    TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX items_by_code ON items (code_hash) WHERE status = 'loaded';
CREATE INDEX items_by_status ON items (status, expires_at);
CREATE INDEX items_by_compartment ON items (compartment) WHERE status IN ('loaded', 'expired', 'dropped_off');
-- Occupancy is derived from the items in a compartment (several items of one recipient may
-- share one); a reference is active once per kind.
CREATE UNIQUE INDEX items_active_reference ON items (reference, kind)
  WHERE status IN ('announced', 'loaded', 'expired', 'dropped_off');

CREATE TABLE staff (
  id          TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('staff', 'supervisor', 'technician', 'courier')),
  card_hash   BLOB UNIQUE,
  pin_hash    BLOB,
  code_hash   BLOB UNIQUE,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_pins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER
) STRICT;

-- Intent → act → confirm for every door (DESIGN.md §4.2). The intent is written in the
-- same transaction as the business change; recovery after a crash reads open intents.
CREATE TABLE door_intents (
  id          TEXT PRIMARY KEY,
  compartment TEXT NOT NULL REFERENCES compartments (label),
  purpose     TEXT NOT NULL CHECK (purpose IN
                ('pickup', 'load', 'deposit', 'drop-off', 'retrieve', 'maintenance', 'door-test')),
  item_id     TEXT REFERENCES items (id),
  session_id  TEXT,
  staff_id    TEXT,
  state       TEXT NOT NULL CHECK (state IN ('intended', 'sent', 'opened', 'closed', 'failed')),
  failure     TEXT,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  opened_at   INTEGER,
  closed_at   INTEGER,
  failed_at   INTEGER
) STRICT;
CREATE INDEX door_intents_open ON door_intents (compartment) WHERE state IN ('intended', 'sent', 'opened');

CREATE TABLE door_events (
  id          INTEGER PRIMARY KEY,
  compartment TEXT NOT NULL REFERENCES compartments (label),
  type        TEXT NOT NULL CHECK (type IN ('open', 'closed')),
  intent_id   TEXT REFERENCES door_intents (id),
  at          INTEGER NOT NULL
) STRICT;

-- Append-only and hash-chained: hash = SHA-256(prev_hash ‖ canonical row).
CREATE TABLE audit (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT,
  details   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
  hash      BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- Changes for the backend, written in the same transaction as the change itself.
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  type            TEXT NOT NULL,
  payload         TEXT NOT NULL CHECK (json_valid(payload)),
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER,
  last_error      TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Wrong codes entered at this terminal, for the brute-force lockout.
CREATE TABLE code_failures (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL
) STRICT;

-- Usage for the evaluation: pseudonymous session ids, no personal data.
CREATE TABLE usage_events (
  id          INTEGER PRIMARY KEY,
  session_id  TEXT NOT NULL,
  at          INTEGER NOT NULL,
  type        TEXT NOT NULL,
  service     TEXT,
  data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
) STRICT;
CREATE INDEX usage_events_by_time ON usage_events (at);

-- The running flow's persisted snapshot, with the machine's version.
CREATE TABLE flow_snapshots (
  id          TEXT PRIMARY KEY,
  machine     TEXT NOT NULL,
  version     INTEGER NOT NULL,
  snapshot    TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
`,
};
