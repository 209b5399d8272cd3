/**
 * The agent through a proxy that cuts connections mid-response and duplicates requests:
 * afterwards the server holds every event exactly once, in order, and the feed is applied
 * once and acknowledged.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { memoryLogger, systemClock } from '@amtomat/basics';
import { createSyncAgent } from './agent.ts';
import { enrolDevice, fileCredentials } from './credentials.ts';
import { type Fault, type FaultProxy, startFaultProxy } from './testing/fault-proxy.ts';
import { startTestFleet, type TestFleet } from './testing/fleet.ts';
import { memoryFeed, memoryOutbox } from './testing/memory-ports.ts';
import {
  announce,
  assertDeliveredOnceInOrder,
  assertNoPayloadInLogs,
  readyPayload,
  waitFor,
} from './testing/support.ts';

let fleet: TestFleet;
let proxy: FaultProxy;
let dir: string;
const FAULTS: Fault[] = ['cut', 'duplicate', 'clean', 'duplicate', 'cut', 'clean', 'clean'];

before(async () => {
  fleet = await startTestFleet();
  proxy = await startFaultProxy(fleet.port, (n) => FAULTS[n % FAULTS.length]!);
  dir = mkdtempSync(join(tmpdir(), 'agent-faults-'));
});
after(async () => {
  await proxy.close();
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

it('cut mid-response and duplicated requests: every event once, in order; feed once', async () => {
  const enrolled = await enrolDevice({
    baseUrl: fleet.url,
    token: await fleet.token(),
    credentials: fileCredentials(dir),
    codeKey: Buffer.alloc(32, 7),
  });
  assert.ok(enrolled.ok);
  const { deviceId } = enrolled.value;
  for (let n = 1; n <= 5; n++) {
    await fleet.storage.appendFeed(deviceId, announce(`feed-${n}`), Date.now());
  }
  const outbox = memoryOutbox(systemClock);
  const feed = memoryFeed();
  const logger = memoryLogger();
  for (let n = 1; n <= 200; n++) outbox.enqueue('item-ready', readyPayload(n));
  const sync = createSyncAgent({
    baseUrl: `http://127.0.0.1:${proxy.port}`,
    identity: enrolled.value,
    outbox,
    feed,
    clock: systemClock,
    logger,
    batchSize: 15,
    pullLimit: 2,
    backoff: { initialMs: 5, maxMs: 50 },
    intervalMs: 20,
    requestTimeoutMs: 2000,
  });
  sync.start();
  // More events while it syncs, as a busy terminal would.
  for (let n = 201; n <= 250; n++) {
    outbox.enqueue('item-ready', readyPayload(n));
    if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
  }
  await waitFor(
    'drain and feed',
    async () =>
      outbox.length() === 0 &&
      feed.cursor() === 5 &&
      (await fleet.storage.device(deviceId))?.feedAcked === 5,
    20_000,
  );
  await sync.stop();

  await assertDeliveredOnceInOrder(fleet.storage, deviceId, outbox);
  assert.deepEqual(
    feed.applied.map((entry) => entry.cursor),
    [1, 2, 3, 4, 5],
  );
  assert.ok(proxy.stats.cut >= 3, `cuts: ${proxy.stats.cut}`);
  assert.ok(proxy.stats.duplicate >= 3, `duplicates: ${proxy.stats.duplicate}`);
  const failures = logger.entries.filter((entry) => entry.event === 'sync.failed');
  assert.ok(failures.length >= proxy.stats.cut, 'each cut was a failed cycle');
  // Batches the server had applied before the cut came back as duplicates, and were settled.
  const duplicates = logger.entries
    .filter((entry) => entry.event === 'sync.pushed')
    .reduce((sum, entry) => sum + Number(entry.fields.duplicates), 0);
  assert.ok(duplicates > 0, 'some re-sent events were answered as duplicates');
  assert.equal(sync.state().parked + sync.state().rejected, 0);
  assertNoPayloadInLogs(logger);
  console.log(
    proxy.stats,
    failures.map((f) => f.fields.error),
  );
});
