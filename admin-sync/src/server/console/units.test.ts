/** The console's small parts: escaping, TOTP (RFC 6238 vectors), passwords, masks, locales. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html } from './html.ts';
import { CONSOLE_LANGUAGES, MESSAGES, translator } from './i18n.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { maskEmail, maskMobile } from './routes-items.ts';
import { safeNext } from './routes-login.ts';
import { matchTotp, totpCode } from './totp.ts';

describe('html template', () => {
  it('escapes every interpolated value, nested templates once', () => {
    const evil = `<img src=x onerror="alert('x')">&`;
    assert.equal(
      html`<p title="${evil}">${evil}</p>`.value,
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
    );
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p>${inner}${[inner, 'a&b']}${null}${undefined}${false}${0}</p>`.value,
      '<p><b>&lt;i&gt;</b><b>&lt;i&gt;</b>a&amp;b0</p>',
    );
    assert.equal(escapeHtml('`'), '&#96;');
  });
});

describe('TOTP', () => {
  // RFC 6238 appendix B, SHA-1, secret "12345678901234567890"; the last 6 digits of each.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const vectors: [number, string][] = [
    [59, '287082'],
    [1_111_111_109, '081804'],
    [1_111_111_111, '050471'],
    [1_234_567_890, '005924'],
    [2_000_000_000, '279037'],
    [20_000_000_000, '353130'],
  ];
  it('matches the RFC 6238 test vectors', () => {
    for (const [seconds, code] of vectors)
      assert.equal(totpCode(secret, seconds * 1000), code, String(seconds));
  });
  it('accepts one step of drift either way and names the step', () => {
    const now = 1_234_567_890_000;
    const step = Math.floor(now / 30_000);
    assert.equal(matchTotp(secret, '005924', now), step);
    assert.equal(matchTotp(secret, totpCode(secret, now - 30_000), now), step - 1);
    assert.equal(matchTotp(secret, totpCode(secret, now + 30_000), now), step + 1);
    assert.equal(matchTotp(secret, totpCode(secret, now + 60_000), now), null);
    assert.equal(matchTotp(secret, '005 924', now), step);
    assert.equal(matchTotp(secret, '12345', now), null);
    assert.equal(matchTotp(secret, 'abcdef', now), null);
  });
});

describe('passwords', () => {
  it('hashes with a per-user salt and verifies', async () => {
    const cost = { log2N: 10, r: 8, p: 1 };
    const a = await hashPassword('a long enough password', cost);
    const b = await hashPassword('a long enough password', cost);
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$10\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('a long enough password', a), true);
    assert.equal(await verifyPassword('a long enough passwort', a), false);
    assert.equal(await verifyPassword('x', 'plain'), false);
    assert.equal(await verifyPassword('x', 'scrypt$99$8$1$c2FsdA$aGFzaA'), false);
  });
});

describe('masks and redirects', () => {
  it('masks contact data to a hint', () => {
    assert.equal(maskEmail('max.mustermann@example.org'), 'm***@example.org');
    assert.equal(maskEmail('broken'), '***');
    assert.equal(maskMobile('+491512345678'), '+49 *** **78');
  });
  it('sends a signed-in user only to console pages', () => {
    assert.equal(safeNext('/console/items?status=loaded'), '/console/items?status=loaded');
    for (const bad of [
      undefined,
      'https://evil.example/',
      '//evil.example',
      '/console/../x',
      '/other',
      '/console/\\evil',
    ]) {
      assert.equal(safeNext(bad), '/console/', String(bad));
    }
  });
});

describe('locales', () => {
  it('has the same keys, all non-empty, in every language', () => {
    const reference = Object.keys(MESSAGES.de).sort();
    for (const lang of CONSOLE_LANGUAGES) {
      assert.deepEqual(Object.keys(MESSAGES[lang]).sort(), reference, lang);
      for (const [key, text] of Object.entries(MESSAGES[lang]))
        assert.ok(text.trim(), `${lang} ${key}`);
    }
  });
  it('uses the same placeholders in every language', () => {
    for (const key of Object.keys(MESSAGES.de) as (keyof typeof MESSAGES.de)[]) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(names(MESSAGES.en[key]), names(MESSAGES.de[key]), key);
    }
  });
  it('fills placeholders', () => {
    assert.equal(translator('en')('nav.signedInAs', { user: 'anna' }), 'Signed in as anna');
  });
});
