/**
 * The repository the flows use. Every method that changes business state writes the change,
 * its audit entry and (where the backend must know) its outbox event in ONE transaction;
 * `transaction` groups several calls (nested calls become savepoints), e.g. a pickup and the
 * door intent that goes with it (DESIGN.md §4.2).
 *
 * Secrets (codes, second factors, PINs, card uids) go in as plain values and are stored only
 * as keyed hashes. Once an item has left the terminal (picked up, expired, retrieved) its
 * code and second-factor hashes are deleted: they are no longer needed.
 *
 * Expected failures are `Result` values; an exception means a bug (unknown compartment in a
 * door event, a foreign key violation, a value the caller should have validated).
 *
 * Audited: compartment configuration and defects, door changes, every item transition,
 * staff enrolment and PIN failures, door intents, settings. Not audited (not business
 * state, or too frequent to be useful): usage events, flow snapshots, wrong-code counters.
 */
import { randomUUID } from 'node:crypto';
import { terminalMayMove } from '@amtomat/admin-sync/protocol';
import { err, invariant, type Logger, ok, type Result, silentLogger } from '@amtomat/basics';
import { type AuditEntry, type AuditFailure, appendAudit, verifyAudit } from './audit.ts';
import type { Db } from './db.ts';
import {
  enqueueOutbox,
  markOutboxFailed,
  markOutboxSent,
  outboxLength,
  pendingOutbox,
} from './outbox.ts';
import { referenceKey } from './reference.ts';
import type { Hasher } from './secret.ts';
import {
  type Actor,
  COMPARTMENT_SIZES,
  type Compartment,
  type CompartmentSize,
  type DoorIntent,
  type DoorPurpose,
  type FlowSnapshot,
  type IntentState,
  type Item,
  type ItemKind,
  type ItemStatus,
  type JsonValue,
  type OutboxEvent,
  type StaffMember,
  type StaffRole,
  type UsageEvent,
} from './types.ts';
import { usageOutboxEvent } from './usage.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_HOLDING_DAYS = 14;
/** Items this close to expiry get one `item-expiring` event (the reminder). */
export const EXPIRING_NOTICE_MS = 2 * DAY_MS;
export const PIN_MAX_FAILURES = 5;
export const PIN_LOCK_MS = 15 * 60 * 1000;
/** Wrong-code records older than this are deleted when a new one is written. */
export const CODE_FAILURE_RETENTION_MS = DAY_MS;

/** Setting keys for the holding period in days: per kind first, then the general one. */
export const holdingDaysSetting = (kind?: ItemKind): string =>
  kind ? `holding-days.${kind}` : 'holding-days';

export type CompartmentConfig = Omit<Compartment, 'defective' | 'defectReason' | 'door' | 'uses'>;
export type CompartmentError =
  | 'unknown-compartment'
  | 'compartment-defective'
  | 'compartment-occupied';
export type ItemError = 'unknown-item' | 'wrong-status';

/** An announcement whose reference is still active here; callers match the class, not the text. */
export class ReferenceActiveError extends Error {
  readonly code = 'reference-active';
}

export interface AnnounceInput {
  id?: string;
  kind: ItemKind;
  reference: string;
  recipientRef?: string | null;
  /** Plain pickup code (hashed here) ... */
  code?: string;
  /** ... or its keyed hash, as the backend sends it. */
  codeHash?: Buffer | null;
  secondFactor?: string;
  secondFactorHash?: Buffer | null;
  needsPinLetterConfirmation?: boolean;
  needsAccessible?: boolean;
  size?: CompartmentSize | null;
  holdingDays?: number;
}

export interface DropOffInput {
  id?: string;
  kind?: ItemKind;
  reference: string;
  compartment: string;
  sessionId: string;
  size?: CompartmentSize | null;
  /** Who dropped it off; default `citizen`. */
  actor?: Actor;
}

export interface StaffInput {
  id: string;
  role: StaffRole;
  card?: string;
  pin?: string;
  /** Courier code (for role `courier`). */
  code?: string;
  /** Who enrolled them; default `system`. */
  actor?: Actor;
}

export interface IntentInput {
  compartment: string;
  purpose: DoorPurpose;
  itemId?: string | null;
  sessionId?: string | null;
  staffId?: string | null;
}

export interface UsageInput {
  sessionId: string;
  type: string;
  service?: string | null;
  data?: Record<string, JsonValue>;
}

export type AuditInput = Omit<AuditEntry, 'at'> & { at?: number };

export interface Store {
  transaction<T>(fn: () => T): T;

  upsertCompartments(list: readonly CompartmentConfig[]): { added: number; changed: number };
  compartment(label: string): Compartment | undefined;
  compartments(): Compartment[];
  freeCompartments(filter?: {
    size?: CompartmentSize;
    purpose?: Compartment['purpose'];
  }): Compartment[];
  chooseCompartment(request: {
    size: CompartmentSize;
    needsAccessible: boolean;
    purpose?: Compartment['purpose'];
  }): Compartment | undefined;
  setDefective(
    label: string,
    reason: string | null,
    actor: Actor,
  ): Result<Compartment, 'unknown-compartment'>;
  recordDoor(label: string, state: 'open' | 'closed', at: number): boolean;

  announceItem(input: AnnounceInput): Item;
  item(id: string): Item | undefined;
  itemByReference(reference: string): Item | undefined;
  itemsByCode(code: string): Item[];
  itemsInCompartment(label: string): Item[];
  itemsWithStatus(status: ItemStatus): Item[];
  /** False for an unknown item or one without a second factor (fail closed). */
  checkSecondFactor(itemId: string, value: string): boolean;
  /** announced → loaded; several items of one recipient may share a compartment. */
  markLoaded(
    itemId: string,
    compartment: string,
    staffId: string,
  ): Result<Item, ItemError | CompartmentError>;
  markPickedUp(itemIds: readonly string[], sessionId: string): Result<Item[], ItemError>;
  /**
   * The language a citizen used for these items (their code matched) goes to the fleet
   * (`item-language`), which keeps it per item: later notices go out in it. Nothing is kept
   * here: the terminal sends no notices, and a code is entered a few times at most.
   * Returns how many events were queued.
   */
  noteItemLanguage(itemIds: readonly string[], language: string): number;
  markDroppedOff(
    input: DropOffInput,
  ): Result<Item, CompartmentError | 'duplicate-item' | 'duplicate-reference'>;
  markRetrieved(itemId: string, staffId: string): Result<Item, ItemError>;
  /** loaded past expiry → expired; one `item-expiring` reminder 2 days before. */
  expireDue(now: number): { expired: number; expiring: number };

  addStaff(input: StaffInput): Result<StaffMember, 'card-in-use' | 'code-in-use'>;
  setStaffActive(id: string, active: boolean, actor: Actor): Result<StaffMember, 'unknown-staff'>;
  /** Active staff only. */
  staffByCard(uid: string): StaffMember | undefined;
  /** Active staff (couriers) only. */
  staffByCode(code: string): StaffMember | undefined;
  /** 5 wrong PINs in a row lock PIN entry for 15 minutes; the 5th already answers `locked`. */
  checkPin(staffId: string, pin: string): Result<StaffMember, 'wrong-pin' | 'locked'>;

  createIntent(input: IntentInput): DoorIntent;
  /**
   * intended → sent → opened → closed, or → failed from any open state; `sent → closed`
   * when the door was opened and shut between two polls. Setting the current state again
   * changes nothing (recovery may repeat itself); closed and failed are final.
   */
  setIntentState(
    id: string,
    state: IntentState,
    options?: { failure?: string },
  ): Result<DoorIntent, 'unknown-intent' | 'invalid-transition'>;
  openIntents(): DoorIntent[];
  /** All intents of a citizen session, oldest first (recovery of the session's door). */
  intentsOfSession(sessionId: string): DoorIntent[];
  intent(id: string): DoorIntent | undefined;

  recordCodeFailure(now: number): void;
  codeFailuresSince(since: number): number;
  /** The times of the wrong codes since `since`, oldest first (escalating lockout). */
  codeFailureTimes(since: number): number[];
  clearCodeFailures(): void;

  recordUsage(input: UsageInput): number;
  usageEvents(since?: number): UsageEvent[];

  saveSnapshot(id: string, machine: string, version: number, snapshotJson: string): void;
  loadSnapshot(id: string): FlowSnapshot | undefined;
  deleteSnapshot(id: string): void;

  setting(key: string): string | undefined;
  /** Audited (the key, never the value) unless `audit: false`, e.g. for a sync cursor. */
  setSetting(key: string, value: string, options?: { audit?: boolean }): void;

  audit(entry: AuditInput): number;
  verifyAudit(): Result<{ entries: number }, AuditFailure>;
  enqueue(type: string, payload: Record<string, unknown>, idempotencyKey?: string): number;
  pendingOutbox(now: number, limit: number): OutboxEvent[];
  markOutboxSent(seqs: readonly number[]): number;
  markOutboxFailed(seq: number, error: string): number | undefined;
  outboxLength(): number;

  /**
   * A drop-off compartment that takes one more drop-off: not defective, its door shut (one
   * standing open, e.g. forced, waits for staff) and no door under way, empty or holding
   * drop-offs only (a drop-off compartment collects any number); of at least `size`, the
   * smallest first, then the least used, then by label.
   */
  chooseDropOffCompartment(request: { size: CompartmentSize }): Compartment | undefined;
  /**
   * A drop-off announced before its door opened (kind `drop-off`, status `announced`) lies
   * in its compartment: → `dropped_off`, outbox `item-dropped-off`, audit, one transaction.
   * The door service calls it with the door's close; what happened is recorded even if the
   * compartment was marked defective meanwhile.
   */
  completeDropOff(
    itemId: string,
    compartment: string,
    sessionId: string,
  ): Result<Item, ItemError | 'wrong-kind' | 'unknown-compartment'>;
  /**
   * announced → cancelled, audited with its reason (e.g. a drop-off whose door did not
   * open). No outbox event: the backend never heard of a drop-off before it lay in its
   * compartment.
   */
  cancelAnnounced(itemId: string, actor: Actor, reason: string): Result<Item, ItemError>;
  /**
   * loaded → expired before its time, audited with its reason: the town hall withdrew it
   * (e.g. issued by mistake). Its code opens nothing any more; staff take it out with the
   * expired items. Outbox `item-withdrawn`: the fleet learns that the cancelled item lies
   * in its compartment, to be taken out (it may have heard of the load only after cancelling).
   */
  withdrawLoaded(itemId: string, actor: Actor, reason: string): Result<Item, ItemError>;
}

export interface StoreDeps {
  db: Db;
  hasher: Hasher;
  now: () => number;
  logger?: Logger;
}

const OCCUPYING: readonly ItemStatus[] = ['loaded', 'expired', 'dropped_off'];
const OPEN_INTENT_STATES: readonly IntentState[] = ['intended', 'sent', 'opened'];
const INTENT_NEXT: Record<IntentState, readonly IntentState[]> = {
  intended: ['sent', 'opened', 'failed'],
  sent: ['opened', 'closed', 'failed'],
  opened: ['closed', 'failed'],
  closed: [],
  failed: [],
};
const INTENT_TIMESTAMP: Record<Exclude<IntentState, 'intended'>, string> = {
  sent: 'sent_at',
  opened: 'opened_at',
  closed: 'closed_at',
  failed: 'failed_at',
};

interface CompartmentRow {
  label: string;
  size: CompartmentSize;
  height_cm: number;
  accessible: number;
  purpose: 'pickup' | 'drop-off';
  bus: string;
  board: number;
  lock: number;
  defective: number;
  defect_reason: string | null;
  door: 'closed' | 'open' | 'unknown';
  uses: number;
}

interface ItemRow {
  id: string;
  kind: ItemKind;
  reference: string;
  status: ItemStatus;
  compartment: string | null;
  recipient_ref: string | null;
  code_hash: Buffer | null;
  second_factor_hash: Buffer | null;
  needs_pin_letter_confirmation: number;
  needs_accessible: number;
  size: CompartmentSize | null;
  holding_days: number;
  loaded_at: number | null;
  loaded_by: string | null;
  expires_at: number | null;
  picked_up_at: number | null;
  retrieved_at: number | null;
}

interface StaffRow {
  id: string;
  role: StaffRole;
  active: number;
  pin_hash: Buffer | null;
  failed_pins: number;
  locked_until: number | null;
}

interface IntentRow {
  id: string;
  compartment: string;
  purpose: DoorPurpose;
  item_id: string | null;
  session_id: string | null;
  staff_id: string | null;
  state: IntentState;
  failure: string | null;
  created_at: number;
  sent_at: number | null;
  opened_at: number | null;
  closed_at: number | null;
  failed_at: number | null;
}

const toCompartment = (row: CompartmentRow): Compartment => ({
  label: row.label,
  size: row.size,
  heightCm: row.height_cm,
  accessible: row.accessible === 1,
  purpose: row.purpose,
  bus: row.bus,
  board: row.board,
  lock: row.lock,
  defective: row.defective === 1,
  defectReason: row.defect_reason,
  door: row.door,
  uses: row.uses,
});

const toItem = (row: ItemRow): Item => ({
  id: row.id,
  kind: row.kind,
  reference: row.reference,
  status: row.status,
  compartment: row.compartment,
  recipientRef: row.recipient_ref,
  needsPinLetterConfirmation: row.needs_pin_letter_confirmation === 1,
  needsAccessible: row.needs_accessible === 1,
  hasSecondFactor: row.second_factor_hash !== null,
  size: row.size,
  holdingDays: row.holding_days,
  loadedAt: row.loaded_at,
  loadedBy: row.loaded_by,
  expiresAt: row.expires_at,
  pickedUpAt: row.picked_up_at,
  retrievedAt: row.retrieved_at,
});

const toStaff = (row: StaffRow): StaffMember => ({
  id: row.id,
  role: row.role,
  active: row.active === 1,
  lockedUntil: row.locked_until,
});

const toIntent = (row: IntentRow): DoorIntent => ({
  id: row.id,
  compartment: row.compartment,
  purpose: row.purpose,
  itemId: row.item_id,
  sessionId: row.session_id,
  staffId: row.staff_id,
  state: row.state,
  failure: row.failure,
  createdAt: row.created_at,
  sentAt: row.sent_at,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
  failedAt: row.failed_at,
});

const sizeRank = (size: CompartmentSize): number => COMPARTMENT_SIZES.indexOf(size);
const sqlList = (values: readonly string[]): string =>
  values.map((value) => `'${value}'`).join(', ');
const OCCUPYING_SQL = sqlList(OCCUPYING);
const OPEN_INTENTS_SQL = sqlList(OPEN_INTENT_STATES);

function checkHash(name: string, hash: Buffer | null | undefined): Buffer | null {
  if (hash === undefined || hash === null) return null;
  if (!Buffer.isBuffer(hash) || hash.length !== 32) {
    throw new TypeError(`${name} must be a 32-byte HMAC-SHA256 value`);
  }
  return hash;
}

function checkHoldingDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw new RangeError(`holding period must be 1..365 days, got ${days}`);
  }
  return days;
}

export function createStore(deps: StoreDeps): Store {
  const { db, hasher, now } = deps;
  const logger = deps.logger ?? silentLogger;
  const tx = <T>(fn: () => T): T => db.transaction(fn)();

  const audit = (entry: AuditInput): number => appendAudit(db, { ...entry, at: entry.at ?? now() });
  const enqueue = (type: string, payload: Record<string, unknown>, idempotencyKey?: string) =>
    enqueueOutbox(db, {
      type,
      payload,
      now: now(),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });

  const compartmentRow = (label: string) =>
    db.prepare('SELECT * FROM compartments WHERE label = ?').get(label) as
      | CompartmentRow
      | undefined;
  const itemRow = (id: string) =>
    db.prepare('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
  const mustItem = (id: string): Item => {
    const row = itemRow(id);
    invariant(row, `item ${id} vanished inside its own transaction`);
    return toItem(row);
  };
  const staffRow = (id: string) =>
    db.prepare('SELECT * FROM staff WHERE id = ?').get(id) as StaffRow | undefined;
  const intentRow = (id: string) =>
    db.prepare('SELECT * FROM door_intents WHERE id = ?').get(id) as IntentRow | undefined;
  const occupants = (label: string) =>
    db
      .prepare(`SELECT * FROM items WHERE compartment = ? AND status IN (${OCCUPYING_SQL})`)
      .all(label) as ItemRow[];

  const setting = (key: string): string | undefined =>
    (
      db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
        | { value: string }
        | undefined
    )?.value;

  const holdingDaysFor = (kind: ItemKind): number => {
    const configured = setting(holdingDaysSetting(kind)) ?? setting(holdingDaysSetting());
    return configured === undefined ? DEFAULT_HOLDING_DAYS : checkHoldingDays(Number(configured));
  };

  const freeCompartments: Store['freeCompartments'] = (filter = {}) =>
    (
      db
        .prepare(
          `SELECT * FROM compartments AS c
           WHERE c.defective = 0
             AND (@size IS NULL OR c.size = @size)
             AND (@purpose IS NULL OR c.purpose = @purpose)
             AND NOT EXISTS (SELECT 1 FROM items AS i
                             WHERE i.compartment = c.label AND i.status IN (${OCCUPYING_SQL}))
             AND NOT EXISTS (SELECT 1 FROM door_intents AS d
                             WHERE d.compartment = c.label AND d.state IN (${OPEN_INTENTS_SQL}))
           ORDER BY c.label`,
        )
        .all({ size: filter.size ?? null, purpose: filter.purpose ?? null }) as CompartmentRow[]
    ).map(toCompartment);

  /** An item taken out of the handing-out before its time: its code opens nothing any more. */
  const setAside = (
    itemId: string,
    change: { from: ItemStatus; to: ItemStatus; action: string; report?: boolean },
    actor: Actor,
    reason: string,
  ): Result<Item, ItemError> =>
    tx(() => {
      const row = itemRow(itemId);
      if (!row) return err('unknown-item');
      if (row.status !== change.from) return err('wrong-status');
      const at = now();
      db.prepare(
        `UPDATE items SET status = ?, code_hash = NULL, second_factor_hash = NULL,
           updated_at = ? WHERE id = ?`,
      ).run(change.to, at, itemId);
      if (change.report) {
        enqueue(change.action, {
          itemId,
          reference: row.reference,
          compartment: row.compartment,
          withdrawnAt: at,
        });
      }
      audit({ at, actor, action: change.action, subject: itemId, details: { reason } });
      logger.log('info', `store.${change.action}`, { item: itemId });
      return ok(mustItem(itemId));
    });

  const store: Store = {
    transaction: tx,

    // ── compartments ────────────────────────────────────────────────────────────────────
    upsertCompartments(list) {
      return tx(() => {
        const added: string[] = [];
        const changed: string[] = [];
        const existing = new Map(
          (db.prepare('SELECT * FROM compartments').all() as CompartmentRow[]).map((row) => [
            row.label,
            row,
          ]),
        );
        // Park the rows whose lock address changes, so that swapping two addresses in the
        // site configuration does not trip UNIQUE (bus, board, lock) halfway through.
        const park = db.prepare('UPDATE compartments SET lock = -rowid - 1 WHERE label = ?');
        for (const c of list) {
          const row = existing.get(c.label);
          if (row && (row.bus !== c.bus || row.board !== c.board || row.lock !== c.lock)) {
            park.run(c.label);
          }
        }
        const upsert = db.prepare(
          `INSERT INTO compartments (label, size, height_cm, accessible, purpose, bus, board, lock)
           VALUES (@label, @size, @heightCm, @accessible, @purpose, @bus, @board, @lock)
           ON CONFLICT (label) DO UPDATE SET
             size = excluded.size, height_cm = excluded.height_cm,
             accessible = excluded.accessible, purpose = excluded.purpose,
             bus = excluded.bus, board = excluded.board, lock = excluded.lock`,
        );
        for (const c of list) {
          const row = existing.get(c.label);
          const same =
            row !== undefined &&
            row.size === c.size &&
            row.height_cm === c.heightCm &&
            row.accessible === (c.accessible ? 1 : 0) &&
            row.purpose === c.purpose &&
            row.bus === c.bus &&
            row.board === c.board &&
            row.lock === c.lock;
          if (same) continue;
          upsert.run({ ...c, accessible: c.accessible ? 1 : 0 });
          (row ? changed : added).push(c.label);
        }
        if (added.length + changed.length > 0) {
          audit({
            actor: 'system',
            action: 'compartments-configured',
            details: { added, changed },
          });
          logger.log('info', 'store.compartments-configured', {
            added: added.length,
            changed: changed.length,
          });
        }
        return { added: added.length, changed: changed.length };
      });
    },

    compartment(label) {
      const row = compartmentRow(label);
      return row && toCompartment(row);
    },

    compartments() {
      return (
        db.prepare('SELECT * FROM compartments ORDER BY label').all() as CompartmentRow[]
      ).map(toCompartment);
    },

    freeCompartments,

    chooseCompartment({ size, needsAccessible, purpose = 'pickup' }) {
      const wanted = sizeRank(size);
      const candidates = freeCompartments({ purpose }).filter((c) => sizeRank(c.size) >= wanted);
      // Wheelchair users cannot reach a high compartment at all, so for them a low one
      // comes before the best size; everyone else gets the best size and leaves low ones
      // free for those who need them.
      const accessibleFirst = (c: Compartment) => (c.accessible ? 0 : 1);
      const accessibleLast = (c: Compartment) => (c.accessible ? 1 : 0);
      const keys: ((c: Compartment) => number)[] = needsAccessible
        ? [accessibleFirst, (c) => sizeRank(c.size)]
        : [(c) => sizeRank(c.size), accessibleLast];
      keys.push((c) => c.uses);
      candidates.sort((a, b) => {
        for (const key of keys) {
          const difference = key(a) - key(b);
          if (difference !== 0) return difference;
        }
        return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
      });
      return candidates[0];
    },

    setDefective(label, reason, actor) {
      return tx(() => {
        const row = compartmentRow(label);
        if (!row) return err('unknown-compartment');
        const defective = reason !== null;
        db.prepare('UPDATE compartments SET defective = ?, defect_reason = ? WHERE label = ?').run(
          defective ? 1 : 0,
          reason,
          label,
        );
        audit({
          actor,
          action: defective ? 'compartment-defective' : 'compartment-repaired',
          subject: label,
          details: { reason },
        });
        enqueue('compartment-state', { compartment: label, defective, reason });
        logger.log('info', 'store.compartment-defective', { compartment: label, defective });
        return ok(toCompartment(compartmentRow(label)!));
      });
    },

    recordDoor(label, state, at) {
      return tx(() => {
        const row = compartmentRow(label);
        if (!row) throw new Error(`door event for unknown compartment ${label}`);
        if (row.door === state) return false;
        const intent = db
          .prepare(
            `SELECT id FROM door_intents WHERE compartment = ? AND state IN (${OPEN_INTENTS_SQL})
             ORDER BY created_at DESC, rowid DESC LIMIT 1`,
          )
          .get(label) as { id: string } | undefined;
        db.prepare('UPDATE compartments SET door = ?, door_changed_at = ? WHERE label = ?').run(
          state,
          at,
          label,
        );
        db.prepare(
          'INSERT INTO door_events (compartment, type, intent_id, at) VALUES (?, ?, ?, ?)',
        ).run(label, state, intent?.id ?? null, at);
        audit({
          at,
          actor: 'system',
          action: state === 'open' ? 'door-opened' : 'door-closed',
          subject: label,
          details: { intentId: intent?.id ?? null },
        });
        if (state === 'open' && !intent) {
          logger.log('warn', 'store.door-opened-without-intent', { compartment: label });
        }
        return true;
      });
    },

    // ── items ───────────────────────────────────────────────────────────────────────────
    announceItem(input) {
      return tx(() => {
        const id = input.id ?? randomUUID();
        const existing = itemRow(id);
        if (existing) return toItem(existing); // the backend may announce the same item again
        const conflict = db
          .prepare(
            `SELECT id FROM items WHERE reference_key = ? AND kind = ?
             AND status IN ('announced', ${OCCUPYING_SQL})`,
          )
          .get(referenceKey(input.reference), input.kind) as { id: string } | undefined;
        if (conflict) {
          throw new ReferenceActiveError(
            `item ${id}: item ${conflict.id} of kind ${input.kind} with the same reference is still active`,
          );
        }
        const codeHash =
          input.code !== undefined
            ? hasher.hash('pickup-code', input.code)
            : checkHash('codeHash', input.codeHash);
        const secondFactorHash =
          input.secondFactor !== undefined
            ? hasher.hash('second-factor', input.secondFactor)
            : checkHash('secondFactorHash', input.secondFactorHash);
        const holdingDays =
          input.holdingDays === undefined
            ? holdingDaysFor(input.kind)
            : checkHoldingDays(input.holdingDays);
        const at = now();
        db.prepare(
          `INSERT INTO items (id, kind, reference, reference_key, status, recipient_ref, code_hash,
             second_factor_hash, needs_pin_letter_confirmation, needs_accessible, size,
             holding_days, announced_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'announced', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          input.kind,
          input.reference,
          referenceKey(input.reference),
          input.recipientRef ?? null,
          codeHash,
          secondFactorHash,
          input.needsPinLetterConfirmation ? 1 : 0,
          input.needsAccessible ? 1 : 0,
          input.size ?? null,
          holdingDays,
          at,
          at,
          at,
        );
        audit({
          at,
          actor: 'system',
          action: 'item-announced',
          subject: id,
          details: { kind: input.kind },
        });
        return mustItem(id);
      });
    },

    item(id) {
      const row = itemRow(id);
      return row && toItem(row);
    },

    itemByReference(reference) {
      const row = db
        .prepare(
          `SELECT * FROM items WHERE reference_key = ?
           ORDER BY status IN ('announced', ${OCCUPYING_SQL}) DESC, created_at DESC, rowid DESC
           LIMIT 1`,
        )
        .get(referenceKey(reference)) as ItemRow | undefined;
      return row && toItem(row);
    },

    itemsByCode(code) {
      let hash: Buffer;
      try {
        hash = hasher.hash('pickup-code', code);
      } catch {
        return []; // nothing can match an empty code
      }
      return (
        db
          .prepare(
            `SELECT * FROM items WHERE status = 'loaded' AND code_hash = ?
             ORDER BY loaded_at, id`,
          )
          .all(hash) as ItemRow[]
      ).map(toItem);
    },

    itemsInCompartment(label) {
      return (
        db
          .prepare(
            `SELECT * FROM items WHERE compartment = ? AND status IN (${OCCUPYING_SQL})
             ORDER BY loaded_at, id`,
          )
          .all(label) as ItemRow[]
      ).map(toItem);
    },

    itemsWithStatus(status) {
      return (
        db
          .prepare('SELECT * FROM items WHERE status = ? ORDER BY compartment, created_at, id')
          .all(status) as ItemRow[]
      ).map(toItem);
    },

    checkSecondFactor(itemId, value) {
      const row = itemRow(itemId);
      if (!row) return false;
      return hasher.matches('second-factor', value, row.second_factor_hash);
    },

    markLoaded(itemId, label, staffId) {
      return tx(() => {
        const row = itemRow(itemId);
        if (!row) return err('unknown-item');
        if (!terminalMayMove(row.status, 'loaded')) return err('wrong-status');
        const compartment = compartmentRow(label);
        if (!compartment) return err('unknown-compartment');
        if (compartment.defective) return err('compartment-defective');
        // Several items of one recipient may share a compartment; nothing else may.
        const shareable = occupants(label).every(
          (other) =>
            other.status === 'loaded' &&
            other.recipient_ref !== null &&
            other.recipient_ref === row.recipient_ref,
        );
        if (!shareable) return err('compartment-occupied');
        const at = now();
        const expiresAt = at + row.holding_days * DAY_MS;
        db.prepare(
          `UPDATE items SET status = 'loaded', compartment = ?, loaded_at = ?, loaded_by = ?,
             expires_at = ?, updated_at = ? WHERE id = ?`,
        ).run(label, at, staffId, expiresAt, at, itemId);
        db.prepare('UPDATE compartments SET uses = uses + 1 WHERE label = ?').run(label);
        enqueue('item-ready', {
          itemId,
          reference: row.reference,
          recipientRef: row.recipient_ref,
          compartment: label,
          expiresAt,
          kind: row.kind, // the fleet learns a courier's parcel only from this (evaluation)
        });
        audit({
          at,
          actor: staffId,
          action: 'item-loaded',
          subject: itemId,
          details: { compartment: label },
        });
        logger.log('info', 'store.item-loaded', { item: itemId, compartment: label });
        return ok(mustItem(itemId));
      });
    },

    noteItemLanguage(itemIds, language) {
      return tx(() => {
        let queued = 0;
        for (const id of new Set(itemIds)) {
          const row = itemRow(id);
          if (!row) continue;
          enqueue('item-language', { itemId: id, reference: row.reference, language });
          queued++;
        }
        return queued;
      });
    },
    markPickedUp(itemIds, sessionId) {
      return tx(() => {
        const ids = [...new Set(itemIds)];
        if (ids.length === 0) return ok([]);
        const rows: ItemRow[] = [];
        for (const id of ids) {
          const row = itemRow(id);
          if (!row) return err('unknown-item');
          if (!terminalMayMove(row.status, 'picked_up')) return err('wrong-status');
          rows.push(row);
        }
        const at = now();
        const update = db.prepare(
          `UPDATE items SET status = 'picked_up', picked_up_at = ?, code_hash = NULL,
             second_factor_hash = NULL, updated_at = ? WHERE id = ?`,
        );
        for (const row of rows) {
          update.run(at, at, row.id);
          enqueue('item-picked-up', {
            itemId: row.id,
            reference: row.reference,
            compartment: row.compartment,
            pickedUpAt: at,
          });
          audit({
            at,
            actor: 'citizen',
            action: 'item-picked-up',
            subject: row.id,
            details: { compartment: row.compartment, sessionId },
          });
        }
        logger.log('info', 'store.items-picked-up', { count: rows.length });
        return ok(rows.map((row) => mustItem(row.id)));
      });
    },

    markDroppedOff(input) {
      return tx(() => {
        const compartment = compartmentRow(input.compartment);
        if (!compartment) return err('unknown-compartment');
        if (compartment.defective) return err('compartment-defective');
        // A drop-off compartment collects several drop-offs; any other must be empty.
        const present = occupants(input.compartment);
        const shareable =
          present.length === 0 ||
          (compartment.purpose === 'drop-off' && present.every((o) => o.status === 'dropped_off'));
        if (!shareable) return err('compartment-occupied');
        const id = input.id ?? randomUUID();
        if (itemRow(id)) return err('duplicate-item');
        const kind = input.kind ?? 'drop-off';
        const active = db
          .prepare(
            `SELECT 1 FROM items WHERE reference_key = ? AND kind = ?
             AND status IN ('announced', ${OCCUPYING_SQL})`,
          )
          .get(referenceKey(input.reference), kind);
        if (active) return err('duplicate-reference');
        const at = now();
        db.prepare(
          `INSERT INTO items (id, kind, reference, reference_key, status, compartment, size,
             holding_days, loaded_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'dropped_off', ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          kind,
          input.reference,
          referenceKey(input.reference),
          input.compartment,
          input.size ?? null,
          holdingDaysFor(kind),
          at,
          at,
          at,
        );
        db.prepare('UPDATE compartments SET uses = uses + 1 WHERE label = ?').run(
          input.compartment,
        );
        enqueue('item-dropped-off', {
          itemId: id,
          kind,
          reference: input.reference,
          compartment: input.compartment,
          droppedOffAt: at,
        });
        audit({
          at,
          actor: input.actor ?? 'citizen',
          action: 'item-dropped-off',
          subject: id,
          details: { compartment: input.compartment, kind, sessionId: input.sessionId },
        });
        logger.log('info', 'store.item-dropped-off', { item: id, compartment: input.compartment });
        return ok(mustItem(id));
      });
    },

    markRetrieved(itemId, staffId) {
      return tx(() => {
        const row = itemRow(itemId);
        if (!row) return err('unknown-item');
        if (!terminalMayMove(row.status, 'retrieved')) return err('wrong-status');
        const at = now();
        db.prepare(
          `UPDATE items SET status = 'retrieved', retrieved_at = ?, retrieved_by = ?,
             code_hash = NULL, second_factor_hash = NULL, updated_at = ? WHERE id = ?`,
        ).run(at, staffId, at, itemId);
        enqueue('item-retrieved', {
          itemId,
          reference: row.reference,
          compartment: row.compartment,
          previousStatus: row.status,
          retrievedAt: at,
        });
        audit({
          at,
          actor: staffId,
          action: 'item-retrieved',
          subject: itemId,
          details: { compartment: row.compartment, from: row.status },
        });
        logger.log('info', 'store.item-retrieved', { item: itemId, compartment: row.compartment });
        return ok(mustItem(itemId));
      });
    },

    expireDue(at) {
      return tx(() => {
        const due = db
          .prepare(
            `SELECT * FROM items WHERE status = 'loaded' AND expires_at <= ?
             ORDER BY expires_at, id`,
          )
          .all(at) as ItemRow[];
        const expire = db.prepare(
          `UPDATE items SET status = 'expired', code_hash = NULL, second_factor_hash = NULL,
             updated_at = ? WHERE id = ?`,
        );
        for (const row of due) {
          expire.run(at, row.id);
          enqueue('item-expired', {
            itemId: row.id,
            reference: row.reference,
            recipientRef: row.recipient_ref,
            compartment: row.compartment,
            expiredAt: at,
          });
          audit({
            at,
            actor: 'system',
            action: 'item-expired',
            subject: row.id,
            details: { compartment: row.compartment },
          });
        }
        const soon = db
          .prepare(
            `SELECT * FROM items WHERE status = 'loaded' AND expiring_sent_at IS NULL
               AND expires_at <= ? ORDER BY expires_at, id`,
          )
          .all(at + EXPIRING_NOTICE_MS) as ItemRow[];
        const remind = db.prepare(
          'UPDATE items SET expiring_sent_at = ?, updated_at = ? WHERE id = ?',
        );
        for (const row of soon) {
          remind.run(at, at, row.id);
          enqueue('item-expiring', {
            itemId: row.id,
            reference: row.reference,
            recipientRef: row.recipient_ref,
            compartment: row.compartment,
            expiresAt: row.expires_at,
          });
          audit({
            at,
            actor: 'system',
            action: 'item-expiring-notified',
            subject: row.id,
            details: { expiresAt: row.expires_at },
          });
        }
        if (due.length + soon.length > 0) {
          logger.log('info', 'store.expiry', { expired: due.length, expiring: soon.length });
        }
        return { expired: due.length, expiring: soon.length };
      });
    },

    // ── staff ───────────────────────────────────────────────────────────────────────────
    addStaff(input) {
      return tx(() => {
        const cardHash = input.card === undefined ? null : hasher.hash('staff-card', input.card);
        const pinHash = input.pin === undefined ? null : hasher.hash('staff-pin', input.pin);
        const codeHash = input.code === undefined ? null : hasher.hash('courier-code', input.code);
        if (
          cardHash &&
          db.prepare('SELECT 1 FROM staff WHERE card_hash = ? AND id <> ?').get(cardHash, input.id)
        ) {
          return err('card-in-use');
        }
        if (
          codeHash &&
          db.prepare('SELECT 1 FROM staff WHERE code_hash = ? AND id <> ?').get(codeHash, input.id)
        ) {
          return err('code-in-use');
        }
        const existed = staffRow(input.id) !== undefined;
        // Re-enrolment keeps what is not given again (a new card keeps the PIN).
        db.prepare(
          `INSERT INTO staff (id, role, card_hash, pin_hash, code_hash) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET role = excluded.role,
             card_hash = coalesce(excluded.card_hash, card_hash),
             pin_hash = coalesce(excluded.pin_hash, pin_hash),
             code_hash = coalesce(excluded.code_hash, code_hash),
             active = 1, failed_pins = 0, locked_until = NULL`,
        ).run(input.id, input.role, cardHash, pinHash, codeHash);
        audit({
          actor: input.actor ?? 'system',
          action: existed ? 'staff-updated' : 'staff-added',
          subject: input.id,
          details: {
            role: input.role,
            card: cardHash !== null,
            pin: pinHash !== null,
            code: codeHash !== null,
          },
        });
        return ok(toStaff(staffRow(input.id)!));
      });
    },

    setStaffActive(id, active, actor) {
      return tx(() => {
        if (!staffRow(id)) return err('unknown-staff');
        db.prepare('UPDATE staff SET active = ? WHERE id = ?').run(active ? 1 : 0, id);
        audit({ actor, action: active ? 'staff-activated' : 'staff-deactivated', subject: id });
        return ok(toStaff(staffRow(id)!));
      });
    },

    staffByCard(uid) {
      let hash: Buffer;
      try {
        hash = hasher.hash('staff-card', uid);
      } catch {
        return undefined;
      }
      const row = db.prepare('SELECT * FROM staff WHERE card_hash = ? AND active = 1').get(hash) as
        | StaffRow
        | undefined;
      return row && toStaff(row);
    },

    staffByCode(code) {
      let hash: Buffer;
      try {
        hash = hasher.hash('courier-code', code);
      } catch {
        return undefined;
      }
      const row = db.prepare('SELECT * FROM staff WHERE code_hash = ? AND active = 1').get(hash) as
        | StaffRow
        | undefined;
      return row && toStaff(row);
    },

    checkPin(staffId, pin) {
      return tx(() => {
        const at = now();
        const row = staffRow(staffId);
        if (row?.active !== 1 || row.pin_hash === null) return err('wrong-pin');
        if (row.locked_until !== null && row.locked_until > at) return err('locked');
        if (hasher.matches('staff-pin', pin, row.pin_hash)) {
          if (row.failed_pins !== 0 || row.locked_until !== null) {
            db.prepare('UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE id = ?').run(
              staffId,
            );
          }
          return ok(toStaff(staffRow(staffId)!));
        }
        const failures = row.failed_pins + 1;
        if (failures >= PIN_MAX_FAILURES) {
          const until = at + PIN_LOCK_MS;
          db.prepare('UPDATE staff SET failed_pins = 0, locked_until = ? WHERE id = ?').run(
            until,
            staffId,
          );
          audit({
            at,
            actor: 'system',
            action: 'staff-pin-locked',
            subject: staffId,
            details: { until },
          });
          logger.log('warn', 'store.staff-pin-locked', { staff: staffId });
          return err('locked');
        }
        db.prepare('UPDATE staff SET failed_pins = ? WHERE id = ?').run(failures, staffId);
        audit({
          at,
          actor: 'system',
          action: 'staff-pin-wrong',
          subject: staffId,
          details: { failures },
        });
        return err('wrong-pin');
      });
    },

    // ── door intents ────────────────────────────────────────────────────────────────────
    createIntent(input) {
      return tx(() => {
        const id = randomUUID();
        const at = now();
        db.prepare(
          `INSERT INTO door_intents (id, compartment, purpose, item_id, session_id, staff_id,
             state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'intended', ?)`,
        ).run(
          id,
          input.compartment,
          input.purpose,
          input.itemId ?? null,
          input.sessionId ?? null,
          input.staffId ?? null,
          at,
        );
        audit({
          at,
          actor: input.staffId ?? (input.sessionId ? 'citizen' : 'system'),
          action: 'intent-created',
          subject: id,
          details: {
            compartment: input.compartment,
            purpose: input.purpose,
            itemId: input.itemId ?? null,
            sessionId: input.sessionId ?? null,
          },
        });
        return toIntent(intentRow(id)!);
      });
    },

    setIntentState(id, state, options = {}) {
      return tx(() => {
        const row = intentRow(id);
        if (!row) return err('unknown-intent');
        if (row.state === state) return ok(toIntent(row));
        if (!INTENT_NEXT[row.state].includes(state) || state === 'intended') {
          return err('invalid-transition');
        }
        const at = now();
        db.prepare(
          `UPDATE door_intents SET state = ?, ${INTENT_TIMESTAMP[state]} = ?,
             failure = coalesce(?, failure) WHERE id = ?`,
        ).run(state, at, state === 'failed' ? (options.failure ?? 'unknown') : null, id);
        audit({
          at,
          actor: 'system',
          action: `intent-${state}`,
          subject: id,
          details: {
            compartment: row.compartment,
            ...(state === 'failed' ? { failure: options.failure ?? 'unknown' } : {}),
          },
        });
        if (state === 'failed') {
          logger.log('warn', 'store.intent-failed', {
            intent: id,
            compartment: row.compartment,
            failure: options.failure ?? 'unknown',
          });
        }
        return ok(toIntent(intentRow(id)!));
      });
    },

    openIntents() {
      return (
        db
          .prepare(
            `SELECT * FROM door_intents WHERE state IN (${OPEN_INTENTS_SQL})
             ORDER BY created_at, rowid`,
          )
          .all() as IntentRow[]
      ).map(toIntent);
    },

    intentsOfSession(sessionId) {
      return (
        db
          .prepare('SELECT * FROM door_intents WHERE session_id = ? ORDER BY created_at, rowid')
          .all(sessionId) as IntentRow[]
      ).map(toIntent);
    },

    intent(id) {
      const row = intentRow(id);
      return row && toIntent(row);
    },

    // ── wrong-code lockout ──────────────────────────────────────────────────────────────
    recordCodeFailure(at) {
      tx(() => {
        db.prepare('INSERT INTO code_failures (at) VALUES (?)').run(at);
        db.prepare('DELETE FROM code_failures WHERE at < ?').run(at - CODE_FAILURE_RETENTION_MS);
      });
    },

    codeFailureTimes(since) {
      return (
        db.prepare('SELECT at FROM code_failures WHERE at >= ? ORDER BY at, id').all(since) as {
          at: number;
        }[]
      ).map((row) => row.at);
    },

    codeFailuresSince(since) {
      return (
        db.prepare('SELECT count(*) AS n FROM code_failures WHERE at >= ?').get(since) as {
          n: number;
        }
      ).n;
    },

    clearCodeFailures() {
      db.prepare('DELETE FROM code_failures').run();
    },

    // ── usage (KPIs) ────────────────────────────────────────────────────────────────────
    recordUsage(input) {
      const at = now();
      const fact = { ...input, service: input.service ?? null, data: input.data ?? {} };
      return db.transaction(() => {
        const result = db
          .prepare(
            'INSERT INTO usage_events (session_id, at, type, service, data) VALUES (?, ?, ?, ?, ?)',
          )
          .run(fact.sessionId, at, fact.type, fact.service, JSON.stringify(fact.data));
        // The evaluation's copy for the fleet, in the same transaction (usage.ts).
        const event = usageOutboxEvent(db, fact, at, logger);
        if (event) enqueueOutbox(db, { ...event, now: at });
        return Number(result.lastInsertRowid);
      })();
    },

    usageEvents(since) {
      const rows = db
        .prepare('SELECT * FROM usage_events WHERE at >= ? ORDER BY at, id')
        .all(since ?? Number.MIN_SAFE_INTEGER) as {
        id: number;
        session_id: string;
        at: number;
        type: string;
        service: string | null;
        data: string;
      }[];
      return rows.map((row) => ({
        id: row.id,
        sessionId: row.session_id,
        at: row.at,
        type: row.type,
        service: row.service,
        data: JSON.parse(row.data) as Record<string, unknown>,
      }));
    },

    // ── flow snapshots ──────────────────────────────────────────────────────────────────
    saveSnapshot(id, machine, version, snapshotJson) {
      JSON.parse(snapshotJson); // a flow that persists something else has a bug: fail loudly
      db.prepare(
        `INSERT INTO flow_snapshots (id, machine, version, snapshot, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET machine = excluded.machine, version = excluded.version,
           snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
      ).run(id, machine, version, snapshotJson, now());
    },

    loadSnapshot(id) {
      const row = db
        .prepare('SELECT machine, version, snapshot FROM flow_snapshots WHERE id = ?')
        .get(id) as FlowSnapshot | undefined;
      return row && { machine: row.machine, version: row.version, snapshot: row.snapshot };
    },

    deleteSnapshot(id) {
      db.prepare('DELETE FROM flow_snapshots WHERE id = ?').run(id);
    },

    // ── settings ────────────────────────────────────────────────────────────────────────
    setting,

    setSetting(key, value, options = {}) {
      tx(() => {
        if (setting(key) === value) return;
        db.prepare(
          `INSERT INTO settings (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        ).run(key, value);
        if (options.audit ?? true)
          audit({ actor: 'system', action: 'setting-changed', subject: key });
      });
    },

    // ── passthroughs ────────────────────────────────────────────────────────────────────
    audit,
    verifyAudit: () => verifyAudit(db),
    enqueue,
    pendingOutbox: (at, limit) => pendingOutbox(db, at, limit),
    markOutboxSent: (seqs) => markOutboxSent(db, seqs, now()),
    markOutboxFailed: (seq, error) => markOutboxFailed(db, seq, error, now()),
    outboxLength: () => outboxLength(db),

    // ── drop-offs announced before their door opens ─────────────────────────────────────
    chooseDropOffCompartment({ size }) {
      const wanted = sizeRank(size);
      const candidates = (
        db
          .prepare(
            `SELECT * FROM compartments AS c
             WHERE c.defective = 0 AND c.purpose = 'drop-off' AND c.door <> 'open'
               AND NOT EXISTS (SELECT 1 FROM items AS i
                               WHERE i.compartment = c.label AND i.status IN (${OCCUPYING_SQL})
                                 AND i.status <> 'dropped_off')
               AND NOT EXISTS (SELECT 1 FROM door_intents AS d
                               WHERE d.compartment = c.label AND d.state IN (${OPEN_INTENTS_SQL}))`,
          )
          .all() as CompartmentRow[]
      )
        .map(toCompartment)
        .filter((c) => sizeRank(c.size) >= wanted);
      candidates.sort(
        (a, b) =>
          sizeRank(a.size) - sizeRank(b.size) ||
          a.uses - b.uses ||
          (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
      );
      return candidates[0];
    },

    completeDropOff(itemId, label, sessionId) {
      return tx(() => {
        const row = itemRow(itemId);
        if (!row) return err('unknown-item');
        if (row.kind !== 'drop-off') return err('wrong-kind');
        if (!terminalMayMove(row.status, 'dropped_off')) return err('wrong-status');
        if (!compartmentRow(label)) return err('unknown-compartment');
        const at = now();
        db.prepare(
          `UPDATE items SET status = 'dropped_off', compartment = ?, loaded_at = ?, updated_at = ?
           WHERE id = ?`,
        ).run(label, at, at, itemId);
        db.prepare('UPDATE compartments SET uses = uses + 1 WHERE label = ?').run(label);
        enqueue('item-dropped-off', {
          itemId,
          kind: row.kind,
          reference: row.reference,
          compartment: label,
          droppedOffAt: at,
        });
        audit({
          at,
          actor: 'citizen',
          action: 'item-dropped-off',
          subject: itemId,
          details: { compartment: label, kind: row.kind, sessionId },
        });
        logger.log('info', 'store.item-dropped-off', { item: itemId, compartment: label });
        return ok(mustItem(itemId));
      });
    },

    withdrawLoaded: (itemId, actor, reason) =>
      setAside(
        itemId,
        { from: 'loaded', to: 'expired', action: 'item-withdrawn', report: true },
        actor,
        reason,
      ),

    cancelAnnounced: (itemId, actor, reason) =>
      setAside(
        itemId,
        { from: 'announced', to: 'cancelled', action: 'item-cancelled' },
        actor,
        reason,
      ),
  };
  return store;
}
