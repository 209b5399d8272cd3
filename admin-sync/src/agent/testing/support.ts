/** Small helpers shared by the agent's tests. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FleetStorage } from '../../server/index.ts';

export { announcedItem as announce } from '../../server/testing/device.ts';

import type { LogEntry } from '@amtomat/basics';
import type { MemoryOutbox } from './memory-ports.ts';

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A valid `item-ready` payload; its reference stands in for personal data in log checks.
 * Item ids are unique per call: the server gives an item to the first terminal reporting it.
 */
export const readyPayload = (n: number) => ({
  itemId: `item-${n}-${randomUUID()}`,
  reference: `SECRET-REF-${n}`,
  recipientRef: null,
  compartment: `A${n % 20}`,
  expiresAt: Date.now() + 14 * 86_400_000,
});

/**
 * The server holds each outbox event once: same seqs and keys, and first received in seq
 * order (a re-sent batch is never recorded again, so arrival order is the outbox's).
 */
export async function assertDeliveredOnceInOrder(
  storage: FleetStorage,
  deviceId: string,
  outbox: MemoryOutbox,
) {
  const stored = await storage.events(deviceId);
  assert.deepEqual(
    stored.map((event) => [event.seq, event.idempotencyKey]),
    outbox.rows().map((row) => [row.seq, row.idempotencyKey]),
  );
  for (let i = 1; i < stored.length; i++) {
    assert.ok(
      stored[i]!.receivedAt >= stored[i - 1]!.receivedAt,
      `seq ${stored[i]!.seq} arrived early`,
    );
  }
  assert.equal(outbox.length(), 0);
}

/** No log line carries a payload's contents. */
export function assertNoPayloadInLogs(logger: { entries: LogEntry[] }) {
  assert.doesNotMatch(JSON.stringify(logger.entries), /SECRET-REF/);
}

/** Re-sent events the server answered `duplicate` (a batch it had recorded before a kill). */
export const duplicatesAnswered = (
  entries: readonly { event: string; fields: Record<string, unknown> }[],
) =>
  entries
    .filter((entry) => entry.event === 'sync.pushed')
    .reduce((sum, entry) => sum + Number(entry.fields.duplicates), 0);
