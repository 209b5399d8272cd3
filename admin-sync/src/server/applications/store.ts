/**
 * The applications the fleet relays (issue #12), in the table of migration 9. Every write
 * that the terminal must hear of appends its `application-status` feed change in the same
 * transaction, so a state and its report commit together or not at all.
 */
import type {
  ApplicationState,
  ApplicationStatus,
  ApplicationSubmitted,
} from '../../protocol/index.ts';
import type { SqlDriver, SqlQueryable, SqlValue } from '../storage/driver.ts';
import { appendFeedIn } from '../storage/feed-sql.ts';

/**
 * Where a submission stands on the server. `queued`: received, not yet relayed; `created`:
 * FIT-Connect has announced it (remote ids kept), uploads and submit still to do;
 * `submitted`: FIT-Connect has it, the relay reads its event log; `inbox`: waiting in the
 * console inbox; `accepted` / `rejected`: the authority's answer; `parked`: refused or
 * undeliverable, kept and shown in the console.
 */
export const STORED_STATES = [
  'queued',
  'created',
  'submitted',
  'inbox',
  'accepted',
  'rejected',
  'parked',
] as const;
export type StoredState = (typeof STORED_STATES)[number];

/** The ciphertext the server keeps and hands on: nothing in it is readable here. */
export type Envelope = Pick<
  ApplicationSubmitted,
  | 'submissionId'
  | 'caseNumber'
  | 'serviceId'
  | 'leikaKey'
  | 'formVersion'
  | 'destinationId'
  | 'metadata'
  | 'data'
  | 'attachments'
  | 'submittedAt'
>;

export interface ApplicationRecord {
  submissionId: string;
  deviceId: string;
  caseNumber: string;
  serviceId: string;
  leikaKey: string;
  formVersion: string;
  destinationId: string;
  pickupAtTerminal: boolean;
  submittedAt: number;
  receivedAt: number;
  state: StoredState;
  reason: string | null;
  remoteSubmissionId: string | null;
  remoteCaseId: string | null;
  attempts: number;
  nextAttemptAt: number;
  updatedAt: number;
  pickupItemId: string | null;
}

interface Row {
  submission_id: string;
  device_id: string;
  case_number: string;
  service_id: string;
  leika_key: string;
  form_version: string;
  destination_id: string;
  pickup_at_terminal: number;
  submitted_at: number;
  received_at: number;
  state: StoredState;
  reason: string | null;
  remote_submission_id: string | null;
  remote_case_id: string | null;
  attempts: number;
  next_attempt_at: number;
  updated_at: number;
  pickup_item_id: string | null;
}

const COLUMNS = `submission_id, device_id, case_number, service_id, leika_key, form_version,
  destination_id, pickup_at_terminal, submitted_at, received_at, state, reason,
  remote_submission_id, remote_case_id, attempts, next_attempt_at, updated_at, pickup_item_id`;

const record = (row: Row): ApplicationRecord => ({
  submissionId: row.submission_id,
  deviceId: row.device_id,
  caseNumber: row.case_number,
  serviceId: row.service_id,
  leikaKey: row.leika_key,
  formVersion: row.form_version,
  destinationId: row.destination_id,
  pickupAtTerminal: Number(row.pickup_at_terminal) === 1,
  submittedAt: Number(row.submitted_at),
  receivedAt: Number(row.received_at),
  state: row.state,
  reason: row.reason,
  remoteSubmissionId: row.remote_submission_id,
  remoteCaseId: row.remote_case_id,
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
  updatedAt: Number(row.updated_at),
  pickupItemId: row.pickup_item_id,
});

/**
 * Stores a submission once: a second event with the same submission id (the terminal
 * re-sent it under a new key) changes nothing. True when this call stored it.
 */
export async function insertApplication(
  tx: SqlQueryable,
  input: { deviceId: string; seq: number; receivedAt: number; submission: ApplicationSubmitted },
): Promise<boolean> {
  const s = input.submission;
  const envelope: Envelope = {
    submissionId: s.submissionId,
    caseNumber: s.caseNumber,
    serviceId: s.serviceId,
    leikaKey: s.leikaKey,
    formVersion: s.formVersion,
    destinationId: s.destinationId,
    metadata: s.metadata,
    data: s.data,
    attachments: s.attachments,
    submittedAt: s.submittedAt,
  };
  const changed = await tx.run(
    `INSERT INTO applications (submission_id, device_id, seq, case_number, service_id, leika_key,
       form_version, destination_id, envelope, pickup_at_terminal, submitted_at, received_at,
       state, reason, attempts, next_attempt_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', NULL, 0, ?, ?)
     ON CONFLICT (submission_id) DO NOTHING`,
    [
      s.submissionId,
      input.deviceId,
      input.seq,
      s.caseNumber,
      s.serviceId,
      s.leikaKey,
      s.formVersion,
      s.destinationId,
      JSON.stringify(envelope),
      s.pickupAtTerminal ? 1 : 0,
      s.submittedAt,
      input.receivedAt,
      input.receivedAt,
      input.receivedAt,
    ],
  );
  return changed === 1;
}

export async function application(
  q: SqlQueryable,
  submissionId: string,
): Promise<ApplicationRecord | undefined> {
  const rows = await q.all<Row>(`SELECT ${COLUMNS} FROM applications WHERE submission_id = ?`, [
    submissionId,
  ]);
  return rows[0] && record(rows[0]);
}

export async function envelopeOf(
  q: SqlQueryable,
  submissionId: string,
): Promise<Envelope | undefined> {
  const rows = await q.all<{ envelope: string }>(
    'SELECT envelope FROM applications WHERE submission_id = ?',
    [submissionId],
  );
  return rows[0] && (JSON.parse(rows[0].envelope) as Envelope);
}

/** Newest first; of some states only when `states` is given. */
export async function applications(
  q: SqlQueryable,
  filter: { states?: readonly StoredState[]; limit?: number } = {},
): Promise<ApplicationRecord[]> {
  const states = filter.states ?? [];
  const where = states.length > 0 ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
  const rows = await q.all<Row>(
    `SELECT ${COLUMNS} FROM applications ${where} ORDER BY received_at DESC, submission_id LIMIT ?`,
    [...states, filter.limit ?? 200],
  );
  return rows.map(record);
}

/** What the relay still has to do something about, oldest first. */
export async function dueApplications(
  q: SqlQueryable,
  now: number,
  limit: number,
): Promise<ApplicationRecord[]> {
  const rows = await q.all<Row>(
    `SELECT ${COLUMNS} FROM applications
     WHERE state IN ('queued', 'created', 'submitted') AND next_attempt_at <= ?
     ORDER BY next_attempt_at, received_at LIMIT ?`,
    [now, limit],
  );
  return rows.map(record);
}

/** The state the terminal is told of, if this stored state is one it hears about. */
const REPORTED: Readonly<Partial<Record<StoredState, ApplicationState>>> = {
  submitted: 'relayed',
  inbox: 'relayed',
  accepted: 'accepted',
  rejected: 'rejected',
  parked: 'parked',
};

export interface StateChange {
  state: StoredState;
  reason?: string | null;
  remoteSubmissionId?: string | null;
  remoteCaseId?: string | null;
  attempts?: number;
  nextAttemptAt?: number;
}

/**
 * Moves a submission on, only from the state the caller read (`from`): a second relay
 * acting on the same row changes nothing. A state the terminal hears of appends its feed
 * change in the same transaction. False when the row had moved on meanwhile.
 */
export async function moveApplication(
  driver: SqlDriver,
  app: ApplicationRecord,
  change: StateChange,
  now: number,
): Promise<boolean> {
  return driver.transaction(async (tx) => {
    const sets: string[] = ['state = ?', 'updated_at = ?'];
    const params: SqlValue[] = [change.state, now];
    const optional: [string, SqlValue | undefined][] = [
      ['reason', change.reason],
      ['remote_submission_id', change.remoteSubmissionId],
      ['remote_case_id', change.remoteCaseId],
      ['attempts', change.attempts],
      ['next_attempt_at', change.nextAttemptAt],
    ];
    for (const [column, value] of optional) {
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value);
    }
    const changed = await tx.run(
      `UPDATE applications SET ${sets.join(', ')}
       WHERE submission_id = ? AND state = ? AND updated_at = ?`,
      [...params, app.submissionId, app.state, app.updatedAt],
    );
    if (changed !== 1) return false;
    const reported = REPORTED[change.state];
    if (reported && change.state !== app.state) {
      const status: ApplicationStatus = {
        kind: 'application-status',
        submissionId: app.submissionId,
        caseNumber: app.caseNumber,
        state: reported,
        reason: change.reason ?? null,
      };
      await appendFeedIn(tx, app.deviceId, status, now);
    }
    return true;
  });
}

/** The announced pickup item of a submission (Meldebescheinigung to the locker). */
export async function setPickupItem(
  tx: SqlQueryable,
  submissionId: string,
  itemId: string,
  now: number,
): Promise<boolean> {
  const changed = await tx.run(
    `UPDATE applications SET pickup_item_id = ?, updated_at = ?
     WHERE submission_id = ? AND pickup_item_id IS NULL`,
    [itemId, now, submissionId],
  );
  return changed === 1;
}
