/**
 * The store's API as the flows see it. Every method that changes business state writes
 * the change, its audit entry and its outbox event in ONE transaction (use `transaction`
 * to group several calls). Secrets go in as plain values and are stored only as keyed hashes.
 */
import type { TerminalItemStatus } from '@amtomat/admin-sync/protocol';

export type CompartmentSize = 'S' | 'M' | 'L' | 'XL';
export const COMPARTMENT_SIZES: readonly CompartmentSize[] = ['S', 'M', 'L', 'XL'];

export type ItemKind = 'document' | 'id-document' | 'parcel' | 'object' | 'drop-off';
/** The item's states and moves are the protocol's (admin-sync/protocol `items.ts`). */
export type ItemStatus = TerminalItemStatus;
export type StaffRole = 'staff' | 'supervisor' | 'technician' | 'courier';
export type DoorPurpose =
  | 'pickup'
  | 'load'
  | 'deposit'
  | 'drop-off'
  | 'retrieve'
  | 'maintenance'
  | 'door-test';
export type IntentState = 'intended' | 'sent' | 'opened' | 'closed' | 'failed';

export interface Compartment {
  label: string;
  size: CompartmentSize;
  heightCm: number;
  accessible: boolean;
  purpose: 'pickup' | 'drop-off';
  bus: string;
  board: number;
  lock: number;
  defective: boolean;
  defectReason: string | null;
  door: 'closed' | 'open' | 'unknown';
  uses: number;
}

export interface Item {
  id: string;
  kind: ItemKind;
  reference: string;
  status: ItemStatus;
  compartment: string | null;
  recipientRef: string | null;
  needsPinLetterConfirmation: boolean;
  needsAccessible: boolean;
  hasSecondFactor: boolean;
  size: CompartmentSize | null;
  holdingDays: number;
  loadedAt: number | null;
  loadedBy: string | null;
  expiresAt: number | null;
  pickedUpAt: number | null;
  retrievedAt: number | null;
}

export interface StaffMember {
  id: string;
  role: StaffRole;
  active: boolean;
  /** PIN entry is refused until this time (ms) after too many wrong PINs. */
  lockedUntil: number | null;
}

export interface DoorIntent {
  id: string;
  compartment: string;
  purpose: DoorPurpose;
  itemId: string | null;
  sessionId: string | null;
  staffId: string | null;
  state: IntentState;
  failure: string | null;
  createdAt: number;
  sentAt: number | null;
  openedAt: number | null;
  closedAt: number | null;
  failedAt: number | null;
}

export interface OutboxEvent {
  seq: number;
  idempotencyKey: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
  attempts: number;
  lastError: string | null;
}

export interface UsageEvent {
  id: number;
  sessionId: string;
  at: number;
  type: string;
  service: string | null;
  data: Record<string, unknown>;
}

export interface FlowSnapshot {
  machine: string;
  version: number;
  /** The snapshot as the flow saved it (JSON text). */
  snapshot: string;
}

/** What may go into audit details and event payloads: plain JSON. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Who did something, for the audit: a staff id, `citizen`, `courier:<id>` or `system`. */
export type Actor = string;
