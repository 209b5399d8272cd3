/**
 * Refused feed changes and withdrawn items on the console's pages (issues #9.16, #16), on
 * both storage adapters: a remote action the terminal refused shows as refused (not as
 * carried out), a refused cancellation on its item, and an item cancelled while it lay in a
 * compartment as "cancelled – in compartment X, please take it out".
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { paths } from '../../protocol/index.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { type ConsoleClient, type Harness, itemIdOf, openHarness } from './testing.ts';

for (const adapter of storageAdapters()) {
  describe(`console: refused changes and withdrawn items (${adapter.name})`, () => {
    let h: Harness;
    let clerk: ConsoleClient;
    /** Event seqs of this file's own pushes, clear of the harness's own (1, 2, …). */
    let seq = 100;
    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      clerk = await h.client().signedIn('clara');
    });
    afterEach(() => h.close());

    const terminal = () => `/console/terminals/${h.device.deviceId}`;
    const refuse = async (payload: Record<string, unknown>) => {
      seq += 1;
      const reply = await h.device.push([h.device.event(seq, 'feed-change-refused', payload)]);
      assert.equal(reply.statusCode, 200, reply.body);
      assert.equal(reply.json().results[0].status, 'applied', reply.body);
    };
    const ack = async (cursor: number) => {
      const reply = await h.device.request('POST', paths.feedAck(h.device.deviceId), { cursor });
      assert.equal(reply.statusCode, 200, reply.body);
    };
    const announceFields = () => ({
      deviceId: h.device.deviceId,
      reference: 'BA-2025-0042',
      itemKind: 'document',
      holdingDays: '10',
      language: 'de',
      email: 'max.mustermann@example.org',
      mobile: '',
      dateOfBirth: '',
    });
    const announce = async () => {
      await clerk.get('/console/announce');
      const reply = await clerk.post('/console/announce', announceFields());
      assert.equal(reply.statusCode, 303, reply.body);
      return itemIdOf(String(reply.headers.location));
    };
    const cancel = async (itemId: string) => {
      await clerk.get(`/console/items/${itemId}`);
      const reply = await clerk.post(`/console/items/${itemId}/cancel`, { reason: 'Irrtum' });
      assert.equal(reply.statusCode, 303, reply.body);
    };

    it('a remote action the terminal refused shows as refused, one it carried out as carried out', async () => {
      await clerk.get(terminal());
      for (const compartment of ['Z9', 'A1']) {
        const sent = await clerk.post(`${terminal()}/commands`, {
          command: 'open-compartment',
          compartment,
          reason: 'Tür prüfen',
        });
        assert.equal(sent.statusCode, 303);
      }
      const pending = await clerk.get(terminal());
      assert.doesNotMatch(pending.body, /übermittelt/);
      assert.equal(pending.body.match(/noch nicht beim Terminal angekommen/g)?.length, 2);
      // The terminal fetches both, refuses the first: it has no compartment Z9.
      await ack(2);
      await refuse({ cursor: 1, kind: 'command', subject: 'Z9', code: 'unknown-compartment' });
      const page = await clerk.get(terminal());
      assert.match(
        page.body,
        /<td>Z9<\/td>.*vom Terminal abgelehnt: Dieses Fach gibt es an diesem Terminal nicht\./,
      );
      assert.match(page.body, /<td>A1<\/td>.*vom Terminal ausgeführt/);
      assert.match(page.body, /2 von 2 vom Terminal abgeholt, davon 1 abgelehnt/);
      assert.doesNotMatch(page.body, /2 von 2 übernommen/);
    });

    it('a cancellation the terminal refused shows on the item', async () => {
      const itemId = await announce();
      await cancel(itemId);
      await refuse({ cursor: 2, kind: 'item-cancelled', subject: itemId, code: 'wrong-status' });
      const page = await clerk.get(`/console/items/${itemId}`);
      assert.match(
        page.body,
        /<p class="warn">Das Terminal hat die Stornierung vom [^<]+ abgelehnt: Die Sendung war am Terminal schon abgeholt, zurückgenommen oder storniert\.<\/p>/,
      );
    });

    it('an item loaded after its cancellation: "cancelled – in compartment A1, take it out" until retrieved', async () => {
      const itemId = await announce();
      await cancel(itemId);
      await h.loaded(itemId); // item-ready, compartment A1, reaches the fleet after the cancel
      assert.equal((await h.storage.item(itemId))?.status, 'withdrawn');
      const page = await clerk.get(`/console/items/${itemId}`);
      assert.match(page.body, /Storniert – liegt in Fach A1, bitte herausnehmen\./);
      assert.match(page.body, /storniert, liegt noch im Fach/);
      assert.doesNotMatch(page.body, /abholbereit/);
      assert.doesNotMatch(page.body, /name="reason"/, 'no second cancellation offered');
      const list = await clerk.get('/console/items?status=withdrawn');
      assert.match(list.body, /BA-2025-0042/);
      const queued = await h.storage.sql.all('SELECT 1 AS one FROM notifications');
      assert.deepEqual(queued, [], 'no ready notice');
      // Still in its compartment: the terminal would refuse the same reference again.
      const again = await clerk.post('/console/announce', announceFields());
      assert.equal(again.statusCode, 422);
      assert.match(again.body, /Aktenzeichen ist an diesem Terminal schon/);
      seq += 1;
      await h.device.push([
        h.device.event(seq, 'item-retrieved', {
          itemId,
          reference: 'BA-2025-0042',
          compartment: 'A1',
          previousStatus: 'expired',
          retrievedAt: h.clock.now(),
        }),
      ]);
      const after = await clerk.get(`/console/items/${itemId}`);
      assert.doesNotMatch(after.body, /bitte herausnehmen/);
      assert.match(after.body, /zurückgenommen/);
    });
  });
}
