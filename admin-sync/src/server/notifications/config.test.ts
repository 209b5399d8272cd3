/** The notification settings: file, environment, secrets, and errors that name the field. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadNotificationConfig } from './config.ts';

describe('notification config', () => {
  let dir = '';
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const errorOf = (result: ReturnType<typeof loadNotificationConfig>) => {
    assert.equal(result.ok, false, 'expected an error');
    return result.ok ? '' : result.error;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'notify-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nothing configured: no config, no error', () => {
    assert.deepEqual(loadNotificationConfig({ env: {} }), { ok: true, value: undefined });
  });

  it('from the environment alone', () => {
    const loaded = loadNotificationConfig({
      env: {
        FLEET_SMTP_URL: 'smtp://mailer%40kv:p%40ss@mail.example.org:2525',
        FLEET_MAIL_FROM: 'Amt-O-Mat <noreply@example.org>',
        FLEET_SMS_URL: 'https://sms.example.org/send',
        FLEET_SMS_TOKEN: 'tok',
      },
    });
    assert.ok(loaded.ok && loaded.value);
    const { email, sms, worker, timeZone, senderName } = loaded.value;
    assert.deepEqual(
      [email?.host, email?.port, email?.secure, email?.auth],
      ['mail.example.org', 2525, false, { user: 'mailer@kv', pass: 'p@ss' }],
    );
    assert.equal(email?.from, 'Amt-O-Mat <noreply@example.org>');
    assert.deepEqual(sms?.headers, { authorization: 'Bearer tok' });
    assert.deepEqual(sms?.body, { to: '{to}', text: '{text}' });
    assert.equal(sms?.method, 'POST');
    assert.deepEqual([timeZone, senderName, worker.maxAttempts], ['Europe/Berlin', 'Amt-O-Mat', 8]);
  });

  it('smtps:// means implicit TLS on 465', () => {
    const loaded = loadNotificationConfig({
      env: { FLEET_SMTP_URL: 'smtps://relay.example.org', FLEET_MAIL_FROM: 'a@example.org' },
    });
    assert.ok(loaded.ok && loaded.value);
    assert.deepEqual([loaded.value.email?.port, loaded.value.email?.secure], [465, true]);
  });

  it('from a file, secrets from a file and the environment; the environment wins', () => {
    writeFileSync(join(dir, 'smtp-password'), 'from-file\n');
    const path = file('full.json', {
      senderName: 'Kreisverwaltung Mayen-Koblenz',
      office: 'Bürgerbüro, Rosengasse 2',
      terminals: { 'Rathaus Mayen': { place: 'Eingang Rosengasse' } },
      email: {
        smtp: {
          host: 'mail.example.org',
          port: 587,
          requireTls: true,
          auth: { user: 'amtomat', password: { file: 'smtp-password' } },
        },
        from: 'Amt-O-Mat <noreply@example.org>',
      },
      sms: {
        url: 'https://sms.example.org/v2/messages',
        token: { env: 'SMS_KEY' },
        authHeader: 'X-Api-Key',
        authScheme: '',
        body: { recipients: ['{to}'], message: '{text}', sender: 'KreisMYK' },
        successStatus: [201],
      },
      worker: { intervalMs: 10_000, maxAttempts: 5 },
    });
    const loaded = loadNotificationConfig({
      file: path,
      env: { SMS_KEY: 'key-1', FLEET_MAIL_FROM: 'Other <other@example.org>' },
    });
    assert.ok(loaded.ok && loaded.value, loaded.ok ? '' : loaded.error);
    const config = loaded.value;
    assert.deepEqual(config.email?.auth, { user: 'amtomat', pass: 'from-file' });
    assert.equal(config.email?.requireTls, true);
    assert.equal(config.email?.from, 'Other <other@example.org>');
    assert.deepEqual(config.sms?.headers, { 'x-api-key': 'key-1' });
    assert.deepEqual(config.sms?.successStatus, [201]);
    assert.deepEqual(config.terminals, { 'Rathaus Mayen': { place: 'Eingang Rosengasse' } });
    assert.deepEqual(config.worker, {
      intervalMs: 10_000,
      maxAttempts: 5,
      backoff: { initialMs: 60_000, maxMs: 21_600_000 },
    });
  });

  it('a broken file is an error naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [
        { email: { smtp: { host: 'h', port: 'x' }, from: 'a@b.de' } },
        /email\.smtp\.port: .*number/,
      ],
      [{ email: { smtp: { host: 'h' } } }, /email\.from/],
      [{ sms: { url: 'ftp://x' } }, /sms\.url/],
      [{ sms: { url: 'https://x', body: { to: '{to}' } } }, /sms\.body: .*\{text\}/],
      [{ sms: { url: 'https://x', token: { value: 'a', env: 'B' } } }, /sms\.token: exactly one/],
      [{ email: { smtp: { host: 'h' }, from: 'a@b.de', colour: 1 } }, /email: .*colour/],
      [{ senderName: 'x' }, /configure email \(SMTP\) and\/or sms/],
      [{ timeZone: 'Mars/Olympus', sms: { url: 'https://x' } }, /timeZone: an IANA time zone/],
      [{ sms: { url: 'https://x' }, worker: { maxAttempts: 0 } }, /worker\.maxAttempts/],
    ];
    for (const [content, expected] of cases) {
      const path = file('broken.json', content);
      const error = errorOf(loadNotificationConfig({ file: path, env: {} }));
      assert.match(error, expected);
      assert.match(error, /broken\.json/);
    }
  });

  it('unreadable and invalid files, missing secrets, bad URLs', () => {
    assert.match(
      errorOf(loadNotificationConfig({ file: join(dir, 'missing.json'), env: {} })),
      /missing\.json: cannot read \(ENOENT\)/,
    );
    assert.match(
      errorOf(loadNotificationConfig({ file: file('bad.json', '{"email": '), env: {} })),
      /bad\.json: not valid JSON/,
    );
    assert.match(
      errorOf(loadNotificationConfig({ file: file('array.json', '[]'), env: {} })),
      /must be a JSON object/,
    );
    const needsEnv = file('env.json', { sms: { url: 'https://x', token: { env: 'NOPE' } } });
    assert.match(
      errorOf(loadNotificationConfig({ file: needsEnv, env: {} })),
      /sms\.token: environment variable NOPE is not set/,
    );
    assert.match(
      errorOf(loadNotificationConfig({ env: { FLEET_SMTP_URL: 'http://x' } })),
      /FLEET_SMTP_URL: the scheme/,
    );
    assert.equal(
      errorOf(loadNotificationConfig({ env: { FLEET_SMTP_URL: 'smtp://h:25' } })),
      'FLEET_SMTP_URL is set but not the sender: set FLEET_MAIL_FROM to an e-mail address such as "Amt-O-Mat <noreply@example.org>"',
    );
    // The password never appears in an error.
    const error = errorOf(
      loadNotificationConfig({ env: { FLEET_SMTP_URL: 'smtp://u:topsecret@h:99999' } }),
    );
    assert.equal(error.includes('topsecret'), false);
  });

  it('refuses a sender that is not an e-mail address, from the environment or the file', () => {
    for (const from of [
      'noreply',
      'Amt-O-Mat',
      'Amt <noreply>',
      'a@b',
      'x y@example.org',
      'A <a@b.de',
    ]) {
      assert.equal(
        errorOf(
          loadNotificationConfig({ env: { FLEET_SMTP_URL: 'smtp://h:25', FLEET_MAIL_FROM: from } }),
        ),
        'FLEET_MAIL_FROM: not an e-mail address such as "Amt-O-Mat <noreply@example.org>"',
        from,
      );
    }
    const badFile = file('bad-from.json', { email: { smtp: { host: 'h' }, from: 'Bürgerbüro' } });
    assert.match(
      errorOf(loadNotificationConfig({ file: badFile, env: {} })),
      /email\.from: an e-mail address such as/,
    );
    for (const from of [
      'a@example.org',
      'Amt-O-Mat <noreply@example.org>',
      '"Amt, Mayen" <a.b@kv-myk.de>',
    ]) {
      const loaded = loadNotificationConfig({
        env: { FLEET_SMTP_URL: 'smtp://h:25', FLEET_MAIL_FROM: from },
      });
      assert.ok(loaded.ok, from);
    }
  });

  it('FLEET_NOTIFY_CONFIG names the file', () => {
    const path = file('via-env.json', { sms: { url: 'https://sms.example.org' } });
    const loaded = loadNotificationConfig({ env: { FLEET_NOTIFY_CONFIG: path } });
    assert.ok(loaded.ok && loaded.value?.sms);
    assert.deepEqual(loaded.value.sms.headers, {});
  });
});
