/**
 * Test support for the courier deposit flow: the courier and staff of the test terminal,
 * the world the tests arrange (occupied compartments, announced parcels) and common checks.
 * Used by the flow's tests only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { View } from '../core/views.ts';
import { STORE_FILE } from '../store/db.ts';
import type { CompartmentSize, Item } from '../store/types.ts';
import { type KioskFixture, TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';
import { NEAREST_STATION_SETTING } from './courier-deposit.flow.ts';
import { type FreeCounts, NO_FREE, SIZES } from './courier-deposit.machine.ts';

export const COURIER = { id: 'courier-7', card: '04C0FFEE11', code: '731594' };
/** A Bürgerbüro employee's card: a real card, but not a courier's. */
export const STAFF = { id: 'staff-3', card: '04ABCDEF12', pin: '2468' };
export const WRONG_CODE = '000000';
export const NEAREST_STATION = 'Polch, Bahnhof';

/** The courier and a staff member enrolled; optionally the nearest station configured. */
export function prepareStation(kiosk: KioskFixture, options: { nearest?: string | null } = {}) {
  const courier = kiosk.store.addStaff({
    id: COURIER.id,
    role: 'courier',
    card: COURIER.card,
    code: COURIER.code,
  });
  assert.ok(courier.ok);
  const staff = kiosk.store.addStaff({
    id: STAFF.id,
    role: 'staff',
    card: STAFF.card,
    pin: STAFF.pin,
  });
  assert.ok(staff.ok);
  const nearest = options.nearest === undefined ? NEAREST_STATION : options.nearest;
  if (nearest !== null) kiosk.store.setSetting(NEAREST_STATION_SETTING, nearest);
}

export const lockOf = (label: string) => {
  const compartment = TEST_COMPARTMENTS.find((candidate) => candidate.label === label);
  if (!compartment) throw new Error(`no compartment ${label}`);
  return compartment.lock;
};

/** Free compartments per size as the flow counts them (door shut, nothing in it). */
export function freeNow(kiosk: KioskFixture): FreeCounts {
  const counts = { ...NO_FREE };
  for (const compartment of kiosk.store.freeCompartments({ purpose: 'pickup' })) {
    if (compartment.door !== 'open') counts[compartment.size]++;
  }
  return counts;
}

let others = 0;

/** Something a staff member loaded earlier occupies a compartment of this size. */
export function occupy(kiosk: KioskFixture, size: CompartmentSize): Item {
  const compartment = kiosk.store
    .freeCompartments({ purpose: 'pickup', size })
    .find((candidate) => candidate.door !== 'open');
  if (!compartment) throw new Error(`no free ${size} compartment to occupy`);
  const item = kiosk.store.announceItem({ kind: 'document', reference: `OTHER-${++others}` });
  const loaded = kiosk.store.markLoaded(item.id, compartment.label, STAFF.id);
  assert.ok(loaded.ok);
  return loaded.value;
}

/**
 * Arranges the compartments so that exactly `target` are free per size: occupies free ones,
 * or lets recipients collect what lies in occupied ones (items loaded by staff first).
 */
export function arrangeFree(kiosk: KioskFixture, target: FreeCounts) {
  for (const size of SIZES) {
    while (freeNow(kiosk)[size] > target[size]) occupy(kiosk, size);
    while (freeNow(kiosk)[size] < target[size]) {
      const occupant = kiosk.store
        .itemsWithStatus('loaded')
        .filter((item) => kiosk.store.compartment(item.compartment!)?.size === size)
        .sort((a, b) => Number(a.kind === 'parcel') - Number(b.kind === 'parcel'))[0];
      if (!occupant) throw new Error(`cannot free a ${size} compartment`);
      const picked = kiosk.store.markPickedUp([occupant.id], 'recipient-session');
      assert.ok(picked.ok);
    }
  }
  assert.deepEqual(freeNow(kiosk), target);
}

/**
 * The courier puts the parcel in (or not): the item sensor changes and the locker sees it
 * while the door is still open, as with a person, who needs longer than one poll.
 */
export async function putParcel(kiosk: KioskFixture, compartment: string, present = true) {
  kiosk.sim.setItem(0, lockOf(compartment), present);
  const seen = () => kiosk.locker.door(compartment)?.itemPresent === present;
  await kiosk.until('the item sensor', seen, 2000).catch(() => undefined);
  assert.equal(kiosk.locker.door(compartment)?.itemPresent, present, 'the sensor has been read');
}

/** The courier logs in by card, scans `reference` and chooses `size`: a door opens for it. */
export async function openDoorFor(kiosk: KioskFixture, reference: string, size: CompartmentSize) {
  await loginWithCard(kiosk);
  await scanLabel(kiosk, reference);
  kiosk.press({ type: 'SELECT_SIZE', size });
  return kiosk.waitForScreen('courier.deposit-and-close');
}

/**
 * The courier chooses `size`; the door that opens takes the parcel and is shut again.
 * Returns the compartment.
 */
export async function depositInSize(kiosk: KioskFixture, size: CompartmentSize) {
  kiosk.press({ type: 'SELECT_SIZE', size });
  const open = await kiosk.waitForScreen('courier.deposit-and-close');
  const compartment = String(open.props.compartment);
  await putParcel(kiosk, compartment);
  kiosk.sim.closeDoor(0, lockOf(compartment));
  await kiosk.waitForScreen('courier.deposited');
  return compartment;
}

export function unlocksSent(kiosk: KioskFixture): number {
  return kiosk.sim.received.filter((received) => received.command.kind === 'unlock').length;
}

export function outbox(kiosk: KioskFixture) {
  return kiosk.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000);
}

export function alarms(kiosk: KioskFixture): string[] {
  return outbox(kiosk)
    .filter((event) => event.type === 'alarm')
    .map((event) => String(event.payload.kind));
}

export function itemReadyFor(kiosk: KioskFixture, itemId: string) {
  return outbox(kiosk).filter(
    (event) => event.type === 'item-ready' && event.payload.itemId === itemId,
  );
}

/** The usage record of the last visit that ended. */
export function lastVisit(kiosk: KioskFixture) {
  return kiosk.store
    .usageEvents()
    .filter((event) => event.type === 'session-ended')
    .at(-1);
}

/** The visit ends (no survey for couriers): home screen, and how it ended is recorded. */
export async function visitEnded(kiosk: KioskFixture) {
  await kiosk.waitForScreen('attract');
  const visit = await kiosk.until('the visit', () => lastVisit(kiosk), 2000).catch(() => undefined);
  assert.ok(visit, 'the visit is recorded');
  assert.equal(visit.service, 'courier-deposit');
  return { outcome: visit.data.outcome, reason: visit.data.reason };
}

export function depositUsage(kiosk: KioskFixture) {
  return kiosk.store.usageEvents().filter((event) => event.type === 'courier-deposit');
}

/** Waits until the view satisfies `check` (effects and door news arrive asynchronously). */
export async function waitForView(
  kiosk: KioskFixture,
  check: (view: View) => boolean,
  timeoutMs = 4000,
): Promise<View> {
  const matches = () => check(kiosk.core.view()) && kiosk.core.view();
  return (
    (await kiosk.until('the view', matches, timeoutMs).catch(() => undefined)) ?? kiosk.core.view()
  );
}

/** (Start screen → courier deposit →) card → the scan screen. */
export async function loginWithCard(kiosk: KioskFixture) {
  if (kiosk.core.view().screen !== 'courier.login') {
    await kiosk.waitForScreen('attract');
    kiosk.press({ type: 'CHOOSE', service: 'courier-deposit' });
    await kiosk.waitForScreen('courier.login');
  }
  const tapped = kiosk.core.deviceInput({ type: 'CARD', uid: COURIER.card });
  assert.ok(tapped.ok);
  return kiosk.waitForScreen('courier.scan');
}

/** Scans a label and waits for the size screen. */
export async function scanLabel(kiosk: KioskFixture, reference: string) {
  const scanned = kiosk.core.deviceInput({ type: 'SCAN', text: reference, symbology: 'C' });
  assert.ok(scanned.ok);
  return kiosk.waitForScreen('courier.size');
}

/** The parcel items with this label's reference (there should be one). */
export function parcelsWithReference(kiosk: KioskFixture, reference: string): Item[] {
  return ['announced', 'loaded', 'picked_up', 'expired', 'retrieved', 'cancelled']
    .flatMap((status) => kiosk.store.itemsWithStatus(status as Item['status']))
    .filter((item) => item.kind === 'parcel' && item.reference === reference);
}

export interface AuditRow {
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

/** The audit trail as written (read through a second, read-only connection). */
export function auditEntries(kiosk: KioskFixture): AuditRow[] {
  const db = new Database(join(kiosk.dir, STORE_FILE), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT actor, action, subject, details FROM audit ORDER BY seq')
      .all() as { actor: string; action: string; subject: string | null; details: string }[];
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details) }));
  } finally {
    db.close();
  }
}
