/**
 * Crash safety (DESIGN.md §4.2): a separate process runs the kiosk core and is killed with
 * SIGKILL at each step of a pickup's door protocol; a fresh process then recovers. No door
 * may open twice, no item may be lost or picked up twice, the audit chain must verify and
 * each outbox event must exist exactly once.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { memoryLogger, systemClock } from '@amtomat/locker-controller';
import type { DoorStep } from '../doors/door-service.ts';
import { openTestStore } from '../testing/kiosk-fixture.ts';
import type { View } from './views.ts';

const PROCESS = join(import.meta.dirname, '../testing/core-process.ts');
const CODE = '550713';

interface CoreProcess {
  child: ChildProcessWithoutNullStreams;
  views: View[];
  send(event: object): void;
  screen(name: View['screen'], timeoutMs?: number): Promise<View>;
  exited: Promise<NodeJS.Signals | number | null>;
}

async function startProcess(dir: string, port: string, crashAt?: DoorStep): Promise<CoreProcess> {
  const args = [
    PROCESS,
    '--data',
    dir,
    '--port',
    port,
    ...(crashAt ? ['--crash-at', crashAt] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const views: View[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { view?: View; ready?: boolean };
    if (message.view) views.push(message.view);
    if (message.ready) ready();
  });
  child.stderr.resume();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await Promise.race([isReady, exited]);
  return {
    child,
    views,
    exited,
    send: (event) => child.stdin.write(`${JSON.stringify(event)}\n`),
    async screen(name, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const last = views.at(-1);
        if (last?.screen === name) return last;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`screen ${name} not reached; last ${views.at(-1)?.screen}`);
    },
  };
}

async function pickUp(core: CoreProcess) {
  await core.screen('attract');
  core.send({ type: 'START' });
  core.send({ type: 'CHOOSE', service: 'document-pickup' });
  for (const key of CODE) core.send({ type: 'KEY', key });
  core.send({ type: 'SUBMIT' });
  await core.screen('pickup.date-of-birth');
  for (const key of '17061972') core.send({ type: 'KEY', key });
  core.send({ type: 'SUBMIT' });
}

const STEPS: DoorStep[] = ['intent-recorded', 'unlock-sent', 'door-opened', 'door-closed'];

describe('kill -9 during a document pickup, then restart', () => {
  for (const step of STEPS) {
    test(`killed after ${step}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'amtomat-crash-'));
      const sim = await LockBoardSimulator.start({ boards: 1 });
      try {
        const seeded = openTestStore({ dir, clock: systemClock, logger: memoryLogger() });
        const item = seeded.store.announceItem({
          kind: 'document',
          reference: 'DOC-CRASH',
          code: CODE,
          secondFactor: '1972-06-17',
        });
        seeded.store.markLoaded(item.id, 'A2', 'staff-3');
        seeded.db.close();
        sim.setItem(0, 2, true);
        const unlocks = () => sim.received.filter((r) => r.command.kind === 'unlock').length;

        const first = await startProcess(dir, sim.hostPath, step);
        await pickUp(first);
        if (step === 'door-closed') {
          await first.screen('pickup.take-and-close');
          sim.closeDoor(0, 2);
        }
        assert.equal(await first.exited, 'SIGKILL', 'the process died at the step');

        const second = await startProcess(dir, sim.hostPath);
        if (step === 'intent-recorded') {
          // The unlock never left: the pickup failed visibly, the document is still there.
          assert.equal((await second.screen('survey')).props.outcome, 'failed');
          assert.equal(unlocks(), 0);
          second.send({ type: 'FINISH' });
          await pickUp(second); // the citizen tries again
        }
        if (step !== 'door-closed') {
          await second.screen('pickup.take-and-close');
          sim.closeDoor(0, 2);
        }
        assert.equal((await second.screen('survey')).props.outcome, 'completed');
        second.child.stdin.end();
        await second.exited;

        assert.equal(unlocks(), 1, 'the door was unlocked exactly once');
        const check = openTestStore({ dir, clock: systemClock, logger: memoryLogger() });
        assert.equal(check.store.item(item.id)?.status, 'picked_up');
        const events = check.store.pendingOutbox(Number.MAX_SAFE_INTEGER, 1000);
        const pickedUp = events.filter((event) => event.type === 'item-picked-up');
        assert.equal(pickedUp.length, 1, 'picked up exactly once');
        const keys = events.map((event) => event.idempotencyKey);
        assert.equal(new Set(keys).size, keys.length, 'no outbox event twice');
        assert.equal(check.store.openIntents().length, 0, 'no intent left open');
        assert.ok(check.store.verifyAudit().ok, 'the audit chain verifies');
        check.db.close();
      } finally {
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
