import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';
import { LOCKOUT } from './lockout.ts';

let kiosk: KioskFixture;
before(async () => {
  kiosk = await startKiosk();
});
after(async () => {
  await kiosk.close();
});

async function settled() {
  // Effects answer within the same turn or the next; give them a moment.
  await new Promise((resolve) => setImmediate(resolve));
}

test('1,000 wrong codes: lockout engages and grows, alarms go out, the right code still works after it', async () => {
  const item = kiosk.store.announceItem({
    kind: 'document',
    reference: 'DOC-BRUTE',
    code: '739154',
    secondFactor: '1985-07-30',
  });
  kiosk.store.markLoaded(item.id, 'A3', 'staff-1');
  const outboxBefore = kiosk.store.outboxLength();

  let locks = 0;
  let refusedWhileLocked = 0;
  for (let attempt = 0; attempt < 1000; attempt++) {
    // Waiting out a lock may end the session; a persistent attacker starts a new one.
    if (kiosk.core.view().screen === 'attract') {
      kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
    }
    kiosk.type(String(100000 + attempt));
    kiosk.press({ type: 'SUBMIT' });
    await settled();
    const view = kiosk.core.view();
    assert.equal(view.screen, 'pickup.code');
    if (view.props.error === 'locked') {
      locks++;
      const until = view.props.lockedUntil as number;
      assert.ok(until > kiosk.clock.now(), 'a lock lies in the future');
      // While locked even the right code is refused.
      kiosk.type('739154');
      kiosk.press({ type: 'SUBMIT' });
      await settled();
      assert.equal(kiosk.core.view().props.error, 'locked');
      refusedWhileLocked++;
      kiosk.clock.set(until + 1);
    } else {
      assert.equal(view.props.error, 'wrong-code');
    }
    kiosk.clock.advance(1000);
  }
  assert.ok(locks > 100, `lockout engaged ${locks} times`);
  assert.ok(refusedWhileLocked === locks);
  assert.equal(kiosk.sim.received.filter((r) => r.command.kind === 'unlock').length, 0);
  assert.equal(kiosk.store.item(item.id)?.status, 'loaded', 'nothing else changed');
  const alarms = kiosk.store
    .pendingOutbox(Number.MAX_SAFE_INTEGER, 5000)
    .filter((event) => event.type === 'alarm' && event.payload.kind === 'code-brute-force');
  assert.equal(alarms.length, locks, 'one alarm per lockout');
  assert.equal(kiosk.store.outboxLength() - outboxBefore, locks);

  // After the last lock has passed, the right code works.
  kiosk.clock.advance(LOCKOUT.maxLockMs + 1);
  await settled();
  if (kiosk.core.view().screen === 'attract') {
    kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
  }
  kiosk.type('739154');
  kiosk.press({ type: 'SUBMIT' });
  await kiosk.waitForScreen('pickup.date-of-birth');
  assert.ok(kiosk.store.verifyAudit().ok);
});
