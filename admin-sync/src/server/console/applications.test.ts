/**
 * Applications in the console, on SQLite and PostgreSQL: the clerk's inbox shows metadata
 * only (never the ciphertext's content), offers each envelope for download and a parked one
 * with its reason; "ready for pickup" announces the result to the terminal with the case
 * number as reference. Clerks and admins may; viewers may not (nor see the menu entry).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ApplicationSubmitted, ItemAnnounced } from '../../protocol/index.ts';
import { application } from '../applications/store.ts';
import { destinationKeys, submitToInbox, TYPED } from '../applications/testing.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { ROLES } from './store.ts';
import { type ConsoleClient, type Harness, openHarness } from './testing.ts';

const PAGE = '/console/applications';
const { publicJwk } = destinationKeys();

for (const adapter of storageAdapters()) {
  describe(`console applications on ${adapter.name}`, () => {
    let h: Harness;
    let clerk: ConsoleClient;
    let dog: ApplicationSubmitted;
    let certificate: ApplicationSubmitted;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      const sealed = await submitToInbox(h, publicJwk, [
        { caseNumber: 'A-T1-00017' },
        { caseNumber: 'A-T1-00018', pickupAtTerminal: true },
      ]);
      dog = sealed[0]!;
      certificate = sealed[1]!;
      clerk = await h.client().signedIn('clara');
    });
    afterEach(() => h.close());

    it('lists case number, service, terminal, time and state; never the content', async () => {
      const page = await clerk.get(PAGE);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<a href="\/console\/applications" aria-current="page">Anträge<\/a>/);
      assert.match(page.body, /<caption>Anträge: 2, neueste zuerst<\/caption>/);
      const name = h.device.deviceId.slice(0, 8);
      assert.match(
        page.body,
        new RegExp(
          `<th scope="row">A-T1-00017</th>\\s*<td>hund-anmelden</td>\\s*<td>${name}</td>\\s*<td>15\\.06\\.2025, 17:06</td>\\s*<td>rathaus-inbox</td>\\s*<td><span class="state">Im Posteingang</span></td>`,
        ),
      );
      assert.match(page.body, /Umschlag zu A-T1-00017 herunterladen/);
      // Only the one to be handed out at the terminal can be announced for pickup.
      assert.doesNotMatch(page.body, /A-T1-00017: zur Abholung bereit/);
      assert.match(page.body, /A-T1-00018: zur Abholung bereit/);
      for (const secret of [...Object.values(TYPED), dog.data.slice(0, 40)]) {
        assert.ok(!page.body.includes(secret), secret);
      }
      const english = await clerk.get(`${PAGE}?lang=en`);
      assert.match(english.body, /<span class="state">In the inbox<\/span>/);
    });

    it('downloads the encrypted envelope, recorded in the audit log', async () => {
      const download = await clerk.get(`${PAGE}/${dog.submissionId}/envelope`);
      assert.equal(download.statusCode, 200);
      assert.equal(
        download.headers['content-disposition'],
        'attachment; filename="antrag-A-T1-00017.json"',
      );
      const envelope = download.json() as Record<string, unknown>;
      assert.equal(envelope.data, dog.data);
      assert.deepEqual(envelope.attachments, dog.attachments);
      assert.deepEqual(envelope.metadata, dog.metadata);
      assert.equal(envelope.pickupAtTerminal, undefined);
      const admin = await h.client().signedIn('anna');
      const audit = await admin.get('/console/audit');
      assert.match(audit.body, /Umschlag eines Antrags heruntergeladen/);
      assert.equal((await clerk.get(`${PAGE}/unknown/envelope`)).statusCode, 404);
    });

    it('shows an undeliverable application with its reason, and its envelope', async () => {
      const stored = await application(h.storage.sql, dog.submissionId);
      await h.storage.sql.run(
        "UPDATE applications SET state = 'parked', reason = 'create-refused-422' WHERE submission_id = ?",
        [stored!.submissionId],
      );
      const page = await clerk.get(PAGE);
      assert.match(page.body, /<p class="warn">Nicht zustellbare Anträge: 1\./);
      assert.match(
        page.body,
        /<th scope="row">A-T1-00017<\/th>[\s\S]*?<span class="state warn">Nicht zustellbar<\/span><\/td>\s*<td lang="en">create-refused-422<\/td>/,
      );
      assert.match(page.body, /Umschlag zu A-T1-00017 herunterladen/);

      // Once the cause is fixed, the clerk sends it again: queued for the relay, audited.
      assert.match(page.body, /<button type="submit">A-T1-00017 erneut senden<\/button>/);
      const retried = await clerk.post(`${PAGE}/${dog.submissionId}/retry`);
      assert.equal(retried.statusCode, 303);
      const queued = await application(h.storage.sql, dog.submissionId);
      assert.deepEqual([queued?.state, queued?.reason], ['queued', null]);
      assert.match(
        (await clerk.get(`${PAGE}?done=retried`)).body,
        /Der Antrag wird erneut gesendet\./,
      );
      assert.equal((await clerk.post(`${PAGE}/${dog.submissionId}/retry`)).statusCode, 404);
      const viewer = await h.client().signedIn('vera');
      assert.equal(
        (await viewer.post(`${PAGE}/${certificate.submissionId}/retry`)).statusCode,
        403,
      );
    });

    it('announces the result for pickup at the terminal, with the case number as reference', async () => {
      const form = await clerk.get(`${PAGE}/${certificate.submissionId}/pickup`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<h1>Zur Abholung bereit: A-T1-00018<\/h1>/);
      const missing = await clerk.post(`${PAGE}/${certificate.submissionId}/pickup`, {});
      assert.equal(missing.statusCode, 422);
      assert.match(missing.body, /Geben Sie eine E-Mail-Adresse oder eine Mobilnummer ein/);

      const done = await clerk.post(`${PAGE}/${certificate.submissionId}/pickup`, {
        email: 'erika@example.org',
        language: 'de',
      });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, `${PAGE}?done=announced`);
      const stored = await application(h.storage.sql, certificate.submissionId);
      const item = await h.storage.item(stored!.pickupItemId!);
      assert.deepEqual(
        [item?.reference, item?.kind, item?.status, item?.deviceId],
        ['A-T1-00018', 'document', 'announced', h.device.deviceId],
      );
      const feed = (await h.storage.feed(h.device.deviceId, 0, 100)).entries.map((e) => e.change);
      const announced = feed.filter((c): c is ItemAnnounced => c.kind === 'item-announced');
      assert.deepEqual(
        announced.map((c) => [c.reference, c.itemId]),
        [['A-T1-00018', stored!.pickupItemId]],
      );
      const page = await clerk.get(`${PAGE}?done=announced`);
      assert.match(page.body, /Die Abholung ist angekündigt\./);
      assert.match(page.body, /Sendung zu A-T1-00018 ansehen/);
      assert.doesNotMatch(page.body, /A-T1-00018: zur Abholung bereit/);
      // Announced once: the form is gone.
      assert.equal((await clerk.get(`${PAGE}/${certificate.submissionId}/pickup`)).statusCode, 404);
      const again = await clerk.post(`${PAGE}/${certificate.submissionId}/pickup`, {
        email: 'erika@example.org',
      });
      assert.equal(again.statusCode, 404);
      assert.equal((await h.storage.items({ reference: 'A-T1-00018' })).length, 1);
      // The application without pickup cannot be announced.
      assert.equal((await clerk.get(`${PAGE}/${dog.submissionId}/pickup`)).statusCode, 404);
    });

    it('is for the roles that act (clerk, admin) only: every other role gets 403', async () => {
      // Every role there is, also ones added later (an evaluator reads figures, not envelopes).
      for (const role of ROLES) {
        const username = `role-${role}`;
        await h.addUser(username, role);
        const client = await h.client().signedIn(username);
        const page = await client.get(`${PAGE}/${dog.submissionId}/envelope`);
        const acts = role === 'admin' || role === 'clerk';
        assert.equal(page.statusCode, acts ? 200 : 403, role);
      }
    });

    it('lets clerks and admins in; viewers get 403 and no menu entry', async () => {
      for (const username of ['clara', 'anna']) {
        const client = await h.client().signedIn(username);
        assert.equal((await client.get(PAGE)).statusCode, 200, username);
      }
      const viewer = await h.client().signedIn('vera');
      assert.doesNotMatch((await viewer.get('/console/')).body, /href="\/console\/applications"/);
      for (const path of [
        PAGE,
        `${PAGE}/${dog.submissionId}/envelope`,
        `${PAGE}/${certificate.submissionId}/pickup`,
      ]) {
        const page = await viewer.get(path);
        assert.equal(page.statusCode, 403, path);
        assert.ok(!page.body.includes(dog.data.slice(0, 40)));
      }
      const post = await viewer.post(`${PAGE}/${certificate.submissionId}/pickup`, {
        email: 'erika@example.org',
      });
      assert.equal(post.statusCode, 403);
      assert.equal((await h.storage.items({ reference: 'A-T1-00018' })).length, 0);
      assert.equal((await h.client().get(PAGE)).statusCode, 303);
    });
  });
}
