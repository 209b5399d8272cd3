/**
 * The fleet server's storage: ONE interface, two adapters (SQLite, PostgreSQL), one shared
 * test suite (server.test.ts). Everything async, because PostgreSQL is.
 */
import type { Result } from '@amtomat/basics';
import type {
  FeedChange,
  FeedEntry,
  FeedRefusalCode,
  FleetItemStatus,
  ItemAnnounced,
  JsonObject,
  JsonValue,
  PushResult,
  ReportedStatus,
  StoredOutcome,
  SyncEvent,
  TerminalStatus,
} from '../../protocol/index.ts';
import type { SqlDriver, SqlQueryable, StorageKind } from './driver.ts';
import type { SecretBox } from './secrets.ts';

export interface DeviceRecord {
  id: string;
  publicKey: string;
  label: string | null;
  enrolledAt: number;
  lastSeenAt: number | null;
  /** Highest event seq recorded. */
  lastSeq: number;
  /** Latest feed cursor, and the one the device acknowledged. */
  feedHead: number;
  feedAcked: number;
  /** The terminal's code key (base64url), from its enrolment. */
  codeKey: string | null;
  /** The latest status it reported, and when the server received it. */
  status: TerminalStatus | null;
  statusAt: number | null;
}

export interface StoredEvent {
  deviceId: string;
  seq: number;
  idempotencyKey: string;
  type: string;
  payload: JsonObject;
  createdAt: number | null;
  receivedAt: number;
  outcome: StoredOutcome;
}

export interface ItemRecord {
  id: string;
  deviceId: string;
  reference: string;
  kind: string | null;
  status: string;
  compartment: string | null;
  expiresAt: number | null;
  updatedAt: number;
  /** The seq of the event that set this state; an older event arriving late changes nothing. */
  lastSeq: number;
  announcedAt: number | null;
  loadedAt: number | null;
  holdingDays: number | null;
}

export const NOTICE_KINDS = ['ready', 'reminder', 'expiring', 'expired'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface ItemContact {
  email: string | null;
  mobile: string | null;
  /** Language of the notices, e.g. `de`, `en`. */
  language: string;
}

export interface HistoryEntry {
  itemId: string;
  at: number;
  /** What happened, e.g. `announced`, `loaded`, `notice-sent`, `command`. */
  event: string;
  /** `terminal`, `system` or a console user's name. */
  actor: string;
  detail: JsonObject | null;
}

export interface Announcement {
  deviceId: string;
  /** The feed change, hashes made with the device's code key. */
  change: ItemAnnounced;
  contact: ItemContact;
  /** The plain code, kept until the ready notice has been delivered. */
  code: string;
  actor: string;
  now: number;
}

export interface ItemFilter {
  deviceId?: string;
  status?: string;
  /** Part of the reference. */
  reference?: string;
  limit?: number;
}

export interface CompartmentRecord {
  deviceId: string;
  label: string;
  defective: boolean;
  reason: string | null;
  updatedAt: number;
  lastSeq: number;
}

export interface ItemChange {
  itemId: string;
  reference: string;
  kind?: string | null;
  /** What the terminal reported; the stored status follows `fleetStatusAfter` (protocol). */
  reported: ReportedStatus;
  compartment?: string | null;
  expiresAt?: number | null;
}

export type ItemStatusOutcome =
  | { outcome: 'applied'; status: FleetItemStatus }
  | { outcome: 'superseded' | 'unchanged' };

/** A feed change the terminal refused, for the console. */
export interface RefusedChange {
  cursor: number;
  change: FeedChange;
  createdAt: number;
  code: FeedRefusalCode;
  refusedAt: number;
}

/** What an event's apply may change, inside the transaction that records the event. */
export interface ApplyContext {
  readonly deviceId: string;
  readonly seq: number;
  readonly receivedAt: number;
  /** When the terminal recorded the event (its clock), if it said. */
  readonly createdAt: number | null;
  /** The transaction recording the event, for rooms with tables of their own (evaluation). */
  readonly tx: SqlQueryable;
  /**
   * `superseded` when a later event of this device already set the item's state;
   * `unchanged` when the report changes nothing (an expiry of a withdrawn item).
   */
  setItemStatus(change: ItemChange): Promise<ItemStatusOutcome>;
  /** The terminal refused the feed change at `cursor`; false for an unknown cursor. */
  refuseFeedChange(cursor: number, code: FeedRefusalCode): Promise<boolean>;
  /**
   * The language of the item's further notices, as the citizen chose it at the terminal;
   * false when the item has no contact data (any more) or belongs to another terminal.
   */
  setNoticeLanguage(itemId: string, language: string): Promise<boolean>;
  /** Queues a notice to each contact channel of the item (none if it has no contact). */
  queueNotice(itemId: string, kind: NoticeKind): Promise<void>;
  /** The item is finished: its contact data and code are deleted, pending notices cancelled. */
  forgetContact(itemId: string): Promise<void>;
  setCompartmentState(change: {
    label: string;
    defective: boolean;
    reason: string | null;
  }): Promise<'applied' | 'superseded'>;
}

/** Applies one event; its result is stored and answered again to each duplicate. Throws → parked. */
export type EventApplier = (event: SyncEvent, context: ApplyContext) => Promise<JsonValue>;

export interface FeedPage {
  entries: FeedEntry[];
  head: number;
  acked: number;
}

export interface FleetStorage {
  readonly kind: StorageKind;
  /**
   * The database itself, for the rooms that keep their SQL in their own files (console,
   * notifications); everything in the common dialect (driver.ts).
   */
  readonly sql: SqlDriver;
  /** Seals and opens the secrets the database keeps (TOTP), with the key outside it. */
  readonly secrets: SecretBox;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  addEnrolmentToken(token: {
    tokenHash: string;
    label: string | null;
    createdAt: number;
    expiresAt: number;
  }): Promise<void>;
  /** Uses the token (unknown, used and expired alike are `invalid-token`) and adds the device. */
  enrolDevice(input: {
    tokenHash: string;
    deviceId: string;
    publicKey: string;
    codeKey: string;
    label: string | null;
    now: number;
  }): Promise<Result<DeviceRecord, 'invalid-token'>>;
  device(id: string): Promise<DeviceRecord | undefined>;
  /** All devices, by label. */
  devices(): Promise<DeviceRecord[]>;
  setDeviceStatus(deviceId: string, status: TerminalStatus, now: number): Promise<void>;

  /** Records a nonce; false if this device used it before. Forgets nonces seen before `forgetBefore`. */
  rememberNonce(
    deviceId: string,
    nonce: string,
    now: number,
    forgetBefore: number,
  ): Promise<boolean>;

  /**
   * Records and applies a batch in seq order, in one transaction; each event is applied in a
   * savepoint, so a poison event is parked without undoing the others.
   */
  recordEvents(
    deviceId: string,
    events: readonly SyncEvent[],
    apply: EventApplier,
    now: number,
  ): Promise<PushResult[]>;
  /** A device's events by seq. */
  events(deviceId: string): Promise<StoredEvent[]>;
  parkedEvents(): Promise<StoredEvent[]>;
  /** Parked events per device id (a count: /healthz and the console overview ask often). */
  parkedCounts(): Promise<Map<string, number>>;

  /** Appends a change to a device's feed; returns its cursor. */
  appendFeed(deviceId: string, change: FeedChange, now: number): Promise<number>;
  feed(deviceId: string, after: number | undefined, limit: number): Promise<FeedPage>;
  /** Feed changes the terminal refused, newest first; of one item with `itemId`. */
  refusedChanges(deviceId: string, filter?: { itemId?: string }): Promise<RefusedChange[]>;
  /** Acknowledges up to `cursor` (never backwards); `cursor-ahead` past the device's head. */
  ackFeed(deviceId: string, cursor: number): Promise<Result<number, 'cursor-ahead'>>;

  /**
   * Announces an item to a terminal in one transaction: the item, its contact, its code, its
   * history line and the feed change. `reference-active`: an item with this reference is
   * still under way at that terminal.
   */
  announceItem(
    announcement: Announcement,
  ): Promise<Result<{ cursor: number }, 'unknown-device' | 'reference-active'>>;
  item(id: string): Promise<ItemRecord | undefined>;
  /** Newest first. */
  items(filter: ItemFilter): Promise<ItemRecord[]>;
  itemHistory(itemId: string): Promise<HistoryEntry[]>;
  addItemHistory(entry: HistoryEntry): Promise<void>;
  itemContact(itemId: string): Promise<ItemContact | undefined>;
  pendingCode(itemId: string): Promise<string | undefined>;
  compartment(deviceId: string, label: string): Promise<CompartmentRecord | undefined>;
}
