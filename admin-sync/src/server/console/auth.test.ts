/**
 * Console sign-in, sessions, password change, CSRF, rate limits, roles and headers, against
 * both storage adapters (SQLite and a real PostgreSQL started by the suite).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { storageAdapters } from '../testing/adapters.ts';
import { type Harness, openHarness, PASSWORD, totpFor } from './testing.ts';

const MINUTE = 60_000;
/** A remote action, for the posts that must be refused. */
const OPEN_A1 = { command: 'open-compartment', compartment: 'A1', reason: 'test' };

for (const adapter of storageAdapters()) {
  describe(`console sign-in on ${adapter.name}`, () => {
    let h: Harness;

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      h = await openHarness(adapter, { policy: { maxFailuresPerAddress: 8 } });
      await h.addUser('tom', 'clerk', { totp: true });
    });
    afterEach(() => h.close());

    const commandsPath = () => `/console/terminals/${h.device.deviceId}/commands`;
    /** A refused post left no trace: no item, nothing in the terminal's feed. */
    const assertNothingStored = async () => {
      assert.deepEqual(await h.storage.items({}), []);
      assert.equal((await h.storage.feed(h.device.deviceId, 0, 10)).entries.length, 0);
    };

    it('sends pages without a session to the sign-in, and refuses posts with 401', async () => {
      const client = h.client();
      for (const path of ['/console/', '/console/items', '/console/announce', '/console/audit']) {
        const page = await client.get(path);
        assert.equal(page.statusCode, 303, path);
        assert.equal(page.headers.location, `/console/login?next=${encodeURIComponent(path)}`);
      }
      const post = await client.post('/console/announce', { reference: 'R-1' });
      assert.equal(post.statusCode, 401);
      const command = await client.post(commandsPath(), OPEN_A1);
      assert.equal(command.statusCode, 401);
      await assertNothingStored();
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

    it('changes the own password: current one checked, new one twice, other sessions end', async () => {
      const NEW = 'a brand new passphrase';
      const elsewhere = await h.client({ address: '10.0.0.5' }).signedIn('clara');
      const client = await h.client().signedIn('clara');
      const form = await client.get('/console/password');
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /autocomplete="current-password"/);

      const wrong = await client.post('/console/password', {
        currentPassword: 'not my password',
        newPassword: NEW,
        confirmPassword: NEW,
      });
      assert.equal(wrong.statusCode, 422);
      assert.match(wrong.body, /id="f-currentPassword-error">Das bisherige Passwort stimmt nicht/);
      assert.match(wrong.body, /aria-describedby="f-currentPassword-error" aria-invalid="true"/);
      const mismatch = await client.post('/console/password', {
        currentPassword: PASSWORD,
        newPassword: NEW,
        confirmPassword: `${NEW}!`,
      });
      assert.equal(mismatch.statusCode, 422);
      assert.match(mismatch.body, /id="f-confirmPassword-error">Die beiden neuen Passwörter/);
      const short = await client.post('/console/password', {
        currentPassword: PASSWORD,
        newPassword: 'too short',
        confirmPassword: 'too short',
      });
      assert.match(short.body, /id="f-newPassword-error">Das Passwort muss 12 bis 200/);
      const same = await client.post('/console/password', {
        currentPassword: PASSWORD,
        newPassword: PASSWORD,
        confirmPassword: PASSWORD,
      });
      assert.match(same.body, /id="f-newPassword-error">Das neue Passwort muss sich/);
      for (const page of [wrong, mismatch, short, same]) {
        assert.ok(!page.body.includes(NEW) && !page.body.includes(PASSWORD), 'never sent back');
      }
      assert.equal((await elsewhere.get('/console/')).statusCode, 200, 'nothing changed yet');

      const changed = await client.post('/console/password', {
        currentPassword: PASSWORD,
        newPassword: NEW,
        confirmPassword: NEW,
      });
      assert.equal(changed.statusCode, 303);
      assert.equal(changed.headers.location, '/console/password?done=changed');
      const done = await client.get('/console/password?done=changed');
      assert.equal(done.statusCode, 200, 'this session goes on');
      assert.match(done.body, /Ihr Passwort wurde geändert/);
      assert.equal((await elsewhere.get('/console/')).statusCode, 303, 'the other one ended');
      assert.equal((await h.client().login('clara', PASSWORD)).statusCode, 401);
      assert.equal((await h.client().login('clara', NEW)).statusCode, 303);

      const [audit] = await h.storage.sql.all<{ details: string }>(
        "SELECT details FROM console_audit WHERE action = 'password-changed'",
      );
      assert.deepEqual(JSON.parse(audit!.details), { endedSessions: 1 });
      const audited = JSON.stringify(await h.storage.sql.all('SELECT * FROM console_audit'));
      const logged = JSON.stringify(h.logger.entries);
      for (const secret of [NEW, PASSWORD]) {
        assert.ok(!audited.includes(secret) && !logged.includes(secret), 'no password stored');
      }
      assert.ok(!logged.includes('clara'), 'no user name in the logs');
    });

    it('locks the password change after 5 wrong current passwords, like sign-in', async () => {
      const client = await h.client().signedIn('clara');
      await client.get('/console/password');
      const attempt = (currentPassword: string) =>
        client.post('/console/password', {
          currentPassword,
          newPassword: 'a brand new passphrase',
          confirmPassword: 'a brand new passphrase',
        });
      for (let i = 1; i <= 4; i++) {
        assert.equal((await attempt(`wrong password ${i}`)).statusCode, 422);
      }
      const fifth = await attempt('wrong password 5');
      assert.equal(fifth.statusCode, 429);
      assert.match(fifth.body, /für 15 Minuten gesperrt/);
      assert.equal((await attempt(PASSWORD)).statusCode, 429, 'the right one too');
      assert.equal((await h.client().login('clara')).statusCode, 429, 'sign-in shares the limit');
      h.clock.advance(15 * MINUTE + 1);
      await client.get('/console/password');
      assert.equal((await attempt(PASSWORD)).statusCode, 303, 'open again after the window');
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
      const command = await client.request('POST', commandsPath(), OPEN_A1);
      assert.equal(command.statusCode, 403);
      await assertNothingStored();
      // The token of another session does not do either.
      const other = await h.client().signedIn('anna');
      const foreign = await client.request('POST', '/console/announce', {
        ...form,
        _csrf: other.lastCsrf,
      });
      assert.equal(foreign.statusCode, 403);
      await assertNothingStored();
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
      const command = await viewer.post(commandsPath(), OPEN_A1);
      assert.equal(command.statusCode, 403);
      await assertNothingStored();

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
