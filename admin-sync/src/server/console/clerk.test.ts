/**
 * Issue #9, points 17, 19 and 20, against both storage adapters: one name per terminal (the
 * enrolment token's label, also after migration 6), the TOTP set-up as a QR code that decodes
 * back to the otpauth address, an admin lifting a user's sign-in lock (audited), and wording
 * for clerks: the audit log in sentences, failed notices with readable reasons, no "Art –"
 * for items the terminal loaded itself, no "the first notice follows" on a loaded item.
 * The console is a real HTTP server on 127.0.0.1 here.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import jsQRModule from 'jsqr';
import { generateDeviceKeyPair, paths, signEnrolment } from '../../protocol/index.ts';
import { createEnrolmentToken } from '../enrolment.ts';
import { MIGRATIONS } from '../storage/migrations.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { TEST_CODE_KEY } from '../testing/device.ts';
import { type ConsoleClient, type Harness, openHarness, PASSWORD } from './testing.ts';

/** Draws the console's QR SVG (one `M x y h1v1h-1z` square per dark module) as RGBA pixels. */
function rasterize(svg: string, scale = 4) {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  assert.ok(size > 0, 'the SVG has a square viewBox');
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  const path = /<path fill="#000" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  for (const [, x, y] of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy += 1) {
      for (let dx = 0; dx < scale; dx += 1) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        pixels.fill(0, at, at + 3);
      }
    }
  }
  return { pixels, width };
}

// jsqr is CommonJS: its module object is the function, also under `default`.
const jsQR = jsQRModule.default;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

for (const adapter of storageAdapters()) {
  describe(`console for clerks on ${adapter.name}`, () => {
    let h: Harness;
    let admin: ConsoleClient;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter, { listen: true });
      admin = await h.client().signedIn('anna');
    });
    afterEach(() => h.close());

    /** Enrols a terminal whose site file names it `siteName`, with a token labelled `label`. */
    async function enrol(label: string | null, siteName: string) {
      const keys = generateDeviceKeyPair();
      const { token } = await createEnrolmentToken(h.storage, { now: h.clock.now(), label });
      const reply = await h.app.inject({
        method: 'POST',
        url: paths.enrol,
        payload: {
          token,
          publicKey: keys.publicKey,
          proof: signEnrolment(token, keys),
          codeKey: TEST_CODE_KEY,
          label: siteName,
        },
      });
      assert.equal(reply.statusCode, 201, reply.body);
      return (reply.json() as { deviceId: string }).deviceId;
    }

    it("names a terminal by its enrolment token's label, not the site name it reports", async () => {
      const labelled = await enrol('Rathaus Mayen', 'Rathaus Musterstadt (Demo)');
      const unlabelled = await enrol(null, 'Bürgerbüro Polch');
      assert.equal((await h.storage.device(labelled))?.label, 'Rathaus Mayen');
      assert.equal((await h.storage.device(unlabelled))?.label, 'Bürgerbüro Polch');
      const overview = await admin.get('/console/');
      assert.match(
        overview.body,
        new RegExp(`<a href="/console/terminals/${labelled}">Rathaus Mayen</a>`),
      );
      assert.match(overview.body, />Bürgerbüro Polch</);
      assert.doesNotMatch(overview.body, /Musterstadt/);
      const page = await admin.get(`/console/terminals/${labelled}`);
      assert.match(page.body, /<h1>Terminal Rathaus Mayen<\/h1>/);
    });

    it('migration 6 renames terminals enrolled before to their token label', async () => {
      const id = await enrol('Rathaus Mayen', 'Demo');
      const other = await enrol(null, 'Bürgerbüro Polch');
      // As enrolled before the fix: the device took the site name it reported.
      await h.storage.sql.run('UPDATE devices SET label = ? WHERE id = ?', ['Demo', id]);
      const migration = MIGRATIONS.find((m) => m.version === 6);
      assert.ok(migration);
      await h.storage.sql.transaction((tx) => tx.exec(migration.sql));
      assert.equal((await h.storage.device(id))?.label, 'Rathaus Mayen');
      assert.equal((await h.storage.device(other))?.label, 'Bürgerbüro Polch');
    });

    it('shows the TOTP set-up as an SVG QR code that decodes to the otpauth address', async () => {
      await admin.get('/console/users');
      const added = await admin.post('/console/users', {
        username: 'bernd',
        role: 'clerk',
        password: 'a long enough password',
        totp: 'on',
      });
      assert.equal(added.statusCode, 200);
      const uri = /<code>(otpauth:\/\/[^<]+)<\/code>/
        .exec(added.body)?.[1]
        ?.replaceAll('&amp;', '&');
      assert.ok(uri?.startsWith('otpauth://totp/Amt-O-Mat:bernd?'));
      const svg = /<svg class="qr"[\s\S]*?<\/svg>/.exec(added.body)?.[0] ?? '';
      assert.match(svg, /role="img" aria-label="QR-Code für die Authenticator-App"/);
      assert.doesNotMatch(svg, /<script|style=|\son[a-z]+=/i);
      const { pixels, width } = rasterize(svg);
      assert.equal(jsQR(pixels, width, width)?.data, uri);
      // Shown once: the list afterwards has neither the address nor the code.
      const list = await admin.get('/console/users');
      assert.doesNotMatch(list.body, /otpauth:|<svg/);
    });

    it('lets an admin lift a locked-out user’s sign-in lock, audited', async () => {
      const clara = h.client();
      for (let i = 0; i < 5; i += 1) await clara.login('clara', 'wrong password!');
      const refused = await clara.login('clara');
      assert.notEqual(refused.statusCode, 303, 'locked: the right password is refused too');
      assert.match(refused.body, /Zu viele fehlgeschlagene Anmeldungen/);
      const lockedPage = await admin.get('/console/users');
      assert.match(
        lockedPage.body,
        /<td class="warn">Anmeldung gesperrt \(zu viele Fehlversuche\)<\/td>/,
      );
      assert.match(lockedPage.body, /Anmeldesperre von clara aufheben/);
      const claraId = (
        await h.storage.sql.all<{ id: string }>(
          "SELECT id FROM console_users WHERE username = 'clara'",
        )
      )[0]!.id;
      // A clerk may not; the CSRF token is needed.
      const clerk = await h.client().signedIn('vera');
      assert.equal((await clerk.post(`/console/users/${claraId}/unlock`)).statusCode, 403);
      assert.equal(
        (await admin.request('POST', `/console/users/${claraId}/unlock`, { _csrf: 'x' }))
          .statusCode,
        403,
      );
      assert.notEqual((await clara.login('clara')).statusCode, 303, 'still locked');

      const unlocked = await admin.post(`/console/users/${claraId}/unlock`);
      assert.equal(unlocked.statusCode, 200);
      assert.match(unlocked.body, /Die Anmeldesperre von clara ist aufgehoben\./);
      assert.doesNotMatch(unlocked.body, /Anmeldesperre von clara aufheben/);
      assert.equal((await clara.login('clara', PASSWORD)).statusCode, 303);
      const rows = await h.storage.sql.all<{ username: string; target: string }>(
        "SELECT username, target FROM console_audit WHERE action = 'user-unlocked'",
      );
      assert.deepEqual(rows, [{ username: 'anna', target: claraId }]);
      const audit = await admin.get('/console/audit');
      assert.match(audit.body, /Anmeldesperre von clara nach zu vielen Fehlversuchen aufgehoben\./);
    });

    it('writes the audit log in sentences: names and references, no ids or JSON', async () => {
      const clerk = await h.client().signedIn('clara');
      await clerk.get('/console/announce');
      const announced = await clerk.post('/console/announce', {
        deviceId: h.device.deviceId,
        reference: 'BA-2025-0042',
        itemKind: 'document',
        holdingDays: '10',
        language: 'de',
        email: 'max@example.org',
        mobile: '',
        dateOfBirth: '',
      });
      const itemPath = String(announced.headers.location).split('?')[0]!;
      await clerk.get(itemPath);
      await clerk.post(`${itemPath}/cancel`, { reason: 'Bürger holt am Schalter ab' });
      const terminal = `/console/terminals/${h.device.deviceId}`;
      await clerk.get(terminal);
      await clerk.post(`${terminal}/commands`, {
        command: 'mark-defective',
        compartment: 'A3',
        reason: 'Tür klemmt',
      });
      const name = h.device.deviceId.slice(0, 8);
      const audit = await admin.get('/console/audit');
      const body = /<tbody>([\s\S]*)<\/tbody>/.exec(audit.body)?.[1] ?? '';
      assert.match(body, /<td>Dokument BA-2025-0042 für Terminal [0-9a-f]{8} angekündigt\.<\/td>/);
      assert.match(
        body,
        new RegExp(
          `<td>Sendung BA-2025-0042 an Terminal ${name} storniert\\.</td><td>Bürger holt am Schalter ab</td>`,
        ),
      );
      assert.match(
        body,
        new RegExp(
          `<td>Terminal ${name}, Fach A3: „Fach als defekt markieren“ gesendet\\.</td><td>Tür klemmt</td>`,
        ),
      );
      assert.doesNotMatch(body, UUID);
      assert.doesNotMatch(body, /[{}]|&quot;|cursor/);
      assert.doesNotMatch(audit.body, /<th scope="col">(Ziel|Angaben)<\/th>/);
      const english = await admin.get('/console/audit?lang=en');
      assert.match(english.body, /Item BA-2025-0042 at terminal [0-9a-f]{8} cancelled\./);
    });

    it('words items the terminal loaded itself and loaded items without notices for clerks', async () => {
      // The terminal reports an item nobody announced (staff loaded it at the terminal).
      const reply = await h.device.push([
        h.device.event(1000, 'item-ready', {
          itemId: 'walk-in-1',
          reference: 'PKG-2002',
          recipientRef: null,
          compartment: 'B2',
          expiresAt: h.clock.now() + 86_400_000,
        }),
      ]);
      assert.equal(reply.statusCode, 200, reply.body);
      const clerk = await h.client().signedIn('clara');
      const list = await clerk.get('/console/items');
      assert.match(list.body, /PKG-2002/);
      assert.match(
        list.body,
        /<td>nicht angegeben \(am Terminal ohne Ankündigung eingelegt\)<\/td>/,
      );
      const page = await clerk.get('/console/items/walk-in-1');
      assert.match(
        page.body,
        /<dt>Art<\/dt><dd>nicht angegeben \(am Terminal ohne Ankündigung eingelegt\)<\/dd>/,
      );
      assert.doesNotMatch(page.body, /<dd>–<\/dd>\n<dt>Status/);
      assert.match(
        page.body,
        /Keine Nachrichten: Für diese Sendung sind keine Kontaktdaten hinterlegt\./,
      );
      assert.doesNotMatch(page.body, /sobald das Dokument eingelegt ist/);
    });

    it('uses words clerks know on the overview, the announce form and the navigation', async () => {
      const clerk = await h.client().signedIn('clara');
      await h.reportStatus({
        queueLength: 3,
        compartments: { total: 24, occupied: 1, defective: 0 },
        doorAlarms: [],
      });
      const overview = await clerk.get('/console/');
      assert.match(overview.body, /<th scope="col">Noch nicht gemeldete Vorgänge<\/th>/);
      assert.match(overview.body, />Nicht verarbeitete Meldungen</);
      const form = await clerk.get('/console/announce');
      assert.match(
        form.body,
        /<label for="f-dateOfBirth">Geburtsdatum der abholenden Person<\/label>/,
      );
      for (const page of [overview.body, form.body]) {
        assert.doesNotMatch(
          page,
          /Nicht übertragene Ereignisse|Zurückgestellte Meldungen|zweiter Faktor/,
        );
      }
    });
  });
}
