/**
 * The fleet server's one suite, run against every storage adapter: SQLite and a real
 * PostgreSQL started by the suite. Requests go through fastify's inject, signed like a
 * terminal's; time is a settable clock.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  type FeedChange,
  generateDeviceKeyPair,
  MAX_CLOCK_SKEW_MS,
  type PushResult,
  paths,
  signEnrolment,
  signRequest,
} from '../protocol/index.ts';
import { AnnounceInputSchema, announceItem } from './announce.ts';
import { createFleetServer } from './app.ts';
import { defaultHandlers, type EventHandler } from './apply.ts';
import { createEnrolmentToken } from './enrolment.ts';
import type { FleetStorage } from './storage/storage.ts';
import { storageAdapters } from './testing/adapters.ts';
import {
  announcedItem as announce,
  enrolTestDevice,
  TEST_CODE_KEY,
  type TestDevice,
} from './testing/device.ts';

const START = 1_750_000_000_000;

const ready = (itemId: string, compartment = 'A1') => ({
  itemId,
  reference: `REF-${itemId}`,
  recipientRef: null,
  compartment,
  expiresAt: START + 14 * 86_400_000,
});
const pickedUp = (itemId: string) => ({
  itemId,
  reference: `REF-${itemId}`,
  compartment: 'A1',
  pickedUpAt: START,
});
const statuses = (body: { results: PushResult[] }) => body.results.map((r) => [r.seq, r.status]);

for (const adapter of storageAdapters()) {
  describe(`fleet server on ${adapter.name}`, () => {
    let storage: FleetStorage;
    let app: FastifyInstance;
    let now = START;
    const clock = { now: () => now };
    let handlers: Record<string, EventHandler> = { ...defaultHandlers };
    let a: TestDevice;
    let b: TestDevice;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      now = START;
      handlers = { ...defaultHandlers };
      storage = await adapter.open();
      app = createFleetServer({ storage, clock, handlers });
      a = await enrolTestDevice(app, storage, clock.now);
      b = await enrolTestDevice(app, storage, clock.now);
    });
    afterEach(async () => {
      await app.close();
      await storage.close();
    });

    describe('enrolment', () => {
      it('a token enrols one device; the same key asking again gets the same device', async () => {
        const device = await storage.device(a.deviceId);
        assert.equal(device?.publicKey, a.keys.publicKey);
        assert.equal(device?.codeKey, TEST_CODE_KEY);
        const keys = generateDeviceKeyPair();
        const { token } = await createEnrolmentToken(storage, { now, validForMs: 60_000 });
        const body = {
          token,
          publicKey: keys.publicKey,
          proof: signEnrolment(token, keys),
          codeKey: TEST_CODE_KEY,
        };
        const first = await app.inject({ method: 'POST', url: paths.enrol, payload: body });
        assert.equal(first.statusCode, 201);
        const again = await app.inject({ method: 'POST', url: paths.enrol, payload: body });
        assert.equal(again.statusCode, 201);
        assert.equal(again.json().deviceId, first.json().deviceId);
        const other = generateDeviceKeyPair();
        const stolen = await app.inject({
          method: 'POST',
          url: paths.enrol,
          payload: { ...body, publicKey: other.publicKey, proof: signEnrolment(token, other) },
        });
        assert.equal(stolen.statusCode, 401);
        assert.equal(stolen.json().error, 'invalid-token');
      });

      it('refuses an expired token and a proof for another key', async () => {
        const keys = generateDeviceKeyPair();
        const { token } = await createEnrolmentToken(storage, { now, validForMs: 60_000 });
        const wrongProof = signEnrolment(token, generateDeviceKeyPair());
        const refused = await app.inject({
          method: 'POST',
          url: paths.enrol,
          payload: { token, publicKey: keys.publicKey, proof: wrongProof, codeKey: TEST_CODE_KEY },
        });
        assert.equal(refused.statusCode, 400);
        now += 60_001;
        const expired = await app.inject({
          method: 'POST',
          url: paths.enrol,
          payload: {
            token,
            publicKey: keys.publicKey,
            proof: signEnrolment(token, keys),
            codeKey: TEST_CODE_KEY,
          },
        });
        assert.equal(expired.json().error, 'invalid-token');
      });
    });

    describe('security', () => {
      it('refuses an unsigned request and records nothing', async () => {
        const reply = await app.inject({
          method: 'POST',
          url: paths.events(a.deviceId),
          payload: { events: [a.event(1, 'item-ready', ready('i1'))] },
        });
        assert.equal(reply.statusCode, 401);
        assert.equal(reply.json().error, 'unsigned');
        assert.deepEqual(await storage.events(a.deviceId), []);
      });

      it('refuses a replayed nonce', async () => {
        const first = await a.request('GET', paths.feed(a.deviceId), undefined, {
          nonce: 'n'.repeat(22),
        });
        assert.equal(first.statusCode, 200);
        const replay = await a.request('GET', paths.feed(a.deviceId), undefined, {
          nonce: 'n'.repeat(22),
        });
        assert.equal(replay.statusCode, 401);
        assert.equal(replay.json().error, 'replayed-nonce');
        // Another device may use the same nonce: nonces are per device.
        const other = await b.request('GET', paths.feed(b.deviceId), undefined, {
          nonce: 'n'.repeat(22),
        });
        assert.equal(other.statusCode, 200);
      });

      it('refuses stale and future timestamps beyond the bound, and reports the skew', async () => {
        const stale = await a.request('GET', paths.feed(a.deviceId), undefined, {
          timestamp: now - MAX_CLOCK_SKEW_MS - 1000,
        });
        assert.equal(stale.statusCode, 401);
        assert.equal(stale.json().error, 'clock-skew');
        assert.equal(stale.json().skewMs, -MAX_CLOCK_SKEW_MS - 1000);
        const future = await a.request('GET', paths.feed(a.deviceId), undefined, {
          timestamp: now + MAX_CLOCK_SKEW_MS + 1000,
        });
        assert.equal(future.json().error, 'clock-skew');
        const skewed = await a.request('GET', paths.feed(a.deviceId), undefined, {
          timestamp: now + 90_000,
        });
        assert.equal(skewed.statusCode, 200);
        assert.equal(skewed.headers['x-clock-skew-ms'], '90000');
        assert.equal(skewed.headers['x-server-time'], String(now));
      });

      it("refuses a device's id signed with another key, an unknown device and a changed body", async () => {
        const forged = await a.request('GET', paths.feed(b.deviceId), undefined, {
          as: { deviceId: b.deviceId, privateKeyPem: a.keys.privateKeyPem },
        });
        assert.equal(forged.statusCode, 401);
        assert.equal(forged.json().error, 'bad-signature');
        const unknown = await a.request('GET', paths.feed(a.deviceId), undefined, {
          as: {
            deviceId: '00000000-0000-4000-8000-000000000000',
            privateKeyPem: a.keys.privateKeyPem,
          },
        });
        assert.equal(unknown.json().error, 'unknown-device');
        const headers = signRequest(
          { method: 'POST', path: paths.feedAck(a.deviceId), body: JSON.stringify({ cursor: 0 }) },
          { deviceId: a.deviceId, privateKey: a.keys.privateKeyPem },
          now,
        );
        const changed = await app.inject({
          method: 'POST',
          url: paths.feedAck(a.deviceId),
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ cursor: 1 }),
        });
        assert.equal(changed.json().error, 'bad-signature');
      });

      it("a device can neither read another device's feed nor push for it", async () => {
        await storage.appendFeed(a.deviceId, announce('secret-item'), now);
        const read = await b.request('GET', paths.feed(a.deviceId));
        assert.equal(read.statusCode, 403);
        assert.equal(read.json().error, 'wrong-device');
        assert.doesNotMatch(read.body, /secret-item/);
        const ack = await b.request('POST', paths.feedAck(a.deviceId), { cursor: 1 });
        assert.equal(ack.statusCode, 403);
        const pushedAsOther = await b.request('POST', paths.events(b.deviceId), {
          events: [{ ...b.event(1, 'item-ready', ready('i1')), deviceId: a.deviceId }],
        });
        assert.equal(pushedAsOther.statusCode, 403);
        assert.deepEqual(await storage.events(a.deviceId), []);
        assert.deepEqual(await storage.events(b.deviceId), []);
        assert.equal((await storage.device(a.deviceId))?.feedAcked, 0);
      });
    });

    describe('push', () => {
      it('applies a batch in seq order whatever order it was sent in', async () => {
        const reply = await a.push([
          a.event(2, 'item-picked-up', pickedUp('i1')),
          a.event(1, 'item-ready', ready('i1')),
        ]);
        assert.equal(reply.statusCode, 200);
        assert.deepEqual(statuses(reply.json()), [
          [1, 'applied'],
          [2, 'applied'],
        ]);
        assert.equal((await storage.item('i1'))?.status, 'picked_up');
        assert.deepEqual(
          (await storage.events(a.deviceId)).map((e) => e.seq),
          [1, 2],
        );
        assert.equal((await storage.device(a.deviceId))?.lastSeq, 2);
      });

      it('answers a duplicate with the stored result and applies it once', async () => {
        const batch = [
          a.event(1, 'item-ready', ready('i1')),
          a.event(2, 'compartment-state', { compartment: 'B2', defective: true, reason: 'jammed' }),
        ];
        const first = await a.push(batch);
        const again = await a.push(batch);
        assert.equal(again.statusCode, 200);
        const results = again.json().results as PushResult[];
        assert.deepEqual(
          results.map((r) => r.status),
          ['duplicate', 'duplicate'],
        );
        const firstResults = first.json().results as PushResult[];
        assert.deepEqual(
          results.map((r) => r.status === 'duplicate' && r.stored),
          firstResults.map(
            (r) => r.status === 'applied' && { status: 'applied', result: r.result },
          ),
        );
        // Same key twice in one batch, keys reordered in the payload: one event.
        const inBatch = await a.push([
          a.event(3, 'item-picked-up', pickedUp('i1'), 'k3'),
          {
            ...a.event(3, 'item-picked-up', {}, 'k3'),
            payload: Object.fromEntries(Object.entries(pickedUp('i1')).reverse()),
          },
        ]);
        assert.deepEqual(statuses(inBatch.json()), [
          [3, 'applied'],
          [3, 'duplicate'],
        ]);
        assert.equal((await storage.events(a.deviceId)).length, 3);
      });

      it('answers 422 for a key reused with another payload, and still applies the rest', async () => {
        await a.push([a.event(1, 'item-ready', ready('i1'))]);
        const reply = await a.push([
          a.event(1, 'item-ready', ready('i1', 'C9')),
          a.event(2, 'item-ready', ready('i2'), 'other-key-for-2'),
          a.event(2, 'item-ready', ready('i3'), 'seq-2-again'),
        ]);
        assert.equal(reply.statusCode, 422);
        const results = reply.json().results as PushResult[];
        assert.deepEqual(
          results.map((r) => [r.idempotencyKey, r.status, 'reason' in r ? r.reason : null]),
          [
            ['key-1', 'conflict', 'payload-differs'],
            ['other-key-for-2', 'applied', null],
            ['seq-2-again', 'conflict', 'sequence-reused'],
          ],
        );
        assert.equal((await storage.item('i1'))?.compartment, 'A1');
        assert.equal(await storage.item('i3'), undefined);
      });

      it('parks a poison event and applies the events after it', async () => {
        handlers.explodes = async (_event, context) => {
          await context.setItemStatus({ itemId: 'half-done', reference: 'R', reported: 'loaded' });
          throw new Error('apply failed');
        };
        const reply = await a.push([
          a.event(1, 'item-ready', ready('i1')),
          a.event(2, 'item-ready', { itemId: 'i2' }),
          a.event(3, 'no-such-type', {}),
          a.event(4, 'explodes', {}),
          a.event(5, 'item-picked-up', pickedUp('i1')),
        ]);
        assert.equal(reply.statusCode, 200);
        assert.deepEqual(statuses(reply.json()), [
          [1, 'applied'],
          [2, 'parked'],
          [3, 'parked'],
          [4, 'parked'],
          [5, 'applied'],
        ]);
        const reasons = (reply.json().results as PushResult[]).map((r) =>
          'reason' in r ? r.reason : '',
        );
        assert.match(reasons[1]!, /payload of item-ready invalid \(reference: invalid_type/);
        assert.match(reasons[2]!, /unknown event type no-such-type/);
        assert.equal(reasons[3], 'apply failed');
        assert.equal(await storage.item('half-done'), undefined, 'the failed apply left nothing');
        assert.equal((await storage.item('i1'))?.status, 'picked_up');
        assert.deepEqual(
          (await storage.parkedEvents()).map((e) => [e.deviceId, e.seq]),
          [
            [a.deviceId, 2],
            [a.deviceId, 3],
            [a.deviceId, 4],
          ],
        );
        const again = await a.push([a.event(2, 'item-ready', { itemId: 'i2' })]);
        assert.deepEqual(again.json().results[0].stored, { status: 'parked', reason: reasons[1] });
      });

      it('keeps order per device: a late older event is recorded but changes nothing newer', async () => {
        await a.push([
          a.event(1, 'item-ready', ready('i1')),
          a.event(3, 'item-picked-up', pickedUp('i1')),
        ]);
        await b.push([b.event(1, 'item-ready', ready('i9'))]);
        const late = await a.push([
          a.event(2, 'item-retrieved', {
            itemId: 'i1',
            reference: 'REF-i1',
            compartment: 'A1',
            previousStatus: 'loaded',
            retrievedAt: START,
          }),
        ]);
        assert.deepEqual(late.json().results[0].result, {
          itemId: 'i1',
          status: 'retrieved',
          outcome: 'superseded',
        });
        assert.equal((await storage.item('i1'))?.status, 'picked_up');
        assert.deepEqual(
          (await storage.events(a.deviceId)).map((e) => e.seq),
          [1, 2, 3],
        );
        assert.deepEqual(
          (await storage.events(b.deviceId)).map((e) => e.seq),
          [1],
        );
        // An item belongs to the terminal that reported it first.
        const stolen = await b.push([b.event(2, 'item-picked-up', pickedUp('i1'))]);
        assert.equal(stolen.json().results[0].status, 'parked');
      });

      it('applies each event exactly once when the same batch races itself', async () => {
        const batch = Array.from({ length: 20 }, (_, i) =>
          a.event(i + 1, 'item-ready', ready(`i${i + 1}`)),
        );
        const replies = await Promise.all([a.push(batch), a.push(batch), a.push(batch)]);
        const applied = replies.flatMap((r) =>
          (r.json().results as PushResult[]).filter((x) => x.status === 'applied'),
        );
        assert.equal(applied.length, 20);
        assert.equal((await storage.events(a.deviceId)).length, 20);
      });

      it('refuses a malformed batch', async () => {
        const reply = await a.push([]);
        assert.equal(reply.statusCode, 400);
        assert.equal(reply.json().error, 'invalid-request');
      });
    });

    describe('pull and ack', () => {
      it('reads the feed after a cursor and acknowledges by cursor', async () => {
        for (const id of ['x1', 'x2', 'x3'])
          await storage.appendFeed(a.deviceId, announce(id), now);
        await storage.appendFeed(b.deviceId, announce('y1'), now);
        const page = await a.request('GET', `${paths.feed(a.deviceId)}?limit=2`);
        assert.equal(page.statusCode, 200);
        const body = page.json();
        assert.deepEqual(
          body.entries.map((e: { cursor: number; change: { itemId: string } }) => [
            e.cursor,
            e.change.itemId,
          ]),
          [
            [1, 'x1'],
            [2, 'x2'],
          ],
        );
        assert.equal(body.head, 3);
        assert.equal(body.acked, 0);
        assert.equal(
          (await a.request('POST', paths.feedAck(a.deviceId), { cursor: 2 })).json().acked,
          2,
        );
        const rest = (await a.request('GET', paths.feed(a.deviceId))).json();
        assert.deepEqual(
          rest.entries.map((e: { cursor: number }) => e.cursor),
          [3],
        );
        // An old ack again changes nothing; one past the head is refused.
        assert.equal(
          (await a.request('POST', paths.feedAck(a.deviceId), { cursor: 1 })).json().acked,
          2,
        );
        const ahead = await a.request('POST', paths.feedAck(a.deviceId), { cursor: 4 });
        assert.equal(ahead.statusCode, 409);
        assert.equal(ahead.json().error, 'cursor-ahead');
        const mine = (await b.request('GET', paths.feed(b.deviceId))).json();
        assert.deepEqual(
          mine.entries.map((e: { cursor: number; change: { itemId: string } }) => [
            e.cursor,
            e.change.itemId,
          ]),
          [[1, 'y1']],
        );
      });

      it('carries config, catalogue and remote commands; refuses contact data', async () => {
        await storage.appendFeed(
          a.deviceId,
          { kind: 'config-update', settings: { 'holding-days': 10 } },
          now,
        );
        await storage.appendFeed(
          a.deviceId,
          {
            kind: 'command',
            commandId: '7d1c1a0e-2b7e-4c9a-9d2a-0e8f4b7c6a51',
            command: 'open-compartment',
            compartment: 'A1',
            reason: 'staff on site',
            requestedBy: 'staff-1',
          },
          now,
        );
        await assert.rejects(
          storage.appendFeed(
            a.deviceId,
            { ...announce('x'), email: 'a@b.de' } as unknown as FeedChange,
            now,
          ),
        );
        const body = (await a.request('GET', `${paths.feed(a.deviceId)}?after=0`)).json();
        assert.deepEqual(
          body.entries.map((e: { change: { kind: string } }) => e.change.kind),
          ['config-update', 'command'],
        );
        const bad = await a.request('GET', `${paths.feed(a.deviceId)}?limit=0`);
        assert.equal(bad.statusCode, 400);
      });
    });

    it('GET /healthz names the storage and counts the notices waiting', async () => {
      const reply = await app.inject({ method: 'GET', url: paths.healthz });
      assert.equal(reply.statusCode, 200);
      assert.deepEqual(reply.json(), {
        status: 'ok',
        api: 'v1',
        storage: adapter.name,
        serverTime: now,
        notices: { pending: 0, failed: 0 },
        parkedEvents: 0,
      });
      const announced = await announceItem(
        storage,
        AnnounceInputSchema.parse({
          deviceId: a.deviceId,
          reference: 'REF-health',
          itemKind: 'document',
          email: 'someone@example.org',
          mobile: '+49 151 2345678',
        }),
        'clerk',
        now,
      );
      assert.ok(announced.ok);
      const itemId = announced.value.itemId;
      await a.push([a.event(1, 'item-ready', { ...ready(itemId), reference: 'REF-health' })]);
      const after = await app.inject({ method: 'GET', url: paths.healthz });
      assert.deepEqual(after.json().notices, { pending: 2, failed: 0 }, 'e-mail and SMS');
      await a.push([a.event(2, 'item-ready', { itemId: 'x' })]); // poison: fields missing
      assert.equal(
        (await app.inject({ method: 'GET', url: paths.healthz })).json().parkedEvents,
        1,
      );
    });
  });
}
