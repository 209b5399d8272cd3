/**
 * The console's actions that reach a terminal through its feed. Each is ONE transaction:
 * the feed change, the server's own record of it and the console's audit row commit
 * together or not at all, so the terminal never acts on a change nobody can account for.
 */
import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import type { REMOTE_COMMANDS } from '../../protocol/index.ts';
import { appendFeedIn } from '../storage/feed-sql.ts';
import { addHistory, forgetContact } from '../storage/item-notices.ts';
import type { ItemRecord } from '../storage/storage.ts';
import type { ConsoleEnv, SignedView } from './context.ts';
import { audit } from './http.ts';

type ActionEnv = Pick<ConsoleEnv, 'storage' | 'store' | 'clock'>;
type Actor = Pick<SignedView, 'user'>;

export type CancelError = 'already-cancelled' | 'not-cancellable';

/** Rolls the cancellation back, the feed cursor it took included. */
class NotCancellable extends Error {
  readonly status: string | undefined;
  constructor(status: string | undefined) {
    super('item not cancellable');
    this.status = status;
  }
}

/**
 * Cancels an announced or loaded item: `item-cancelled` in its terminal's feed, status,
 * contact and code deleted, history, audit. The status is checked by the conditional
 * UPDATE after the device's lock is taken, so of two clerks cancelling at once one is
 * refused and the feed carries one cancellation.
 */
export async function cancelItem(
  env: ActionEnv,
  actor: Actor,
  item: ItemRecord,
  reason: string,
): Promise<Result<{ cursor: number }, CancelError>> {
  const now = env.clock.now();
  const change = { kind: 'item-cancelled' as const, itemId: item.id, reason };
  try {
    return await env.storage.sql.transaction(async (tx) => {
      const cursor = await appendFeedIn(tx, item.deviceId, change, now);
      if (cursor === undefined) throw new Error(`item ${item.id} has no known device`);
      const changed = await tx.run(
        `UPDATE items SET status = 'cancelled', updated_at = ?
         WHERE id = ? AND status IN ('announced', 'loaded')`,
        [now, item.id],
      );
      if (changed !== 1) {
        const [row] = await tx.all<{ status: string }>('SELECT status FROM items WHERE id = ?', [
          item.id,
        ]);
        throw new NotCancellable(row?.status);
      }
      await forgetContact(tx, item.id);
      const actorName = actor.user.username;
      await addHistory(tx, {
        itemId: item.id,
        at: now,
        event: 'cancelled',
        actor: actorName,
        detail: { reason, cursor },
      });
      const details = { deviceId: item.deviceId, cursor };
      await audit(env, actor, { action: 'cancel', target: item.id, reason, details }, tx);
      return ok({ cursor });
    });
  } catch (error) {
    if (!(error instanceof NotCancellable)) throw error;
    const cancelled = error.status === 'cancelled' || error.status === 'withdrawn';
    return err(cancelled ? 'already-cancelled' : 'not-cancellable');
  }
}

export interface CommandRequest {
  command: (typeof REMOTE_COMMANDS)[number];
  compartment: string;
  reason: string;
}

/** A remote action: a `command` change in the terminal's feed and its audit row. */
export async function sendCommand(
  env: ActionEnv,
  actor: Actor,
  deviceId: string,
  request: CommandRequest,
): Promise<Result<{ cursor: number; commandId: string }, 'unknown-device'>> {
  const now = env.clock.now();
  const commandId = randomUUID();
  const { command, compartment, reason } = request;
  const change = {
    kind: 'command' as const,
    commandId,
    command,
    compartment,
    reason,
    requestedBy: actor.user.username,
  };
  return env.storage.sql.transaction(async (tx) => {
    const cursor = await appendFeedIn(tx, deviceId, change, now);
    if (cursor === undefined) return err('unknown-device' as const);
    const details = { command, compartment, commandId, cursor };
    await audit(env, actor, { action: 'command', target: deviceId, reason, details }, tx);
    return ok({ cursor, commandId });
  });
}
