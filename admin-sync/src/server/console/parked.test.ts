/**
 * Parked events in the console, against both storage adapters: the test terminal pushes an
 * `item-ready` with fields missing, the server parks it; the parked-events page lists it
 * with its reason and never its payload, every role may read it, and the overview and the
 * terminal's page warn with the count.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { type ConsoleClient, type Harness, openHarness, POISON_PAYLOAD } from './testing.ts';

const PAGE = '/console/parked';

for (const adapter of storageAdapters()) {
  describe(`console parked events on ${adapter.name}`, () => {
    let h: Harness;
    let clerk: ConsoleClient;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      clerk = await h.client().signedIn('clara');
    });
    afterEach(() => h.close());

    const terminal = () => `/console/terminals/${h.device.deviceId}`;
    const filtered = () => `${PAGE}?device=${h.device.deviceId}`;
    const assertNoPayload = (body: string, page: string) => {
      for (const value of Object.values(POISON_PAYLOAD))
        assert.ok(!body.includes(value), `${page}: ${value}`);
    };

    it('lists a parked event with terminal, seq, type, time and reason, never its payload', async () => {
      const empty = await clerk.get(PAGE);
      assert.equal(empty.statusCode, 200);
      assert.match(empty.body, /Keine nicht verarbeiteten Meldungen\./);
      await h.parkPoisonEvent();

      const page = await clerk.get(PAGE);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1>Nicht verarbeitete Meldungen<\/h1>/);
      assert.match(page.body, /<a href="\/console\/parked" aria-current="page">/);
      assert.match(
        page.body,
        /<caption>Nicht verarbeitete Meldungen: 1, neueste zuerst<\/caption>/,
      );
      const name = h.device.deviceId.slice(0, 8);
      assert.match(
        page.body,
        new RegExp(
          `<th scope="row"><a href="${terminal()}">${name}</a></th>\\s*<td>1</td>\\s*<td lang="en">item-ready</td>\\s*<td>15\\.06\\.2025, 17:06</td>\\s*<td lang="en">payload of item-ready invalid \\([^<]*compartment: invalid_type[^<]*\\)</td>`,
        ),
      );
      assertNoPayload(page.body, 'de');

      const english = await clerk.get(`${PAGE}?lang=en`);
      assert.match(english.body, /<caption>Unprocessed reports: 1, newest first<\/caption>/);
      assert.match(english.body, /<td>item-ready<\/td>/);
      assert.match(english.body, /<td>payload of item-ready invalid \(/);
      assertNoPayload(english.body, 'en');
    });

    it('filters by terminal', async () => {
      await h.parkPoisonEvent();
      const own = await clerk.get(filtered());
      assert.match(own.body, /<caption>Nicht verarbeitete Meldungen: 1,/);
      assert.match(own.body, new RegExp(`<option value="${h.device.deviceId}" selected>`));
      const other = await clerk.get(`${PAGE}?device=another-terminal`);
      assert.match(other.body, /Keine nicht verarbeiteten Meldungen\./);
      const all = await clerk.get(`${PAGE}?device=`);
      assert.match(all.body, /<caption>Nicht verarbeitete Meldungen: 1,/);
    });

    it('warns on the overview and the terminal page with the count, linking to the list', async () => {
      const warning = /Meldungen von [0-9a-f]{8}, die der Server nicht verarbeiten konnte: (\d+)\./;
      assert.doesNotMatch((await clerk.get('/console/')).body, warning);
      assert.doesNotMatch((await clerk.get(terminal())).body, warning);
      await h.parkPoisonEvent();
      await h.parkPoisonEvent();
      const href = filtered().replace('?', '\\?');
      const link = `<a href="${href}">Nicht verarbeitete Meldungen von [0-9a-f]{8} ansehen</a>`;
      for (const path of ['/console/', terminal()]) {
        const body = (await clerk.get(path)).body;
        assert.equal(warning.exec(body)?.[1], '2', path);
        assert.match(body, new RegExp(`<p class="warn">[^<]+ ${link}</p>`), path);
        assertNoPayload(body, path);
      }
    });

    it('lets every role read it: viewer, clerk and admin', async () => {
      await h.parkPoisonEvent();
      for (const username of ['vera', 'clara', 'anna']) {
        const client = await h.client().signedIn(username);
        const overview = await client.get('/console/');
        assert.match(
          overview.body,
          /<a href="\/console\/parked">Nicht verarbeitete Meldungen<\/a>/,
        );
        const page = await client.get(PAGE);
        assert.equal(page.statusCode, 200, username);
        assert.match(page.body, /<td lang="en">item-ready<\/td>/, username);
      }
      const anonymous = await h.client().get(PAGE);
      assert.equal(anonymous.statusCode, 303);
    });
  });
}
