/**
 * Console sign-in, sessions, CSRF, rate limits, roles and headers, against both storage
 * adapters (SQLite and a real PostgreSQL started by the suite).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { type Harness, openHarness, PASSWORD, totpFor } from './testing.ts';

const MINUTE = 60_000;

for (const adapter of storageAdapters()) {
  describe(`console sign-in on ${adapter.name}`, () => {
    let h: Harness;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter, { policy: { maxFailuresPerAddress: 8 } });
      await h.addUser('anna', 'admin');
      await h.addUser('clara', 'clerk');
      await h.addUser('vera', 'viewer');
      await h.addUser('tom', 'clerk', { totp: true });
    });
    afterEach(() => h.close());

    it('sends pages without a session to the sign-in, and refuses posts with 401', async () => {
      const client = h.client();
      for (const path of ['/console/', '/console/items', '/console/announce', '/console/audit']) {
        const page = await client.get(path);
        assert.equal(page.statusCode, 303, path);
        assert.equal(page.headers.location, `/console/login?next=${encodeURIComponent(path)}`);
      }
      const post = await client.post('/console/announce', { reference: 'R-1' });
      assert.equal(post.statusCode, 401);
      const command = await client.post(`/console/terminals/${h.device.deviceId}/commands`, {
        command: 'open-compartment',
        compartment: 'A1',
        reason: 'test',
      });
      assert.equal(command.statusCode, 401);
      assert.deepEqual(await h.storage.items({}), []);
      assert.equal((await h.storage.feed(h.device.deviceId, 0, 10)).entries.length, 0);
      assert.equal((await h.app.inject('/')).headers.location, '/console/');
    });

    it('refuses a wrong password without a session and with a message tied to the field', async () => {
      const client = h.client();
      const refused = await client.login('anna', 'wrong password here');
      assert.equal(refused.statusCode, 401);
      assert.equal(client.jar.has('amc_session'), false);
      assert.match(refused.body, /aria-describedby="f-username-error"/);
      assert.match(refused.body, /id="f-username-error">Anmeldung fehlgeschlagen/);
      // An unknown user gets the same answer.
      const unknown = await client.login('nobody', PASSWORD);
      assert.equal(unknown.statusCode, 401);
      assert.equal(
        /<main[\s\S]*<\/main>/.exec(unknown.body)?.[0].replace(/value="[^"]*"/g, ''),
        /<main[\s\S]*<\/main>/
          .exec(refused.body)?.[0]
          .replace(/value="[^"]*"/g, '')
          .replace('anna', 'nobody'),
      );
    });

    it('signs in with a session cookie that is HttpOnly, SameSite=Strict, Path=/console', async () => {
      const client = h.client();
      await client.get('/console/login');
      const response = await client.post('/console/login', {
        username: 'Anna ',
        password: PASSWORD,
        next: '/console/items',
      });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/console/items');
      const cookie = response.cookies.find((c) => c.name === 'amc_session');
      assert.ok(cookie);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.path, '/console');
      assert.equal(cookie.secure, undefined);
      const overview = await client.get('/console/');
      assert.equal(overview.statusCode, 200);
      assert.match(overview.body, /Angemeldet als anna/);
      // Only the token's hash is stored.
      const rows = await h.storage.sql.all<{ token_hash: string }>(
        'SELECT token_hash FROM console_sessions',
      );
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]!.token_hash, cookie.value);
      // No open redirect after sign-in.
      const other = h.client();
      await other.get('/console/login');
      const away = await other.post('/console/login', {
        username: 'anna',
        password: PASSWORD,
        next: '//evil.example/',
      });
      assert.equal(away.headers.location, '/console/');
    });

    it('marks the cookie Secure behind HTTPS', async () => {
      const secure = await openHarness(adapter, { secureCookies: true });
      try {
        await secure.addUser('anna', 'admin');
        const response = await secure.client().login('anna');
        assert.equal(response.statusCode, 303);
        assert.equal(response.cookies.find((c) => c.name === 'amc_session')?.secure, true);
      } finally {
        await secure.close();
      }
    });

    it('asks a TOTP user for the right code, once', async () => {
      const client = h.client();
      assert.equal((await client.login('tom', PASSWORD, '')).statusCode, 401);
      const code = totpFor(h, 'tom');
      const wrong = code === '000000' ? '111111' : '000000';
      assert.equal((await client.login('tom', PASSWORD, wrong)).statusCode, 401);
      assert.equal((await client.login('tom', 'wrong password!!', code)).statusCode, 401);
      assert.equal((await client.login('tom', PASSWORD, code)).statusCode, 303);
      // The same code again is refused (replay), the next step's code works.
      assert.equal((await h.client().login('tom', PASSWORD, code)).statusCode, 401);
      h.clock.advance(30_000);
      assert.equal((await h.client().login('tom', PASSWORD, totpFor(h, 'tom'))).statusCode, 303);
      // One step of clock drift is accepted.
      h.clock.advance(60_000);
      const early = totpFor(h, 'tom', h.clock.now() + 30_000);
      assert.equal((await h.client().login('tom', PASSWORD, early)).statusCode, 303);
    });

    it('locks a user name after 5 failures, the right password included, for 15 minutes', async () => {
      const client = h.client({ address: '10.0.0.1' });
      for (let i = 1; i <= 4; i++) {
        assert.equal((await client.login('clara', `wrong password ${i}`)).statusCode, 401);
      }
      const fifth = await client.login('clara', 'wrong password 5');
      assert.equal(fifth.statusCode, 429);
      assert.match(fifth.body, /für 15 Minuten gesperrt/);
      // From another address too: the user name is locked.
      const right = await h.client({ address: '10.0.0.2' }).login('clara', PASSWORD);
      assert.equal(right.statusCode, 429);
      // Another user at the first address is not locked by these five.
      assert.equal((await h.client({ address: '10.0.0.1' }).login('anna')).statusCode, 303);
      h.clock.advance(15 * MINUTE + 1);
      assert.equal((await h.client({ address: '10.0.0.2' }).login('clara')).statusCode, 303);
      assert.ok(
        h.logger.entries.some(
          (e) => e.event === 'console.login-failed' && e.fields.reason === 'locked',
        ),
      );
      // No user name or password in the logs.
      const logged = JSON.stringify(h.logger.entries);
      assert.doesNotMatch(logged, /clara|wrong password/);
    });

    it('locks a client address after its limit of failures across user names', async () => {
      for (let i = 0; i < 8; i++) {
        await h.client({ address: '10.0.0.9' }).login(`guess${i}`, 'some password 123');
      }
      assert.equal((await h.client({ address: '10.0.0.9' }).login('anna')).statusCode, 429);
      assert.equal((await h.client({ address: '10.0.0.10' }).login('anna')).statusCode, 303);
    });

    it('refuses a sign-in post without its form token', async () => {
      const client = h.client();
      await client.get('/console/login');
      const response = await client.request('POST', '/console/login', {
        username: 'anna',
        password: PASSWORD,
      });
      assert.equal(response.statusCode, 403);
      assert.equal(client.jar.has('amc_session'), false);
    });

    it('ends sessions on sign-out, when idle, and when the user is disabled', async () => {
      const client = await h.client().signedIn('clara');
      const out = await client.post('/console/logout');
      assert.equal(out.statusCode, 303);
      assert.equal((await client.get('/console/')).statusCode, 303);

      const idle = await h.client().signedIn('clara');
      h.clock.advance(29 * MINUTE);
      assert.equal((await idle.get('/console/')).statusCode, 200);
      h.clock.advance(31 * MINUTE);
      assert.equal((await idle.get('/console/')).statusCode, 303);

      const victim = await h.client().signedIn('vera');
      const admin = await h.client().signedIn('anna');
      await admin.get('/console/users');
      const vera = (
        await h.storage.sql.all<{ id: string }>(
          "SELECT id FROM console_users WHERE username = 'vera'",
        )
      )[0]!;
      assert.equal((await admin.post(`/console/users/${vera.id}/disable`)).statusCode, 303);
      assert.equal((await victim.get('/console/')).statusCode, 303);
      assert.equal((await h.client().login('vera')).statusCode, 401);
    });

    it('ends a session after 12 hours however busy', async () => {
      const client = await h.client().signedIn('clara');
      for (let i = 0; i < 25; i++) {
        h.clock.advance(29 * MINUTE);
        await client.get('/console/');
      }
      assert.equal((await client.get('/console/')).statusCode, 303);
    });

    it('refuses posts with a missing or wrong CSRF token and stores nothing', async () => {
      const client = await h.client().signedIn('clara');
      await client.get('/console/announce');
      const form = {
        deviceId: h.device.deviceId,
        reference: 'R-CSRF',
        itemKind: 'document',
        holdingDays: '14',
        language: 'de',
        email: 'max@example.org',
      };
      const missing = await client.request('POST', '/console/announce', form);
      assert.equal(missing.statusCode, 403);
      const wrong = await client.request('POST', '/console/announce', {
        ...form,
        _csrf: 'x'.repeat(43),
      });
      assert.equal(wrong.statusCode, 403);
      const command = await client.request(
        'POST',
        `/console/terminals/${h.device.deviceId}/commands`,
        {
          command: 'open-compartment',
          compartment: 'A1',
          reason: 'test',
        },
      );
      assert.equal(command.statusCode, 403);
      assert.deepEqual(await h.storage.items({}), []);
      assert.equal((await h.storage.feed(h.device.deviceId, 0, 10)).entries.length, 0);
      // The token of another session does not do either.
      const other = await h.client().signedIn('anna');
      const foreign = await client.request('POST', '/console/announce', {
        ...form,
        _csrf: other.lastCsrf,
      });
      assert.equal(foreign.statusCode, 403);
      assert.deepEqual(await h.storage.items({}), []);
    });

    it('gives each role only its pages and actions', async () => {
      const viewer = await h.client().signedIn('vera');
      for (const path of [
        '/console/',
        '/console/items',
        `/console/terminals/${h.device.deviceId}`,
      ]) {
        assert.equal((await viewer.get(path)).statusCode, 200, path);
      }
      for (const path of ['/console/announce', '/console/users', '/console/audit']) {
        const page = await viewer.get(path);
        assert.equal(page.statusCode, 403, path);
        assert.match(page.body, /Keine Berechtigung/);
      }
      const terminal = await viewer.get(`/console/terminals/${h.device.deviceId}`);
      assert.doesNotMatch(terminal.body, /commands"/, 'no remote action form for a viewer');
      const announce = await viewer.post('/console/announce', {
        deviceId: h.device.deviceId,
        reference: 'R-VIEWER',
        itemKind: 'document',
        email: 'max@example.org',
      });
      assert.equal(announce.statusCode, 403);
      const command = await viewer.post(`/console/terminals/${h.device.deviceId}/commands`, {
        command: 'open-compartment',
        compartment: 'A1',
        reason: 'viewer tries',
      });
      assert.equal(command.statusCode, 403);
      assert.deepEqual(await h.storage.items({}), []);
      assert.equal((await h.storage.feed(h.device.deviceId, 0, 10)).entries.length, 0);

      const clerk = await h.client().signedIn('clara');
      assert.equal((await clerk.get('/console/announce')).statusCode, 200);
      assert.equal((await clerk.get('/console/users')).statusCode, 403);
      assert.equal((await clerk.get('/console/audit')).statusCode, 403);
      const admin = await h.client().signedIn('anna');
      assert.equal((await admin.get('/console/users')).statusCode, 200);
      assert.equal((await admin.get('/console/audit')).statusCode, 200);
    });

    it('sends security headers and keeps pages out of caches', async () => {
      const client = await h.client().signedIn('clara');
      for (const path of ['/console/login', '/console/', '/console/nothing-here']) {
        const page = await client.get(path);
        assert.equal(
          page.headers['content-security-policy'],
          "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
        );
        assert.equal(page.headers['x-content-type-options'], 'nosniff');
        assert.equal(page.headers['referrer-policy'], 'no-referrer');
      }
      const overview = await client.get('/console/');
      assert.equal(overview.headers['cache-control'], 'no-store');
      assert.doesNotMatch(overview.body, /<script|style="/);
      const missing = await client.get('/console/nothing-here');
      assert.equal(missing.statusCode, 404);
      assert.match(missing.headers['content-type'] as string, /text\/html/);
      const css = await client.get('/console/console.css');
      assert.equal(css.statusCode, 200);
      assert.match(css.headers['content-type'] as string, /text\/css/);
    });

    it('switches language with ?lang and keeps it in a cookie', async () => {
      const client = await h.client().signedIn('clara');
      const english = await client.get('/console/?lang=en');
      assert.match(english.body, /<html lang="en">/);
      assert.match(english.body, /Signed in as clara/);
      const next = await client.get('/console/items');
      assert.match(next.body, /<html lang="en">/);
      const german = await client.get('/console/items?lang=de');
      assert.match(german.body, /<html lang="de">/);
      const ignored = await client.get('/console/?lang=xx');
      assert.match(ignored.body, /<html lang="de">/);
    });
  });
}
