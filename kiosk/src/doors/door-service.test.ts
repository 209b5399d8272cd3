/**
 * The door service's refused steps, on a real SQLite file and a real locker talking to the
 * board simulator over a pty: a store change that does not go through at a door is never
 * silent (log line, audit row, alarm for staff).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { createLocker } from '@amtomat/locker-controller';
import { auditEntries } from '../store/audit.ts';
import { openTestStore, TEST_COMPARTMENTS } from '../testing/kiosk-fixture.ts';
import { eventually } from '../testing/wait.ts';
import { createDoorService, type DoorNews } from './door-service.ts';

test('a load whose item was cancelled while its door was open: wrong-status is logged, audited and alarmed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-doors-'));
  const sim = await LockBoardSimulator.start({ boards: 1 });
  const logger = memoryLogger();
  const { db, store } = openTestStore({ dir, clock: systemClock, logger });
  const locker = createLocker(
    {
      buses: [{ id: 'main', transport: { kind: 'serial', path: sim.hostPath } }],
      compartments: TEST_COMPARTMENTS.map(({ label, size, lock }) => ({
        label,
        size,
        bus: 'main',
        board: 0,
        lock,
        hasItemSensor: true,
      })),
      timing: { idlePollMs: 30, fastPollMs: 5, confirmTimeoutMs: 800 },
    },
    { logger },
  );
  t.after(async () => {
    await locker.stop();
    db.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await locker.start();
  const doors = createDoorService({ store, locker, now: () => Date.now(), logger });
  const news: DoorNews[] = [];
  doors.onNews((item) => news.push(item));

  const item = store.announceItem({ kind: 'document', reference: 'DOC-7', code: '482913' });
  const opened = await doors.open({
    compartment: 'A1',
    purpose: 'load',
    itemIds: [item.id],
    staffId: 'staff-1',
  });
  assert.ok(opened.ok);
  // The fleet cancels the announcement while staff still stand at the open door.
  assert.ok(store.cancelAnnounced(item.id, 'fleet', 'cancelled-in-console').ok);
  sim.setItem(0, 1, true);
  await eventually('the item seen', () => locker.door('A1')?.itemPresent === true);
  sim.closeDoor(0, 1);
  await eventually('the door closed', () => news.some((entry) => entry.type === 'closed'));

  assert.equal(store.item(item.id)?.status, 'cancelled', 'the cancellation stands');
  assert.equal(store.openIntents().length, 0, 'the door intent is settled');
  const line = logger.entries.find((entry) => entry.event === 'doors.step_refused');
  assert.deepEqual(line && { level: line.level, fields: line.fields }, {
    level: 'error',
    fields: { compartment: 'A1', purpose: 'load', step: 'completion', reason: 'wrong-status' },
  });
  const audit = auditEntries(db).filter((row) => row.action === 'door-step-refused');
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.subject, 'A1');
  const { intent, ...details } = audit[0]!.details;
  assert.equal(typeof intent, 'string');
  assert.deepEqual(details, {
    step: 'completion',
    reason: 'wrong-status',
    purpose: 'load',
    item: item.id,
  });
  const alarms = store
    .pendingOutbox(Number.MAX_SAFE_INTEGER, 1000)
    .filter((event) => event.type === 'alarm')
    .map((event) => event.payload);
  assert.deepEqual(alarms, [
    { kind: 'door-step-refused', compartment: 'A1', step: 'completion', reason: 'wrong-status' },
  ]);
  assert.ok(store.verifyAudit().ok);
});
