/**
 * The evaluation page (issue #13) on both storage adapters: who may open it (evaluators and
 * admins; clerks and viewers not; an evaluator nothing else), what it shows (SVG charts with
 * target lines, the same numbers in tables, small cells as "."), its filters and their errors.
 *
 * The data, pushed by the test terminal as usage events: completed document pickups, 7 in
 * ISO week 2025-W25, 2 in W26, 6 in W27. W26 is a small cell; W27 is suppressed with it (else
 * the period's 15 minus 7 and 6 would reveal the 2).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { type Harness, openHarness } from './testing.ts';

const DAY = 86_400_000;
/** Noon UTC on a day of June/July 2025 (the harness's clock starts on 2025-06-15). */
const noon = (month: number, day: number) => Date.UTC(2025, month - 1, day, 12);
const SESSIONS = [
  ...Array.from({ length: 7 }, (_, i) => noon(6, 16) + i * 60_000),
  ...Array.from({ length: 2 }, (_, i) => noon(6, 24) + i * 60_000),
  ...Array.from({ length: 6 }, (_, i) => noon(7, 1) + i * 60_000),
];
const PERIOD = '?from=2025-06-16&to=2025-07-06';

/** The table row whose header cell is `label`, as text. */
const rowOf = (body: string, label: string) =>
  new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`).exec(body)?.[1] ?? '';

for (const adapter of storageAdapters()) {
  describe(`evaluation page (${adapter.name})`, () => {
    let h: Harness;
    const sessionIds: string[] = [];

    before(async () => {
      await adapter.setup();
      h = await openHarness(adapter);
      sessionIds.push(...(await h.pushVisits(SESSIONS)));
      h.clock.advance(30 * DAY);
    });

    after(async () => {
      await h?.close();
      await adapter.teardown();
    });

    it('an evaluator lands on it after signing in and opens nothing else', async () => {
      const eva = h.client();
      const login = await eva.login('eva');
      assert.equal(login.statusCode, 303);
      const home = await eva.get('/console/');
      assert.equal(home.statusCode, 303);
      assert.equal(home.headers.location, '/console/evaluation');
      for (const path of [
        '/console/items',
        '/console/announce',
        '/console/notices',
        '/console/parked',
        `/console/terminals/${h.device.deviceId}`,
        '/console/users',
        '/console/audit',
      ]) {
        assert.equal((await eva.get(path)).statusCode, 403, path);
      }
      const page = await eva.get(`/console/evaluation${PERIOD}`);
      assert.equal(page.statusCode, 200);
      // Its navigation offers the evaluation only; the own password stays reachable.
      assert.match(
        page.body,
        /<nav[^>]*><ul><li><a href="\/console\/evaluation" aria-current="page">/,
      );
      assert.doesNotMatch(page.body, /href="\/console\/items"/);
      assert.equal((await eva.get('/console/password')).statusCode, 200);
    });

    it('clerks and viewers cannot open it; admins can', async () => {
      for (const username of ['clara', 'vera']) {
        const client = await h.client().signedIn(username);
        const page = await client.get(`/console/evaluation${PERIOD}`);
        assert.equal(page.statusCode, 403, username);
        assert.doesNotMatch(page.body, /<svg/);
        assert.doesNotMatch(page.body, /href="\/console\/evaluation"/);
      }
      const admin = await h.client().signedIn('anna');
      assert.equal((await admin.get(`/console/evaluation${PERIOD}`)).statusCode, 200);
    });

    it('draws the uses per week with the target line and the same numbers in a table, small cells suppressed', async () => {
      const eva = await h.client().signedIn('eva');
      const { body } = await eva.get(`/console/evaluation${PERIOD}&lang=en`);
      assert.match(
        body,
        /<svg class="chart"[^>]*role="img" aria-labelledby="chart-0-title chart-0-desc"/,
      );
      // W25 is drawn; W26 and W27 have no bar.
      assert.equal((body.split('<svg')[1]!.match(/<rect /g) ?? []).length, 1);
      // Target 100 a week: a dashed red line across the chart.
      assert.match(body.split('</svg>')[0]!, /stroke="#b00020"[^>]*stroke-dasharray/);
      assert.match(rowOf(body, '2025-W25'), /<td>7<\/td><td>100<\/td>/);
      for (const week of ['2025-W26', '2025-W27']) {
        assert.match(rowOf(body, week), /<abbr title="suppressed \(small count\)">\.<\/abbr>/);
      }
      // The whole period: 15 uses, shown; 15 over three weeks is 5 a week.
      assert.match(
        rowOf(body, 'Uses: completed visits'),
        /<td>15<\/td><td>visits<\/td><td>15<\/td>/,
      );
      assert.match(
        rowOf(
          body,
          'Uses per week \\(target 100 for all terminals together; for a site or terminal 15 per device and day from month 4, times 7\\)',
        ),
        /<td>5<\/td><td>uses\/week<\/td>/,
      );
      // Aggregates only: no visit appears.
      for (const id of sessionIds) assert.ok(!body.includes(id));
    });

    it('filters by service and says in one line what is wrong with a filter', async () => {
      const eva = await h.client().signedIn('eva');
      const service = await eva.get(`/console/evaluation${PERIOD}&service=document-pickup`);
      assert.equal(service.statusCode, 200);
      assert.match(service.body, /<option value="document-pickup" selected>/);
      const both = await eva.get(`/console/evaluation${PERIOD}&site=Demo&service=document-pickup`);
      assert.equal(both.statusCode, 400);
      assert.match(both.body, /Bitte wählen Sie entweder einen Standort oder einen Dienst/);
      const order = await eva.get('/console/evaluation?from=2025-07-06&to=2025-06-16');
      assert.equal(order.statusCode, 400);
      assert.match(order.body, /Das Startdatum muss vor dem Enddatum liegen/);
      const noFrom = await eva.get('/console/evaluation?to=31.12.2025');
      assert.equal(noFrom.statusCode, 400);
      assert.match(noFrom.body, /id="f-to-error">Bitte geben Sie ein Datum als JJJJ-MM-TT ein/);
      const bad = await eva.get('/console/evaluation?from=16.06.2025');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="f-from-error">Bitte geben Sie ein Datum als JJJJ-MM-TT ein/);
    });
  });
}
