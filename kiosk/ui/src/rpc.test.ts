import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UiEvent } from './contract.ts';
import { orderedSender } from './rpc.ts';

const key = (k: string): UiEvent => ({ type: 'KEY', key: k });

test('events reach the service in the order they were sent, even when an answer is slow', async () => {
  const arrived: string[] = [];
  const inFlight = new Set<string>();
  let mostAtOnce = 0;
  // The first request takes longest: sent in parallel, "2" and "3" would arrive before it.
  const delays: Record<string, number> = { '1': 30, '2': 5, '3': 0 };
  const send = orderedSender(async (event) => {
    const name = event.type === 'KEY' ? event.key : event.type;
    inFlight.add(name);
    mostAtOnce = Math.max(mostAtOnce, inFlight.size);
    await new Promise((resolve) => setTimeout(resolve, delays[name] ?? 0));
    arrived.push(name);
    inFlight.delete(name);
    return { ok: true };
  });
  const replies = await Promise.all(['1', '2', '3'].map((k) => send(key(k))));
  assert.deepEqual(arrived, ['1', '2', '3']);
  assert.equal(mostAtOnce, 1);
  assert.equal(replies.length, 3);
});

test('a failed request does not stop the ones after it', async () => {
  const arrived: string[] = [];
  const send = orderedSender(async (event) => {
    const name = event.type === 'KEY' ? event.key : event.type;
    if (name === '1') throw new Error('network down');
    arrived.push(name);
    return { ok: true };
  });
  await assert.rejects(send(key('1')), /network down/);
  assert.deepEqual(await send(key('2')), { ok: true });
  assert.deepEqual(arrived, ['2']);
});
