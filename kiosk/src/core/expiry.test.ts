/**
 * Expiry through the kiosk core: the core's tick moves items past their holding period to
 * `expired`, with one `item-expiring` reminder two days before and one `item-expired`
 * event; an expired item's code no longer works at the terminal.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY_MS } from '../store/store.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';

const HOLDING_DAYS = 5;
const CODE = '602417';
const OTHER_CODE = '918273';
const BIRTH_DATE = '1979-11-23';

let kiosk: KioskFixture;
before(async () => {
  kiosk = await startKiosk({ oneClock: true });
  await kiosk.waitForScreen('attract');
});
after(async () => {
  await kiosk.close();
});

const outboxOf = (type: string) =>
  kiosk.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000).filter((event) => event.type === type);

/** The core's tick at simulated time `at` (the tick loop ticks on the same clock). */
async function tickAt(at: number) {
  kiosk.clock.set(at);
  await kiosk.settle();
}

async function enterCode(code: string) {
  kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
  kiosk.type(code);
  kiosk.press({ type: 'SUBMIT' });
  await kiosk.settle(); // the code check has run
}

test(`an item held ${HOLDING_DAYS} days: one reminder 2 days before, one expiry after, then its code is wrong`, async () => {
  const item = kiosk.store.announceItem({
    kind: 'document',
    reference: 'DOC-EXPIRY-1',
    code: CODE,
    secondFactor: BIRTH_DATE,
    holdingDays: HOLDING_DAYS,
  });
  assert.ok(kiosk.store.markLoaded(item.id, 'A2', 'staff-7').ok);
  kiosk.sim.setItem(0, 2, true);
  // Another item with the default holding period (14 days) must stay untouched throughout.
  const other = kiosk.store.announceItem({
    kind: 'document',
    reference: 'DOC-EXPIRY-2',
    code: OTHER_CODE,
    secondFactor: BIRTH_DATE,
  });
  assert.ok(kiosk.store.markLoaded(other.id, 'A3', 'staff-7').ok);

  const loaded = kiosk.store.item(item.id)!;
  const expiresAt = loaded.expiresAt!;
  assert.equal(expiresAt, loaded.loadedAt! + HOLDING_DAYS * DAY_MS);
  const reminderAt = expiresAt - 2 * DAY_MS;

  // A minute before the reminder is due: nothing.
  await tickAt(reminderAt - 60_000);
  assert.deepEqual(outboxOf('item-expiring'), []);

  // Two days before expiry: exactly one reminder, however often the core ticks.
  await tickAt(reminderAt);
  await tickAt(reminderAt + 1000);
  await tickAt(reminderAt + 60 * 60_000);
  const reminders = outboxOf('item-expiring');
  assert.equal(reminders.length, 1);
  assert.equal(reminders[0]!.payload.itemId, item.id);
  assert.equal(reminders[0]!.payload.expiresAt, expiresAt);
  assert.equal(kiosk.store.item(item.id)?.status, 'loaded');
  assert.deepEqual(outboxOf('item-expired'), []);

  // Still within the holding period the code works: the terminal asks for the date of birth.
  await enterCode(CODE);
  assert.equal(kiosk.core.view().screen, 'pickup.date-of-birth');
  kiosk.press({ type: 'CANCEL' });
  await kiosk.waitForScreen('survey');
  kiosk.press({ type: 'FINISH' });
  await kiosk.waitForScreen('attract');

  // Past expiry: exactly one expiry event, and the reminder is not repeated.
  await tickAt(expiresAt - 1);
  assert.deepEqual(outboxOf('item-expired'), [], 'not a millisecond early');
  await tickAt(expiresAt);
  await tickAt(expiresAt + 1000);
  await tickAt(expiresAt + DAY_MS);
  const expired = outboxOf('item-expired');
  assert.equal(expired.length, 1);
  assert.equal(expired[0]!.payload.itemId, item.id);
  assert.equal(expired[0]!.payload.compartment, 'A2');
  assert.equal(kiosk.store.item(item.id)?.status, 'expired');
  assert.equal(outboxOf('item-expiring').length, 1);
  assert.equal(kiosk.store.item(other.id)?.status, 'loaded', 'the other item is not due');

  // The expired item's code is now a wrong code (CODE_WRONG), and no door opens.
  await enterCode(CODE);
  const view = kiosk.core.view();
  assert.equal(view.screen, 'pickup.code');
  assert.equal(view.props.error, 'wrong-code');
  assert.equal(view.props.entered, 0);
  assert.deepEqual(
    kiosk.sim.received.filter(({ command }) => command.kind === 'unlock'),
    [],
  );
  assert.equal(kiosk.store.item(item.id)?.status, 'expired');
  // The other item's code still works.
  kiosk.type(OTHER_CODE);
  kiosk.press({ type: 'SUBMIT' });
  await kiosk.waitForScreen('pickup.date-of-birth');
  assert.ok(kiosk.store.verifyAudit().ok);
});
