import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';

const CODE = '483921';
const BIRTH_DATE = '1990-02-01';

let kiosk: KioskFixture;

/** A document loaded by staff into compartment A2, waiting for its citizen. */
function loadDocument(kind: 'id-document' | 'document' = 'id-document', compartment = 'A2') {
  const item = kiosk.store.announceItem({
    kind,
    reference: `DOC-${compartment}`,
    code: CODE,
    secondFactor: BIRTH_DATE,
    needsPinLetterConfirmation: kind === 'id-document',
  });
  kiosk.store.markLoaded(item.id, compartment, 'staff-7');
  kiosk.sim.setItem(0, Number(compartment.slice(1)), true);
  return item;
}

function outboxTypes() {
  return kiosk.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 1000).map((event) => event.type);
}

function unlocksSent() {
  return kiosk.sim.received.filter((r) => r.command.kind === 'unlock').length;
}

describe('document pickup through the kiosk core (real SQLite, simulator over a pty)', () => {
  beforeEach(async () => {
    kiosk = await startKiosk();
  });
  afterEach(async () => {
    await kiosk.close();
  });

  test('a citizen picks up an ID card: code, date of birth, PIN letter, door, close', async () => {
    const item = loadDocument();
    assert.equal((await kiosk.waitForScreen('attract')).screen, 'attract');
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type(CODE);
    assert.deepEqual(kiosk.core.view().props.entered, CODE.length);
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.date-of-birth');
    kiosk.type('01021990');
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.pin-letter');
    assert.equal(unlocksSent(), 0, 'no door before the PIN letter is confirmed');
    kiosk.press({ type: 'CONFIRM_PIN_LETTER' });

    const open = await kiosk.waitForOpenDoor('pickup.door');
    assert.equal(open.props.compartment, 'A2');
    assert.equal(kiosk.sim.door(0, 2).open, true);
    assert.equal(kiosk.store.item(item.id)?.status, 'picked_up');
    assert.ok(outboxTypes().includes('item-picked-up'));

    kiosk.sim.setItem(0, 2, false);
    kiosk.sim.closeDoor(0, 2);
    const survey = await kiosk.waitForScreen('survey');
    assert.equal(survey.props.outcome, 'completed');
    assert.equal(unlocksSent(), 1, 'exactly one unlock');
    assert.equal(kiosk.store.openIntents().length, 0, 'the intent is closed');
    assert.equal(kiosk.store.compartment('A2')?.door, 'closed');
    assert.ok(kiosk.store.verifyAudit().ok);

    kiosk.press({ type: 'ANSWER', question: 'satisfaction', value: 4 });
    kiosk.press({ type: 'ANSWER', question: 'alternative', value: 'town-hall-visit' });
    kiosk.press({ type: 'FINISH' });
    await kiosk.waitForScreen('attract');
    const ended = kiosk.store.usageEvents().find((event) => event.type === 'session-ended');
    assert.ok(ended, 'the visit is recorded for the evaluation');
    assert.equal(ended.service, 'document-pickup');
    assert.equal(ended.data.outcome, 'completed');
    assert.equal(ended.data.satisfaction, 4);
  });

  test('no view and no stored row carries the entered code or date of birth', async () => {
    loadDocument('document');
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type(CODE);
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.date-of-birth');
    kiosk.type('0102199');
    const seen = JSON.stringify(kiosk.views);
    assert.ok(!seen.includes(CODE), 'views never contain the code');
    assert.ok(!seen.includes('0102199'), 'views never contain the typed date');
    const snapshot = kiosk.store.loadSnapshot('session');
    assert.ok(snapshot);
    assert.ok(!snapshot.snapshot.includes(CODE), 'the persisted session has no code');
    assert.ok(!snapshot.snapshot.includes('0102199'), 'nor the typed date');
  });

  test('a wrong code says so and changes nothing', async () => {
    const item = loadDocument('document');
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type('111111');
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.code');
    const deadline = Date.now() + 2000;
    while (kiosk.core.view().props.error !== 'wrong-code' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(kiosk.core.view().props.error, 'wrong-code');
    assert.equal(kiosk.core.view().props.entered, 0, 'the entry is cleared');
    assert.equal(kiosk.store.item(item.id)?.status, 'loaded');
    assert.equal(unlocksSent(), 0);
  });

  test('a jammed door: the citizen is told, the document stays, staff are alerted, no second unlock', async () => {
    const item = loadDocument('document');
    kiosk.sim.jam(0, 2);
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type(CODE);
    kiosk.press({ type: 'SUBMIT' });
    await kiosk.waitForScreen('pickup.date-of-birth');
    kiosk.type('01021990');
    kiosk.press({ type: 'SUBMIT' });
    const survey = await kiosk.waitForScreen('survey');
    assert.equal(survey.props.outcome, 'failed');
    assert.equal(survey.props.reason, 'door-jammed');
    assert.equal(
      kiosk.store.item(item.id)?.status,
      'loaded',
      'the document stays for a later pickup',
    );
    assert.ok(outboxTypes().includes('alarm'));
    assert.equal(unlocksSent(), 1, 'the jammed door is not unlocked again');
  });

  test('an event the screen does not offer is refused and logged', async () => {
    await kiosk.waitForScreen('attract');
    const refused = kiosk.core.send({ type: 'CONFIRM_PIN_LETTER' });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.kind, 'not-allowed');
    assert.ok(kiosk.logger.entries.some((entry) => entry.event === 'core.event_not_allowed'));
    const invalid = kiosk.core.send({ type: 'KEY', key: 'DROP TABLE' });
    assert.equal(!invalid.ok && invalid.error.kind, 'invalid');
    assert.equal(kiosk.core.view().screen, 'attract');
  });

  test('inactivity: warning, extension, then the session ends and forgets what was typed', async () => {
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type('12');
    kiosk.clock.advance(75_000);
    kiosk.core.tick();
    assert.ok(kiosk.core.view().session.warning, 'the warning shows before the end');
    kiosk.press({ type: 'EXTEND' });
    assert.equal(kiosk.core.view().session.warning, null);
    assert.equal(kiosk.core.view().props.entered, 2, 'extending keeps the progress');
    kiosk.clock.advance(91_000);
    kiosk.core.tick();
    await kiosk.waitForScreen('attract');
    const ended = kiosk.store.usageEvents().find((event) => event.type === 'session-ended');
    assert.equal(ended?.data.outcome, 'timed-out');
    // The evaluation counts where visits are given up: the step the flow had reached.
    assert.equal(ended?.data.steps, 'code');
  });

  test('language and large text change mid-flow without losing progress', async () => {
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    kiosk.type('123');
    kiosk.press({ type: 'SET_LANGUAGE', language: 'ar' });
    kiosk.press({ type: 'SET_ACCESSIBILITY', settings: { largeText: true } });
    const view = kiosk.core.view();
    assert.equal(view.session.language, 'ar');
    assert.equal(view.session.accessibility.largeText, true);
    assert.equal(view.screen, 'pickup.code');
    assert.equal(view.props.entered, 3);
  });
});
