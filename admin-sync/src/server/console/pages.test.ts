/**
 * The console's pages and actions against both storage adapters: overview, announce (happy
 * path, field errors), items and item detail, cancelling (one transaction with its feed
 * change and audit row; twice refused), remote actions, users, audit log, escaping, and the
 * structure assistive technology relies on.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FeedChange } from '../../protocol/index.ts';
import { AnnounceInputSchema } from '../announce.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { cancelItem } from './feed-actions.ts';
import { consoleStore } from './store.ts';
import {
  type ConsoleClient,
  consolePages,
  type Harness,
  itemIdOf,
  openHarness,
} from './testing.ts';

const EMAIL = 'max.mustermann@example.org';
const MOBILE = '+49 151 2345678';

const announceForm = (deviceId: string, overrides: Record<string, string> = {}) => ({
  deviceId,
  reference: 'BA-2025-0042',
  itemKind: 'document',
  holdingDays: '10',
  language: 'de',
  email: EMAIL,
  mobile: MOBILE,
  dateOfBirth: '',
  ...overrides,
});

/** The element with this id, as text (for "the error sits next to its field"). */
const byId = (body: string, id: string) =>
  new RegExp(`<[^>]+id="${id}"[^>]*>([\\s\\S]*?)</`).exec(body)?.[1] ?? '';

/** WCAG basics that need no browser: lang, skip link, one h1, labels, tables, ids. */
function assertAccessibleStructure(body: string, page: string) {
  assert.match(body, /^<!doctype html>\n<html lang="(de|en)">/, `${page}: lang`);
  assert.match(body, /<title>[^<]+<\/title>/, `${page}: title`);
  assert.match(body, /<a class="skip-link" href="#main">/, `${page}: skip link`);
  assert.match(body, /<main id="main"/, `${page}: main landmark`);
  assert.equal(body.match(/<h1[ >]/g)?.length, 1, `${page}: one h1`);
  const ids = [...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `${page}: unique ids`);
  for (const control of body.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const attributes = control[2] ?? '';
    if (/type="hidden"/.test(attributes)) continue;
    const id = /\sid="([^"]+)"/.exec(attributes)?.[1];
    assert.ok(id, `${page}: control without id: ${control[0]}`);
    assert.match(body, new RegExp(`<label for="${id}">`), `${page}: label for ${id}`);
    for (const described of /aria-describedby="([^"]+)"/.exec(attributes)?.[1]?.split(' ') ?? []) {
      assert.ok(ids.includes(described), `${page}: ${id} described by missing ${described}`);
    }
  }
  for (const table of body.matchAll(/<table>([\s\S]*?)<\/table>/g)) {
    assert.match(table[1] ?? '', /^\s*<caption>/, `${page}: table caption`);
    assert.doesNotMatch(table[1] ?? '', /<th(?! scope="(col|row)")[ >]/, `${page}: th scope`);
  }
  for (const button of body.matchAll(/<button[^>]*>([^<]*)<\/button>/g)) {
    assert.ok(button[1]?.trim(), `${page}: button without text`);
  }
  assert.doesNotMatch(body, /<script|style="|\son[a-z]+="/i, `${page}: no script or inline style`);
}

for (const adapter of storageAdapters()) {
  describe(`console pages on ${adapter.name}`, () => {
    let h: Harness;
    let clerk: ConsoleClient;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter);
      clerk = await h.client().signedIn('clara');
    });
    afterEach(() => h.close());

    const feed = async () =>
      (await h.storage.feed(h.device.deviceId, 0, 100)).entries.map((e) => e.change);

    const announce = async (overrides: Record<string, string> = {}) => {
      await clerk.get('/console/announce');
      return clerk.post('/console/announce', announceForm(h.device.deviceId, overrides));
    };

    it('shows each terminal with its state, occupancy, defects, door alarms and queue', async () => {
      const empty = await clerk.get('/console/');
      assert.match(empty.body, /Noch kein Bericht/);
      await h.reportStatus({
        queueLength: 7,
        compartments: { total: 24, occupied: 9, defective: 2 },
        doorAlarms: [{ compartment: 'B4', alarm: 'left-open' }],
      });
      const page = await clerk.get('/console/');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<caption>Alle Terminals \(1\)<\/caption>/);
      assert.match(page.body, />Online</);
      assert.match(page.body, /9 von 24 Fächern belegt/);
      assert.match(page.body, /<td>2<\/td>/);
      assert.match(page.body, /Fach B4: Tür offen gelassen/);
      assert.match(page.body, /<td>7<\/td>/);
      h.clock.advance(6 * 60_000);
      assert.match((await clerk.get('/console/')).body, />Offline</);
    });

    it('announces an item: stored as announced, fed to the terminal as hashes only, code never shown', async () => {
      const response = await announce();
      assert.equal(response.statusCode, 303);
      const location = String(response.headers.location);
      assert.match(location, /^\/console\/items\/[0-9a-f-]{36}\?done=announced$/);
      const itemId = itemIdOf(location);

      const item = await h.storage.item(itemId);
      assert.equal(item?.status, 'announced');
      assert.equal(item?.deviceId, h.device.deviceId);
      assert.equal(item?.holdingDays, 10);
      const code = await h.storage.pendingCode(itemId);
      assert.ok(code);

      const changes = await feed();
      assert.equal(changes.length, 1);
      const change = changes[0] as Extract<FeedChange, { kind: 'item-announced' }>;
      assert.equal(change.kind, 'item-announced');
      assert.equal(change.itemId, itemId);
      assert.notEqual(change.codeHash, code);
      const fed = JSON.stringify(changes);
      for (const secret of [code, EMAIL, '2345678', 'max'])
        assert.ok(!fed.includes(secret), secret);

      const page = await clerk.get(location);
      assert.equal(page.statusCode, 200);
      assert.match(
        page.body,
        /Angekündigt\. Der Code wird versendet, sobald die Sendung eingelegt ist\./,
      );
      assert.match(page.body, /hinterlegt: m\*\*\*@example\.org/);
      assert.match(page.body, /hinterlegt: \+49 \*\*\* \*\*78/);
      for (const secret of [code, EMAIL, '2345678']) assert.ok(!page.body.includes(secret), secret);
      assert.match(page.body, /angekündigt/);

      const history = await h.storage.itemHistory(itemId);
      assert.deepEqual(
        history.map((e) => [e.event, e.actor]),
        [['announced', 'clara']],
      );
      const [audit] = await h.storage.sql.all<{ action: string; target: string; details: string }>(
        "SELECT action, target, details FROM console_audit WHERE action = 'announce'",
      );
      assert.equal(audit?.target, itemId);
      assert.ok(!audit?.details.includes(EMAIL));
      // No contact data or code in the logs either.
      const logged = JSON.stringify(h.logger.entries);
      for (const secret of [code, EMAIL, '2345678', 'BA-2025'])
        assert.ok(!logged.includes(secret), secret);
    });

    it('offers the notices in all eight terminal languages and keeps the one chosen', async () => {
      const form = await clerk.get('/console/announce');
      const select = /<select[^>]*name="language"[^>]*>([\s\S]*?)<\/select>/.exec(form.body)?.[1];
      const options = [...(select ?? '').matchAll(/<option value="([^"]+)"/g)];
      assert.deepEqual(
        options.map((m) => m[1]),
        ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'],
      );
      assert.match(form.body, /<option value="tr"[^>]*>Türkisch</);
      const response = await announce({ language: 'ar' });
      assert.equal(response.statusCode, 303);
      const itemId = itemIdOf(String(response.headers.location));
      assert.equal((await h.storage.itemContact(itemId))?.language, 'ar');
      const page = await clerk.get(String(response.headers.location));
      assert.match(page.body, /<dd>Arabisch<\/dd>/);
    });

    it('shows each error next to its field, in the page language, and stores nothing', async () => {
      const response = await announce({
        reference: '',
        email: 'not-an-address',
        mobile: '0151',
        holdingDays: '0',
      });
      assert.equal(response.statusCode, 422);
      const body = response.body;
      assert.match(body, /<title>Fehler: /);
      assert.match(body, /class="error-summary" role="alert"/);
      for (const [field, text] of [
        ['reference', 'Geben Sie das Aktenzeichen'],
        ['email', 'gültige E-Mail-Adresse'],
        ['mobile', 'Mobilnummer international'],
        ['holdingDays', 'Abholfrist von 1 bis 365'],
      ] as const) {
        assert.match(byId(body, `f-${field}-error`), new RegExp(text), field);
        assert.match(
          body,
          new RegExp(
            `<input id="f-${field}"[^>]*aria-describedby="[^"]*f-${field}-error"[^>]*aria-invalid="true"`,
          ),
          field,
        );
        assert.match(body, new RegExp(`<a href="#f-${field}">`), `${field} in the summary`);
      }
      // What was typed stays in the form.
      assert.match(body, /value="not-an-address"/);
      assert.deepEqual(await h.storage.items({}), []);
      assert.deepEqual(await feed(), []);

      const noContact = await announce({ email: '', mobile: '' });
      assert.equal(noContact.statusCode, 422);
      assert.match(byId(noContact.body, 'f-email-error'), /E-Mail-Adresse oder eine Mobilnummer/);

      await clerk.get('/console/?lang=en');
      const idDocument = await announce({ itemKind: 'id-document' });
      assert.equal(idDocument.statusCode, 422);
      assert.match(idDocument.body, /<html lang="en">/);
      assert.match(byId(idDocument.body, 'f-dateOfBirth-error'), /only with the date of birth/);
      const badDate = await announce({ itemKind: 'id-document', dateOfBirth: '31.02.1980' });
      assert.match(byId(badDate.body, 'f-dateOfBirth-error'), /valid date of birth/);
      assert.deepEqual(await h.storage.items({}), []);

      assert.equal(
        (await announce({ itemKind: 'id-document', dateOfBirth: '01.02.1980' })).statusCode,
        303,
      );
      const twice = await announce({ itemKind: 'id-document', dateOfBirth: '01.02.1980' });
      assert.equal(twice.statusCode, 422);
      assert.match(byId(twice.body, 'f-reference-error'), /already announced or loaded/);
      assert.equal((await h.storage.items({})).length, 1);
    });

    it('asks for the PIN letter at the terminal for an ID document only', async () => {
      const form = await clerk.get('/console/announce');
      assert.match(
        form.body,
        /<input type="checkbox" id="f-needsPinLetterConfirmation" name="needsPinLetterConfirmation" value="on" aria-describedby="f-needsPinLetterConfirmation-hint">/,
      );
      assert.match(
        form.body,
        /<label for="f-needsPinLetterConfirmation">PIN-Brief wurde separat verschickt – am Terminal bestätigen lassen<\/label>/,
      );

      const parcel = await announce({ itemKind: 'parcel', needsPinLetterConfirmation: 'on' });
      assert.equal(parcel.statusCode, 422);
      assert.match(
        byId(parcel.body, 'f-needsPinLetterConfirmation-error'),
        /nur bei Ausweisdokumenten/,
      );
      assert.match(
        parcel.body,
        /<input type="checkbox" id="f-needsPinLetterConfirmation"[^>]* checked aria-describedby="f-needsPinLetterConfirmation-hint f-needsPinLetterConfirmation-error" aria-invalid="true">/,
      );
      assert.match(parcel.body, /<a href="#f-needsPinLetterConfirmation">/);
      assertAccessibleStructure(parcel.body, 'PIN letter refused');
      assert.deepEqual(await h.storage.items({}), []);
      assert.deepEqual(await feed(), []);
      // The same rule for any other caller of the schema, with the field named.
      const refused = AnnounceInputSchema.safeParse({
        ...announceForm(h.device.deviceId, { itemKind: 'parcel' }),
        needsPinLetterConfirmation: true,
      });
      assert.deepEqual(
        refused.error?.issues.map((issue) => issue.path),
        [['needsPinLetterConfirmation']],
      );

      const idCard = await announce({
        itemKind: 'id-document',
        dateOfBirth: '01.02.1980',
        needsPinLetterConfirmation: 'on',
      });
      assert.equal(idCard.statusCode, 303);
      assert.equal((await announce({ reference: 'BA-2025-0043' })).statusCode, 303);
      const changes = (await feed()) as Extract<FeedChange, { kind: 'item-announced' }>[];
      assert.deepEqual(
        changes.map((c) => [c.itemKind, c.needsPinLetterConfirmation]),
        [
          ['id-document', true],
          ['document', false],
        ],
      );
    });

    it('lists items by terminal, status and reference, with status in words', async () => {
      await announce({ reference: 'AZ-100' });
      await announce({ reference: 'AZ-200' });
      const all = await clerk.get('/console/items');
      assert.match(all.body, /Sendungen \(2\)/);
      assert.match(all.body, /<td>angekündigt<\/td>/);
      const one = await clerk.get('/console/items?q=z-2');
      assert.match(one.body, /AZ-200/);
      assert.doesNotMatch(one.body, /AZ-100/);
      const none = await clerk.get('/console/items?status=picked_up');
      assert.match(none.body, /Keine Sendungen gefunden/);
      const byDevice = await clerk.get(
        `/console/items?device=${h.device.deviceId}&status=announced`,
      );
      assert.match(byDevice.body, /Sendungen \(2\)/);
      const viewer = await h.client().signedIn('vera');
      const read = await viewer.get('/console/items');
      assert.equal(read.statusCode, 200);
      const itemId = /href="\/console\/items\/([0-9a-f-]{36})"/.exec(read.body)?.[1];
      const detail = await viewer.get(`/console/items/${itemId}`);
      assert.equal(detail.statusCode, 200);
      assert.doesNotMatch(detail.body, /\/cancel"/, 'no cancel form for a viewer');
    });

    it('escapes what staff typed: a reference like <script> stays text', async () => {
      const evil = '<script>alert("x")</script>&"\'';
      const response = await announce({ reference: evil });
      assert.equal(response.statusCode, 303);
      for (const path of ['/console/items', String(response.headers.location)]) {
        const page = await clerk.get(path);
        assert.ok(!page.body.includes('<script>'), path);
        assert.match(
          page.body,
          /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&quot;&#39;/,
        );
      }
      const refused = await announce({ reference: evil, email: 'x' });
      assert.ok(!refused.body.includes('<script>'));
    });

    it('sends a remote action only with a reason, audits it and puts it in the feed', async () => {
      const path = `/console/terminals/${h.device.deviceId}`;
      await clerk.get(path);
      const noReason = await clerk.post(`${path}/commands`, {
        command: 'mark-defective',
        compartment: 'A3',
        reason: '  ',
      });
      assert.equal(noReason.statusCode, 422);
      assert.match(byId(noReason.body, 'f-reason-error'), /Geben Sie einen Grund ein/);
      assert.match(noReason.body, /value="A3"/);
      const noCommand = await clerk.post(`${path}/commands`, {
        compartment: 'A3',
        reason: 'jammed',
      });
      assert.equal(noCommand.statusCode, 422);
      assert.match(byId(noCommand.body, 'f-command-error'), /Wählen Sie eine Aktion/);
      assert.deepEqual(await feed(), []);

      const sent = await clerk.post(`${path}/commands`, {
        command: 'mark-defective',
        compartment: 'A3',
        reason: 'Tür klemmt',
      });
      assert.equal(sent.statusCode, 303);
      assert.equal(sent.headers.location, `${path}?done=command`);
      const [change] = await feed();
      assert.equal(change?.kind, 'command');
      const command = change as Extract<FeedChange, { kind: 'command' }>;
      assert.deepEqual(
        {
          command: command.command,
          compartment: command.compartment,
          reason: command.reason,
          requestedBy: command.requestedBy,
        },
        {
          command: 'mark-defective',
          compartment: 'A3',
          reason: 'Tür klemmt',
          requestedBy: 'clara',
        },
      );
      const rows = await h.storage.sql.all<{
        username: string;
        target: string;
        reason: string;
        details: string;
      }>("SELECT username, target, reason, details FROM console_audit WHERE action = 'command'");
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.username, 'clara');
      assert.equal(rows[0]?.target, h.device.deviceId);
      assert.equal(rows[0]?.reason, 'Tür klemmt');
      assert.equal(JSON.parse(rows[0]!.details).commandId, command.commandId);
      const [entry] = (await h.storage.feed(h.device.deviceId, 0, 10)).entries;
      assert.equal(JSON.parse(rows[0]!.details).cursor, entry?.cursor);

      const page = await clerk.get(sent.headers.location as string);
      assert.match(page.body, /Die Aktion steht für das Terminal bereit/);
      assert.match(
        page.body,
        /<td>Fach als defekt markieren<\/td><td>A3<\/td><td>clara<\/td><td>Tür klemmt<\/td>/,
      );
    });

    it('cancels an announced item with a reason: feed, status, history, audit, contact deleted', async () => {
      const location = String((await announce()).headers.location);
      const itemId = itemIdOf(location);
      const path = `/console/items/${itemId}`;
      await clerk.get(path);
      const noReason = await clerk.post(`${path}/cancel`, { reason: '' });
      assert.equal(noReason.statusCode, 422);
      assert.match(byId(noReason.body, 'f-reason-error'), /Grund/);
      assert.equal((await feed()).length, 1);

      const cancelled = await clerk.post(`${path}/cancel`, {
        reason: 'Bürger holt am Schalter ab',
      });
      assert.equal(cancelled.statusCode, 303);
      const changes = await feed();
      assert.deepEqual(changes[1], {
        kind: 'item-cancelled',
        itemId,
        reason: 'Bürger holt am Schalter ab',
      });
      assert.equal((await h.storage.item(itemId))?.status, 'cancelled');
      assert.equal(await h.storage.itemContact(itemId), undefined);
      assert.equal(await h.storage.pendingCode(itemId), undefined);
      const history = await h.storage.itemHistory(itemId);
      assert.deepEqual(history.at(-1)?.event, 'cancelled');
      assert.deepEqual(history.at(-1)?.actor, 'clara');
      const page = await clerk.get(`${path}?done=cancelled`);
      assert.match(page.body, /Storniert\./);
      assert.match(page.body, /Keine Kontaktdaten gespeichert/);
      assert.doesNotMatch(page.body, /\/cancel"/);
      const [audit] = await h.storage.sql.all<{
        username: string;
        reason: string;
        details: string;
      }>(
        "SELECT username, reason, details FROM console_audit WHERE action = 'cancel' AND target = ?",
        [itemId],
      );
      assert.equal(audit?.username, 'clara');
      assert.equal(audit?.reason, 'Bürger holt am Schalter ab');
      assert.equal(JSON.parse(audit!.details).cursor, 2);
      assert.equal(history.at(-1)?.detail?.cursor, 2);
      const again = await clerk.post(`${path}/cancel`, { reason: 'again' });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /bereits storniert/);
      assert.match(again.body, new RegExp(`<a href="${path}">Zurück zur Sendung</a>`));
      assert.equal((await feed()).length, 2);
    });

    it('lets only one of two clerks cancelling at once put a cancellation in the feed', async () => {
      const location = String((await announce()).headers.location);
      const itemId = itemIdOf(location);
      const path = `/console/items/${itemId}`;
      const other = await h.client().signedIn('anna');
      await clerk.get(path);
      await other.get(path);
      const answers = await Promise.all([
        clerk.post(`${path}/cancel`, { reason: 'Schalter' }),
        other.post(`${path}/cancel`, { reason: 'Bürgerin verzogen' }),
      ]);
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 409]);
      assert.match(answers.find((a) => a.statusCode === 409)!.body, /bereits storniert/);
      assert.deepEqual(
        (await feed()).map((c) => c.kind),
        ['item-announced', 'item-cancelled'],
      );
      const audits = await h.storage.sql.all(
        "SELECT 1 AS one FROM console_audit WHERE action = 'cancel'",
      );
      assert.equal(audits.length, 1);
      const history = await h.storage.itemHistory(itemId);
      assert.equal(history.filter((e) => e.event === 'cancelled').length, 1);

      // Checked again under the lock: a clerk holding a stale page (status read before the
      // first cancel) is refused, and the cursor the attempt took is rolled back with it.
      const stale = { ...(await h.storage.item(itemId))!, status: 'announced' };
      const user = (await consoleStore(h.storage.sql, h.storage.secrets).userByName('clara'))!;
      const env = {
        storage: h.storage,
        store: consoleStore(h.storage.sql, h.storage.secrets),
        clock: h.clock,
      };
      const refused = await cancelItem(env, { user }, stale, 'noch einmal');
      assert.deepEqual(refused, { ok: false, error: 'already-cancelled' });
      assert.equal((await h.storage.device(h.device.deviceId))?.feedHead, 2);
      assert.equal((await feed()).length, 2);
    });

    it('writes nothing when the audit row cannot be written: no feed change, no cancel', async () => {
      const location = String((await announce()).headers.location);
      const itemId = itemIdOf(location);
      const path = `/console/items/${itemId}`;
      const terminal = `/console/terminals/${h.device.deviceId}`;
      await clerk.get(path);
      // A real database failure of the audit insert, in both dialects: its table is gone.
      await h.storage.sql.exec('ALTER TABLE console_audit RENAME TO console_audit_away');
      try {
        const cancel = await clerk.post(`${path}/cancel`, { reason: 'Schalter' });
        assert.equal(cancel.statusCode, 500);
        const command = await clerk.post(`${terminal}/commands`, {
          command: 'open-compartment',
          compartment: 'A1',
          reason: 'Tür prüfen',
        });
        assert.equal(command.statusCode, 500);
      } finally {
        await h.storage.sql.exec('ALTER TABLE console_audit_away RENAME TO console_audit');
      }
      const errors = h.logger.entries.filter((e) => e.event === 'console.error');
      assert.equal(errors.length, 2);
      for (const e of errors) assert.match(String(e.fields.error), /console_audit/);
      assert.deepEqual(
        (await feed()).map((c) => c.kind),
        ['item-announced'],
      );
      assert.equal((await h.storage.device(h.device.deviceId))?.feedHead, 1);
      assert.equal((await h.storage.item(itemId))?.status, 'announced');
      assert.ok(await h.storage.itemContact(itemId), 'contact kept');
      assert.ok(await h.storage.pendingCode(itemId), 'code kept');
      const events = (await h.storage.itemHistory(itemId)).map((e) => e.event);
      assert.deepEqual(events, ['announced']);
      // And once the audit can be written again, the cancel goes through.
      await clerk.get(path);
      assert.equal((await clerk.post(`${path}/cancel`, { reason: 'Schalter' })).statusCode, 303);
      assert.equal((await feed()).length, 2);
    });

    it('lets an admin add a user (TOTP address shown once) and read the audit log', async () => {
      const admin = await h.client().signedIn('anna');
      await admin.get('/console/users');
      const bad = await admin.post('/console/users', {
        username: 'x',
        role: 'boss',
        password: 'short',
      });
      assert.equal(bad.statusCode, 422);
      for (const field of ['username', 'role', 'password'])
        assert.ok(byId(bad.body, `f-${field}-error`), field);
      assert.doesNotMatch(bad.body, /value="short"/, 'a password is never sent back');
      const added = await admin.post('/console/users', {
        username: 'Bernd',
        role: 'viewer',
        password: 'a long enough password',
        totp: 'on',
      });
      assert.equal(added.statusCode, 200);
      assert.match(added.body, /Benutzerkonto bernd angelegt/);
      assert.match(added.body, /otpauth:\/\/totp\/Amt-O-Mat:bernd\?/);
      const list = await admin.get('/console/users');
      assert.doesNotMatch(list.body, /otpauth:/);
      assert.match(list.body, /<th scope="row">bernd<\/th>/);
      const taken = await admin.post('/console/users', {
        username: 'bernd',
        role: 'viewer',
        password: 'a long enough password',
      });
      assert.match(byId(taken.body, 'f-username-error'), /gibt es schon/);

      const audit = await admin.get('/console/audit');
      assert.equal(audit.statusCode, 200);
      assert.match(
        audit.body,
        /<td>Benutzerkonto bernd angelegt \(Rolle: Nur lesen, mit Einmalcode\)\.<\/td>/,
      );
      assert.match(audit.body, /<td>Angemeldet\.<\/td>/);
      assert.doesNotMatch(audit.body, /a long enough password|otpauth/);
    });

    it('renders every page with lang, skip link, one h1, labelled fields and captioned tables', async () => {
      const location = String((await announce()).headers.location);
      // A failed notice, so the item page and the notices page have rows and retry forms.
      await h.loaded(itemIdOf(location));
      assert.equal(await h.failDeliveries(), 2);
      // A parked event, so the parked-events page has a row and the overview a warning.
      await h.parkPoisonEvent();
      await h.reportStatus({
        queueLength: 0,
        compartments: { total: 4, occupied: 1, defective: 0 },
        doorAlarms: [],
      });
      const admin = await h.client().signedIn('anna');
      const pages = [...consolePages(h.device.deviceId, location), '/console/notices?status=sent'];
      for (const lang of ['de', 'en']) {
        await admin.get(`/console/?lang=${lang}`);
        for (const path of pages) {
          const page = await admin.get(path);
          assert.equal(page.statusCode, 200, path);
          assertAccessibleStructure(page.body, `${lang} ${path}`);
        }
      }
      const errors = await announce({ reference: '', email: 'x' });
      assertAccessibleStructure(errors.body, 'announce with errors');
      await admin.get('/console/password');
      const passwordErrors = await admin.post('/console/password', { newPassword: 'short' });
      assert.equal(passwordErrors.statusCode, 422);
      assertAccessibleStructure(passwordErrors.body, 'password with errors');
      const signIn = await h.client().get('/console/login');
      assertAccessibleStructure(signIn.body, 'sign-in');
      const forbidden = await (await h.client().signedIn('vera')).get('/console/announce');
      assertAccessibleStructure(forbidden.body, '403');
    });
  });
}
