/**
 * Notices to citizens in the console, against both storage adapters: a failed notice (the
 * worker's channel refuses it for good) on the item page, on the notices page and as a
 * warning on the overview; retrying it (clerks and admins, CSRF, audited) queues it again.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { notificationOverview } from '../notifications/index.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { type ConsoleClient, type Harness, itemIdOf, openHarness } from './testing.ts';

const EMAIL = 'erika.mustermann@example.org';
const REASON = '550 5.1.1 mailbox unavailable';

for (const adapter of storageAdapters()) {
  describe(`console notices on ${adapter.name}`, () => {
    let h: Harness;
    let clerk: ConsoleClient;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      clerk = await h.client().signedIn('clara');
    });
    afterEach(() => h.close());

    /** An item loaded into the terminal whose pickup-code e-mail failed for good. */
    const failedItem = async (reference: string) => {
      await clerk.get('/console/announce');
      const announced = await clerk.post('/console/announce', {
        deviceId: h.device.deviceId,
        reference,
        itemKind: 'document',
        holdingDays: '10',
        language: 'de',
        email: EMAIL,
      });
      const itemId = itemIdOf(String(announced.headers.location));
      await h.loaded(itemId);
      assert.equal(await h.failDeliveries(), 1);
      const [notice] = await notificationOverview(h.storage, { itemId });
      assert.equal(notice?.status, 'failed');
      return { itemId, noticeId: notice.id, path: `/console/items/${itemId}` };
    };
    const retryPath = (id: string) => `/console/notices/${id}/retry`;

    it('shows a failed notice with its reason on the item page, the notices page and the overview', async () => {
      const { path } = await failedItem('AZ-77');
      const item = await clerk.get(path);
      assert.match(item.body, /<h2>Benachrichtigungen<\/h2>/);
      assert.match(
        item.body,
        /<th scope="row">Abholcode<\/th>\s*<td>E-Mail<\/td>\s*<td class="warn">fehlgeschlagen<\/td>\s*<td>1<\/td>\s*<td>Der Mailserver kennt diese E-Mail-Adresse nicht oder nimmt keine Nachrichten für sie an\. Bitte Adresse prüfen\.<details class="technical"><summary>Technische Angabe für die IT<\/summary><code lang="en">550 5\.1\.1 mailbox unavailable<\/code><\/details><\/td>/,
      );
      assert.match(item.body, /Abholcode per E-Mail für AZ-77 erneut senden/);
      assert.ok(!item.body.includes(EMAIL));

      const page = await clerk.get('/console/notices');
      assert.equal(page.statusCode, 200);
      assert.match(
        page.body,
        /<a href="\/console\/notices" aria-current="page">Benachrichtigungen/,
      );
      assert.match(page.body, /<caption>fehlgeschlagen: 1, neueste zuerst<\/caption>/);
      assert.match(page.body, new RegExp(`<th scope="row"><a href="${path}">AZ-77</a></th>`));
      assert.ok(page.body.includes(REASON));
      assert.match(
        page.body,
        /<dt>fehlgeschlagen<\/dt><dd class="warn"><a href="\/console\/notices\?status=failed">1<\/a><\/dd>/,
      );
      assert.ok(!page.body.includes(EMAIL));
      const sentOnly = await clerk.get('/console/notices?status=sent');
      assert.match(sentOnly.body, /Keine Nachrichten mit diesem Status/);
      assert.doesNotMatch(sentOnly.body, /AZ-77/);
      const failedOnly = await clerk.get('/console/notices?status=failed');
      assert.match(failedOnly.body, /AZ-77/);
      const ignored = await clerk.get('/console/notices?status=bogus');
      assert.match(ignored.body, /AZ-77/);

      const overview = await clerk.get('/console/');
      assert.match(
        overview.body,
        /<p class="warn">Nicht zugestellte Nachrichten an Bürgerinnen und Bürger: 1\. <a href="\/console\/notices\?status=failed">/,
      );
      const english = await clerk.get('/console/notices?lang=en');
      assert.match(english.body, /<caption>failed: 1, newest first<\/caption>/);
      assert.match(
        english.body,
        /<td>The mail server does not know this e-mail address or takes no messages for it\. Please check the address\.<details class="technical"><summary>Technical detail for IT<\/summary><code>550 5\.1\.1 mailbox unavailable<\/code><\/details><\/td>/,
      );
      assert.match(english.body, /Send pickup code by e-mail for AZ-77 again/);

      // A viewer reads, without the retry column.
      const viewer = await h.client().signedIn('vera');
      const read = await viewer.get('/console/notices');
      assert.equal(read.statusCode, 200);
      assert.match(read.body, /AZ-77/);
      assert.doesNotMatch(read.body, /\/retry"/);
      assert.doesNotMatch((await viewer.get(path)).body, /\/retry"/);
    });

    it('shows no warning on the overview while nothing failed', async () => {
      const overview = await clerk.get('/console/');
      assert.doesNotMatch(overview.body, /Nicht zugestellte Nachrichten/);
      const page = await clerk.get('/console/notices');
      assert.match(page.body, /Noch keine Nachrichten/);
    });

    it('retries a failed notice: pending again, audited, CSRF needed, refused for a viewer', async () => {
      const { itemId, noticeId, path } = await failedItem('AZ-78');
      const status = async () => (await notificationOverview(h.storage, { itemId }))[0]?.status;

      const viewer = await h.client().signedIn('vera');
      await viewer.get(path);
      assert.equal((await viewer.post(retryPath(noticeId), { from: 'item' })).statusCode, 403);
      await clerk.get(path);
      const noToken = await clerk.request('POST', retryPath(noticeId), { from: 'item' });
      assert.equal(noToken.statusCode, 403);
      assert.equal(await status(), 'failed');
      assert.deepEqual(
        await h.storage.sql.all("SELECT 1 AS one FROM console_audit WHERE action = 'notice-retry'"),
        [],
      );

      const retried = await clerk.post(retryPath(noticeId), { from: 'item' });
      assert.equal(retried.statusCode, 303);
      assert.equal(retried.headers.location, `${path}?done=retried`);
      const [queued] = await notificationOverview(h.storage, { itemId });
      assert.deepEqual([queued?.status, queued?.attempts], ['pending', 0]);
      const [audit] = await h.storage.sql.all<{
        username: string;
        target: string;
        details: string;
      }>("SELECT username, target, details FROM console_audit WHERE action = 'notice-retry'");
      assert.equal(audit?.username, 'clara');
      assert.equal(audit?.target, noticeId);
      assert.deepEqual(JSON.parse(audit!.details), { itemId, kind: 'ready', channel: 'email' });
      const requeued = (await h.storage.itemHistory(itemId)).find(
        (e) => e.event === 'notice-requeued',
      );
      assert.equal(requeued?.actor, 'clara');

      const page = await clerk.get(String(retried.headers.location));
      assert.match(page.body, /Die Nachricht wird erneut versendet/);
      assert.match(page.body, /<td>wartet auf Versand<\/td>/);
      assert.doesNotMatch(page.body, /\/retry"/);
      assert.match(page.body, /Nachricht erneut eingeplant/, 'history names the requeue');

      // Not failed any more: refused, nothing audited twice.
      const twice = await clerk.post(retryPath(noticeId), { from: 'item' });
      assert.equal(twice.statusCode, 409);
      assert.match(twice.body, /Nur fehlgeschlagene Nachrichten/);
      assert.equal((await clerk.post(retryPath('no-such-notice'))).statusCode, 404);

      // Failing again, retried from the notices page: back to that page.
      assert.equal(await h.failDeliveries(), 1);
      await clerk.get('/console/notices');
      const fromList = await clerk.post(retryPath(noticeId), { from: 'notices' });
      assert.equal(fromList.headers.location, '/console/notices?done=retried');
      const list = await clerk.get(String(fromList.headers.location));
      assert.match(list.body, /<caption>wartet auf Versand: 1, neueste zuerst<\/caption>/);
      const audits = await h.storage.sql.all(
        "SELECT 1 AS one FROM console_audit WHERE action = 'notice-retry'",
      );
      assert.equal(audits.length, 2);
      const logged = JSON.stringify(h.logger.entries);
      assert.ok(!logged.includes(EMAIL));
      assert.ok(h.logger.entries.some((e) => e.event === 'console.notice-retry'));
    });
  });
}
