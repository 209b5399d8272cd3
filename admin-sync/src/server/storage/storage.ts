/**
 * The fleet server's storage: ONE interface, two adapters (SQLite, PostgreSQL), one shared
 * test suite (server.test.ts). Everything async, because PostgreSQL is.
 */
import type {
  FeedChange,
  FeedEntry,
  JsonObject,
  JsonValue,
  PushResult,
  Result,
  StoredOutcome,
  SyncEvent,
} from '../../protocol/index.ts';
import type { StorageKind } from './driver.ts';

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
  status: string;
  compartment?: string | null;
  expiresAt?: number | null;
}

/** What an event's apply may change, inside the transaction that records the event. */
export interface ApplyContext {
  readonly deviceId: string;
  readonly seq: number;
  readonly receivedAt: number;
  /** `superseded` when a later event of this device already set the item's state. */
  setItemStatus(change: ItemChange): Promise<'applied' | 'superseded'>;
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
    label: string | null;
    now: number;
  }): Promise<Result<DeviceRecord, 'invalid-token'>>;
  device(id: string): Promise<DeviceRecord | undefined>;

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

  /** Appends a change to a device's feed; returns its cursor. */
  appendFeed(deviceId: string, change: FeedChange, now: number): Promise<number>;
  feed(deviceId: string, after: number | undefined, limit: number): Promise<FeedPage>;
  /** Acknowledges up to `cursor` (never backwards); `cursor-ahead` past the device's head. */
  ackFeed(deviceId: string, cursor: number): Promise<Result<number, 'cursor-ahead'>>;

  item(id: string): Promise<ItemRecord | undefined>;
  compartment(deviceId: string, label: string): Promise<CompartmentRecord | undefined>;
}
