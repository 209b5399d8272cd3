/**
 * Crash safety of staff loading (DESIGN.md §4.2): a separate process runs the kiosk core;
 * a staff member taps a card, enters the PIN and scans a document, and the process is
 * killed with SIGKILL at each step of the door protocol (after the intent, after the unlock
 * left, once the door is seen open, after the close). A fresh process then recovers: no
 * door opens twice, the item is loaded exactly once (`item-ready` exactly once), the audit
 * chain verifies, no outbox event exists twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import type { DoorStep } from '../doors/door-service.ts';
import { type CoreProcess, startCoreProcess } from '../testing/core-process-client.ts';
import { openTestStore } from '../testing/kiosk-fixture.ts';
import type { View } from './views.ts';

const STAFF = { id: 'staff-anna', card: '04A1B2C3', pin: '2468' };
const REFERENCE = 'BB-CRASH-0042';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function logInAndScan(core: CoreProcess) {
  await core.view('attract');
  core.device({ type: 'CARD', uid: STAFF.card });
  await core.view('staff.pin');
  for (const key of STAFF.pin) core.send({ type: 'KEY', key });
  core.send({ type: 'SUBMIT' });
  await core.view('staff.menu');
  core.send({ type: 'START_LOADING' });
  await core.view('staff.load.scan');
  core.device({ type: 'SCAN', text: REFERENCE, symbology: 'C' });
}

/** The staff member puts the document in (the sensor sees it) and closes the door. */
async function placeAndClose(sim: LockBoardSimulator) {
  sim.setItem(0, 2, true);
  await sleep(150); // a few polls: the other process's locker sees the item
  sim.closeDoor(0, 2);
}

const loaded = (view: View) =>
  (view.props.lastLoad as { outcome?: string } | null)?.outcome === 'loaded';

const STEPS: DoorStep[] = ['intent-recorded', 'unlock-sent', 'door-opened', 'door-closed'];

describe('kill -9 during a staff loading, then restart', () => {
  for (const step of STEPS) {
    test(`killed after ${step}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'amtomat-staff-crash-'));
      const sim = await LockBoardSimulator.start({ boards: 1 });
      try {
        const seeded = openTestStore({ dir, clock: systemClock, logger: memoryLogger() });
        assert.ok(seeded.store.addStaff({ ...STAFF, role: 'staff' }).ok);
        const item = seeded.store.announceItem({
          kind: 'document',
          reference: REFERENCE,
          recipientRef: 'R-1',
          size: 'M',
        });
        seeded.db.close();
        const unlocks = () => sim.received.filter((r) => r.command.kind === 'unlock').length;

        const first = await startCoreProcess(dir, sim.hostPath, step);
        await logInAndScan(first);
        if (step === 'door-closed') {
          await first.view('staff.door-open');
          await placeAndClose(sim);
        }
        assert.equal(await first.exited, 'SIGKILL', 'the process died at the step');
        assert.deepEqual(first.refused, []);

        const second = await startCoreProcess(dir, sim.hostPath);
        if (step === 'intent-recorded') {
          // The unlock never left: staff see the failed door; the item still waits.
          const failed = await second.view('staff.door-failed');
          assert.equal((failed.props.lastDoor as { reason: string }).reason, 'interrupted');
          assert.equal(unlocks(), 0);
          second.send({ type: 'CONTINUE' });
          await second.view('staff.load.scan');
          second.device({ type: 'SCAN', text: REFERENCE, symbology: 'C' });
        }
        if (step !== 'door-closed') {
          const open = await second.view('staff.door-open');
          assert.equal((open.props.door as { compartment: string }).compartment, 'A2');
          await placeAndClose(sim);
        }
        const done = await second.view('staff.load.scan', loaded);
        assert.deepEqual(done.props.lastLoad, { compartment: 'A2', outcome: 'loaded' });
        second.send({ type: 'BACK' });
        await second.view('staff.menu');
        second.child.stdin.end();
        await second.exited;
        assert.deepEqual(second.refused, [], 'every event was accepted');

        assert.equal(unlocks(), 1, 'the door was unlocked exactly once');
        const check = openTestStore({ dir, clock: systemClock, logger: memoryLogger() });
        const after = check.store.item(item.id);
        assert.equal(after?.status, 'loaded');
        assert.equal(after?.compartment, 'A2');
        assert.equal(after?.loadedBy, STAFF.id);
        const events = check.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 1000);
        const ready = events.filter((event) => event.type === 'item-ready');
        assert.equal(ready.length, 1, 'item-ready exactly once');
        assert.equal(ready[0]!.payload.itemId, item.id);
        const keys = events.map((event) => event.idempotencyKey);
        assert.equal(new Set(keys).size, keys.length, 'no outbox event twice');
        assert.equal(check.store.openIntents().length, 0, 'no intent left open');
        assert.equal(check.store.compartment('A2')?.uses, 1, 'counted once');
        const usage = check.store.usageEvents().filter((event) => event.type === 'staff-load');
        assert.equal(usage.length, 1, 'one loading time recorded');
        assert.ok(check.store.verifyAudit().ok, 'the audit chain verifies');
        check.db.close();
      } finally {
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
