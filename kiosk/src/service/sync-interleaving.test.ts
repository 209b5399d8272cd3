/**
 * Console and terminal acting on the same item while the sync runs between them (issue #16):
 * the real fleet server (HTTP, SQLite and PostgreSQL) and the kiosk's real store and sync
 * wiring. Console actions (announce, cancel, remote commands) and terminal actions (load,
 * pickup, retrieval, expiry) are interleaved in every order, with a sync cycle or none in
 * each gap; after the sync settles, fleet and terminal must agree on the item, a cancelled
 * item must not have had a notice queued after its cancellation, and a change the terminal
 * refused must show as refused on the fleet.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileCredentials } from '@amtomat/admin-sync/agent';
import {
  type FleetItemStatus,
  terminalMayMove,
  terminalStatusFor,
} from '@amtomat/admin-sync/protocol';
import {
  AnnounceInputSchema,
  announceItem,
  createEnrolmentToken,
  createFleetServer,
  type FleetStorage,
} from '@amtomat/admin-sync/server';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { cancelItem, sendCommand } from '../../../admin-sync/src/server/console/feed-actions.ts';
import { consoleStore } from '../../../admin-sync/src/server/console/store.ts';
import {
  type StorageAdapter,
  storageAdapters,
} from '../../../admin-sync/src/server/testing/adapters.ts';
import { DAY_MS, type Store } from '../store/store.ts';
import { compartment, openTestStore } from '../store/test-support.ts';
import { type KioskSync, startKioskSync } from './sync.ts';

const CONSOLE_USER = {
  user: {
    id: 'user-clara',
    username: 'clara',
    passwordHash: 'unused',
    role: 'clerk' as const,
    totpSecret: null,
    totpLastStep: null,
    createdAt: 0,
    disabledAt: null,
  },
};
/** The compartment remote commands mark defective; loads go to the first free one. */
const DEFECT_TARGET = 'A1';
const UNKNOWN_COMPARTMENT = 'Z9';

interface Rig {
  storage: FleetStorage;
  store: Store;
  sync: KioskSync;
  deviceId: string;
  /** Sync cycles until the outbox is empty and the terminal has acknowledged the feed. */
  settle(): Promise<void>;
  announce(reference: string): Promise<string>;
}

async function openRig(t: TestContext, adapter: StorageAdapter): Promise<Rig> {
  const storage = await adapter.open();
  const app = createFleetServer({ storage });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const kiosk = openTestStore(t, [
    compartment('A1', 'M', 0),
    compartment('A2', 'M', 1),
    compartment('A3', 'M', 2),
  ]);
  kiosk.clock.now = Date.now();
  const { token } = await createEnrolmentToken(storage, { now: Date.now() });
  const sync = startKioskSync({
    config: { url, enrolmentToken: token, intervalMs: 3_600_000 },
    dataDir: kiosk.dir,
    store: kiosk.store,
    codeKey: kiosk.hasher.codeKey(),
    clock: systemClock,
    logger: memoryLogger(),
  });
  t.after(async () => {
    await sync.close();
    await app.close();
    await storage.close();
  });
  const first = await sync.syncNow();
  assert.equal(first.online, true, String(first.lastError));
  const identity = fileCredentials(join(kiosk.dir, 'sync')).load();
  assert.ok(identity.ok && identity.value, 'enrolled');
  const deviceId = identity.value.deviceId;
  return {
    storage,
    store: kiosk.store,
    sync,
    deviceId,
    async settle() {
      for (let cycle = 0; cycle < 6; cycle++) {
        const state = await sync.syncNow();
        assert.equal(state.online, true, String(state.lastError));
        const device = await storage.device(deviceId);
        if (kiosk.store.outboxLength() === 0 && device?.feedAcked === device?.feedHead) return;
      }
      assert.fail('the sync did not settle in six cycles');
    },
    async announce(reference) {
      const announced = await announceItem(
        storage,
        AnnounceInputSchema.parse({
          deviceId,
          reference,
          itemKind: 'document',
          email: 'citizen@example.org',
        }),
        'clara',
        Date.now(),
      );
      assert.ok(announced.ok, JSON.stringify(announced));
      return announced.value.itemId;
    },
  };
}

type ConsoleAction = 'cancel' | 'refused-command' | 'defect-command';
type TerminalAction = 'load' | 'pickup' | 'retrieve' | 'expire';
type Step = ConsoleAction | TerminalAction | 'sync';

const CONSOLE_SCRIPTS: readonly (readonly ConsoleAction[])[] = [
  ['cancel'],
  ['refused-command'],
  ['defect-command'],
];
const TERMINAL_SCRIPTS: readonly (readonly TerminalAction[])[] = [
  ['load'],
  ['load', 'pickup'],
  ['load', 'retrieve'],
  ['load', 'expire'],
  ['load', 'expire', 'retrieve'],
];

/** Every merge of two sequences that keeps the order within each. */
function merges<T>(a: readonly T[], b: readonly T[]): T[][] {
  if (a.length === 0) return [[...b]];
  if (b.length === 0) return [[...a]];
  return [
    ...merges(a.slice(1), b).map((rest) => [a[0]!, ...rest]),
    ...merges(a, b.slice(1)).map((rest) => [b[0]!, ...rest]),
  ];
}

/** The actions after the announcement, with a sync cycle or none before each. */
function withSyncs(actions: readonly Step[]): Step[][] {
  let runs: Step[][] = [[]];
  for (const action of actions) {
    runs = runs.flatMap((run) => [
      [...run, action],
      [...run, 'sync', action],
    ]);
  }
  return runs;
}

/**
 * A cancellation races the terminal's moves: every order, a sync cycle or none in every gap.
 * A remote command does not move the item: every order, with a sync in every gap or none.
 */
function scenarios(): Step[][] {
  const all: Step[][] = [];
  for (const consoleScript of CONSOLE_SCRIPTS) {
    for (const terminalScript of TERMINAL_SCRIPTS) {
      for (const order of merges<Step>(consoleScript, terminalScript)) {
        if (consoleScript.includes('cancel')) all.push(...withSyncs(order));
        else
          all.push(
            order,
            order.flatMap((step): Step[] => ['sync', step]),
          );
      }
    }
  }
  return all;
}

/** What happened on the console side of a run, for the checks after it settled. */
interface RunRecord {
  cancelledAt: number | null;
  refusedCursor: number | null;
}

async function consoleAct(rig: Rig, itemId: string, action: ConsoleAction, record: RunRecord) {
  const env = {
    storage: rig.storage,
    store: consoleStore(rig.storage.sql, rig.storage.secrets),
    clock: systemClock,
  };
  if (action === 'cancel') {
    const item = await rig.storage.item(itemId);
    assert.ok(item);
    const at = Date.now();
    const cancelled = await cancelItem(env, CONSOLE_USER, item, 'issued by mistake');
    // Refused when the terminal's news came first (picked up, retrieved, expired): fine.
    if (cancelled.ok) record.cancelledAt = at;
    return;
  }
  const sent = await sendCommand(env, CONSOLE_USER, rig.deviceId, {
    command: action === 'refused-command' ? 'open-compartment' : 'mark-defective',
    compartment: action === 'refused-command' ? UNKNOWN_COMPARTMENT : DEFECT_TARGET,
    reason: 'interleaving test',
  });
  assert.ok(sent.ok);
  if (action === 'refused-command') record.refusedCursor = sent.value.cursor;
}

/** Staff and citizens at the terminal; an action the item's state does not allow is refused. */
function terminalAct(store: Store, itemId: string, action: TerminalAction, clock: () => number) {
  const item = store.item(itemId);
  if (!item) return; // not pulled yet: nobody at the terminal knows of it
  switch (action) {
    case 'load': {
      const free = store.freeCompartments()[0];
      assert.ok(free, 'a free compartment');
      store.markLoaded(itemId, free.label, 'staff-1');
      return;
    }
    case 'pickup':
      store.markPickedUp([itemId], 'session-1');
      return;
    case 'retrieve':
      store.markRetrieved(itemId, 'staff-1');
      return;
    case 'expire':
      store.expireDue(clock() + 30 * DAY_MS);
      return;
  }
}

async function assertAgree(rig: Rig, itemId: string, label: string) {
  const fleet = await rig.storage.item(itemId);
  const terminal = rig.store.item(itemId);
  assert.ok(fleet && terminal, `${label}: both know the item`);
  assert.equal(
    terminal.status,
    terminalStatusFor(fleet.status as FleetItemStatus),
    `${label}: fleet ${fleet.status}, terminal ${terminal.status}`,
  );
  if (fleet.status === 'withdrawn') {
    assert.equal(fleet.compartment, terminal.compartment, `${label}: the compartment to empty`);
  }
  const fleetDefect = (await rig.storage.compartment(rig.deviceId, DEFECT_TARGET))?.defective;
  assert.equal(
    fleetDefect ?? false,
    rig.store.compartment(DEFECT_TARGET)?.defective,
    `${label}: compartment ${DEFECT_TARGET} defective on both or neither`,
  );
}

async function noticesSince(storage: FleetStorage, itemId: string, since: number) {
  return storage.sql.all<{ kind: string }>(
    'SELECT kind FROM notifications WHERE item_id = ? AND created_at >= ?',
    [itemId, since],
  );
}

for (const adapter of storageAdapters()) {
  describe(`console and terminal interleaved with the sync (${adapter.name})`, () => {
    before(() => adapter.setup());
    after(() => adapter.teardown());

    test('issue #16: a cancellation crossing a load ends cancelled, to be taken out, no notice sent', async (t) => {
      const rig = await openRig(t, adapter);
      const env = {
        storage: rig.storage,
        store: consoleStore(rig.storage.sql, rig.storage.secrets),
        clock: systemClock,
      };
      // 1. Announced in the console; the terminal pulls it.
      const itemId = await rig.announce('BA-2026-1600');
      await rig.settle();
      assert.equal(rig.store.item(itemId)?.status, 'announced');
      const code = await rig.storage.pendingCode(itemId);
      assert.ok(code);
      // 2. Cancelled in the console: contact and code deleted, a cancellation in the feed.
      const item = await rig.storage.item(itemId);
      assert.ok(item);
      const cancelled = await cancelItem(env, CONSOLE_USER, item, 'issued by mistake');
      assert.ok(cancelled.ok);
      assert.equal(await rig.storage.itemContact(itemId), undefined);
      assert.equal(await rig.storage.pendingCode(itemId), undefined);
      // 3. Before the terminal's next pull, staff load it.
      assert.ok(rig.store.markLoaded(itemId, 'A2', 'staff-1').ok);
      // 4. + 5. The next sync: item-ready reaches the fleet, the cancellation the terminal.
      await rig.sync.syncNow();
      await rig.settle();
      const fleet = await rig.storage.item(itemId);
      assert.equal(fleet?.status, 'withdrawn', 'cancelled, lying in its compartment');
      assert.equal(fleet?.compartment, 'A2');
      assert.equal(rig.store.item(itemId)?.status, 'expired', 'set aside at the terminal');
      assert.deepEqual(rig.store.itemsByCode(code), [], 'its code opens nothing');
      assert.deepEqual(
        (await rig.storage.itemHistory(itemId)).map((entry) => entry.event),
        ['announced', 'cancelled', 'withdrawn'],
      );
      assert.deepEqual(await noticesSince(rig.storage, itemId, 0), [], 'no notice for it');
      const events = await rig.storage.events(rig.deviceId);
      assert.deepEqual(
        events.filter((e) => e.payload.itemId === itemId).map((e) => [e.type, e.outcome.status]),
        [
          ['item-ready', 'applied'],
          ['item-withdrawn', 'applied'],
        ],
        'the terminal reported the withdrawal',
      );
      const again = await cancelItem(env, CONSOLE_USER, fleet!, 'twice');
      assert.deepEqual(again, { ok: false, error: 'already-cancelled' });
      // Staff take it out: both say retrieved.
      assert.ok(rig.store.markRetrieved(itemId, 'staff-1').ok);
      await rig.settle();
      await assertAgree(rig, itemId, '#16 after retrieval');
      assert.equal((await rig.storage.item(itemId))?.status, 'retrieved');
    });

    test('every pair of console and terminal actions on one item, in every order, ends in agreement', async (t) => {
      const rig = await openRig(t, adapter);
      const runs = scenarios();
      const covered = new Set<string>();
      for (const [n, run] of runs.entries()) {
        const label = `run ${n}: announce, ${run.join(', ')}`;
        const record: RunRecord = { cancelledAt: null, refusedCursor: null };
        const itemId = await rig.announce(`REF-${n}`);
        let seen = rig.store.item(itemId)?.status;
        /** Each move the terminal made is one the protocol's table allows. */
        const checkMove = (step: Step) => {
          const now = rig.store.item(itemId)?.status;
          if (seen !== undefined && now !== undefined && now !== seen) {
            assert.ok(terminalMayMove(seen, now), `${label}: ${seen} → ${now} at ${step}`);
          }
          seen = now;
        };
        for (const step of run) {
          if (step === 'sync') await rig.sync.syncNow();
          else if (step === 'cancel' || step === 'refused-command' || step === 'defect-command')
            await consoleAct(rig, itemId, step, record);
          else terminalAct(rig.store, itemId, step, () => Date.now());
          checkMove(step);
        }
        await rig.settle();
        checkMove('sync');
        await assertAgree(rig, itemId, label);
        if (record.cancelledAt !== null) {
          assert.deepEqual(
            await noticesSince(rig.storage, itemId, record.cancelledAt),
            [],
            `${label}: no notice after the cancellation`,
          );
          assert.equal(await rig.storage.itemContact(itemId), undefined, label);
          const history = (await rig.storage.itemHistory(itemId)).map((entry) => entry.event);
          assert.ok(
            !history.slice(history.indexOf('cancelled')).includes('loaded'),
            `${label}: never shown as loaded after the cancellation (${history.join(' → ')})`,
          );
        }
        if (record.refusedCursor !== null) {
          const refused = await rig.storage.refusedChanges(rig.deviceId);
          assert.ok(
            refused.some(
              (r) => r.cursor === record.refusedCursor && r.code === 'unknown-compartment',
            ),
            `${label}: the refused command shows as refused`,
          );
        }
        const actions = run.filter((step) => step !== 'sync');
        for (const [i, first] of actions.entries()) {
          for (const later of actions.slice(i + 1)) covered.add(`${first}+${later}`);
        }
        // Cleanup: staff empty the compartment, the console repairs the compartment.
        const status = rig.store.item(itemId)?.status;
        if (status === 'loaded' || status === 'expired') {
          assert.ok(rig.store.markRetrieved(itemId, 'staff-1').ok);
        }
        if (rig.store.compartment(DEFECT_TARGET)?.defective) {
          const env = {
            storage: rig.storage,
            store: consoleStore(rig.storage.sql, rig.storage.secrets),
            clock: systemClock,
          };
          await sendCommand(env, CONSOLE_USER, rig.deviceId, {
            command: 'mark-repaired',
            compartment: DEFECT_TARGET,
            reason: 'interleaving test',
          });
        }
        await rig.settle();
        await assertAgree(rig, itemId, `${label}, after cleanup`);
      }
      for (const [consoleAction] of CONSOLE_SCRIPTS) {
        for (const terminalAction of ['load', 'pickup', 'retrieve', 'expire'] as const) {
          assert.ok(
            covered.has(`${consoleAction}+${terminalAction}`),
            `${consoleAction} before ${terminalAction}`,
          );
          assert.ok(
            covered.has(`${terminalAction}+${consoleAction}`),
            `${terminalAction} before ${consoleAction}`,
          );
        }
      }
      t.diagnostic(`${runs.length} runs`);
    });
  });
}
