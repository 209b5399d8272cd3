/** Helpers for the staff flow's tests: enrolled people, log-in, doors closed on an item. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { View } from '../core/views.ts';
import { STORE_FILE } from '../store/db.ts';
import type { StaffRole } from '../store/types.ts';
import type { KioskFixture } from '../testing/kiosk-fixture.ts';
import { TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';

export { until } from '../testing/wait.ts';

export interface Person {
  id: string;
  role: StaffRole;
  card: string;
  pin: string;
}

export const PEOPLE = {
  staff: { id: 'staff-anna', role: 'staff', card: '04A1B2C3', pin: '2468' },
  colleague: { id: 'staff-ben', role: 'staff', card: '04B2C3D4', pin: '1357' },
  supervisor: { id: 'super-carla', role: 'supervisor', card: '04C3D4E5', pin: '8642' },
  technician: { id: 'tech-dana', role: 'technician', card: '04D4E5F6', pin: '9753' },
  courier: { id: 'courier-emil', role: 'courier', card: '04E5F6A7', pin: '1111' },
} as const satisfies Record<string, Person>;
export const UNKNOWN_CARD = '04FFFFFF';

export function enrol(kiosk: KioskFixture, people: readonly Person[] = Object.values(PEOPLE)) {
  for (const person of people) {
    const added = kiosk.store.addStaff({
      id: person.id,
      role: person.role,
      card: person.card,
      pin: person.pin,
    });
    assert.ok(added.ok);
  }
}

export const lockOf = (label: string) => {
  const compartment = TEST_COMPARTMENTS.find((c) => c.label === label);
  assert.ok(compartment, `no compartment ${label}`);
  return compartment.lock;
};

/** Waits for a screen whose props satisfy `check`. */
export async function waitForView(
  kiosk: KioskFixture,
  screen: string,
  check: (view: View) => boolean = () => true,
): Promise<View> {
  return kiosk.until(`${screen} (now ${kiosk.core.view().screen})`, () => {
    const view = kiosk.core.view();
    return view.screen === screen && check(view) && view;
  });
}

export function tap(kiosk: KioskFixture, card: string) {
  const result = kiosk.core.deviceInput({ type: 'CARD', uid: card });
  assert.ok(result.ok);
}

export function scan(kiosk: KioskFixture, text: string) {
  const result = kiosk.core.deviceInput({ type: 'SCAN', text, symbology: 'C' });
  assert.ok(result.ok);
}

/** Card, PIN, staff menu. */
export async function logIn(kiosk: KioskFixture, person: Person = PEOPLE.staff) {
  await kiosk.waitForScreen('attract');
  tap(kiosk, person.card);
  await kiosk.waitForScreen('staff.pin');
  kiosk.type(person.pin);
  kiosk.press({ type: 'SUBMIT' });
  return kiosk.waitForScreen('staff.menu');
}

/** From the staff menu to loading's scan screen. */
export async function startLoading(kiosk: KioskFixture): Promise<View> {
  kiosk.press({ type: 'START_LOADING' });
  return kiosk.waitForScreen('staff.load.scan');
}

/** From the staff menu into maintenance, once its compartments are listed. */
export function openMaintenance(kiosk: KioskFixture): Promise<View> {
  kiosk.press({ type: 'START_MAINTENANCE' });
  return waitForView(
    kiosk,
    'staff.maintenance',
    (v) => (v.props.compartments as unknown[]).length === 4,
  );
}

/** The person puts the item in (the sensor sees it) and shuts the door. */
export async function placeAndClose(kiosk: KioskFixture, label: string) {
  kiosk.sim.setItem(0, lockOf(label), true);
  await kiosk.until('the item sensor', () => kiosk.locker.door(label)?.itemPresent === true);
  kiosk.sim.closeDoor(0, lockOf(label));
}

/** The person takes the item out (the sensor sees it gone) and shuts the door. */
export async function emptyAndClose(kiosk: KioskFixture, label: string) {
  kiosk.sim.setItem(0, lockOf(label), false);
  await kiosk.until('the item sensor', () => kiosk.locker.door(label)?.itemPresent === false);
  kiosk.sim.closeDoor(0, lockOf(label));
}

export const outbox = (kiosk: KioskFixture) =>
  kiosk.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000);
export const outboxOf = (kiosk: KioskFixture, type: string) =>
  outbox(kiosk).filter((event) => event.type === type);
export const unlocks = (kiosk: KioskFixture) =>
  kiosk.sim.received.filter((received) => received.command.kind === 'unlock').length;

/** The audit trail as rows (the store has no reader for it: tests read the table). */
export function auditRows(kiosk: KioskFixture) {
  const db = new Database(join(kiosk.dir, STORE_FILE), { readonly: true });
  try {
    return (
      db.prepare('SELECT actor, action, subject, details FROM audit ORDER BY seq').all() as {
        actor: string;
        action: string;
        subject: string | null;
        details: string;
      }[]
    ).map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

export const audited = (kiosk: KioskFixture, action: string) =>
  auditRows(kiosk).filter((row) => row.action === action);
