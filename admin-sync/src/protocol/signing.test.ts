import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  generateDeviceKeyPair,
  ItemAnnouncedSchema,
  MAX_CLOCK_SKEW_MS,
  PushRequestSchema,
  parseSignedHeaders,
  signEnrolment,
  signRequest,
  verifyEnrolment,
  verifyRequest,
} from './index.ts';

const deviceId = '0b6f3f6e-4f7a-4c1e-9a57-5f0d6c2d9f10';
const now = 1_750_000_000_000;
const keys = generateDeviceKeyPair();
const request = { method: 'POST', path: '/v1/devices/x/events', body: '{"events":[]}' };

const signedHeaders = (overrides: Partial<typeof request> = {}, timestamp = now) => {
  const headers = signRequest(
    { ...request, ...overrides },
    { deviceId, privateKey: keys.privateKeyPem },
    timestamp,
  );
  const parsed = parseSignedHeaders(headers);
  assert.ok(parsed.ok);
  return parsed.value;
};

/** A different last character, whatever it was (a fixed replacement matches 1 in 64). */
const flipLast = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;

describe('request signing', () => {
  it('verifies what it signed and reports the skew', () => {
    const result = verifyRequest(request, signedHeaders({}, now + 1500), keys.publicKey, now);
    assert.deepEqual(result, { ok: true, value: { skewMs: 1500 } });
  });

  it('refuses any tampering: method, path, body, timestamp, nonce, device id', () => {
    const signed = signedHeaders();
    const tampered = [
      verifyRequest({ ...request, method: 'GET' }, signed, keys.publicKey, now),
      verifyRequest({ ...request, path: '/v1/devices/y/events' }, signed, keys.publicKey, now),
      verifyRequest({ ...request, body: '{"events":[ ]}' }, signed, keys.publicKey, now),
      verifyRequest(request, { ...signed, timestamp: signed.timestamp + 1 }, keys.publicKey, now),
      verifyRequest(request, { ...signed, nonce: flipLast(signed.nonce) }, keys.publicKey, now),
      verifyRequest(
        request,
        { ...signed, deviceId: '1b6f3f6e-4f7a-4c1e-9a57-5f0d6c2d9f10' },
        keys.publicKey,
        now,
      ),
    ];
    for (const result of tampered)
      assert.deepEqual(result, { ok: false, error: { kind: 'bad-signature' } });
  });

  it('refuses another key and an invalid stored key', () => {
    const signed = signedHeaders();
    const other = generateDeviceKeyPair();
    assert.equal(verifyRequest(request, signed, other.publicKey, now).ok, false);
    assert.equal(verifyRequest(request, signed, 'not-a-key', now).ok, false);
  });

  it('refuses a timestamp beyond the skew bound either way, with the skew', () => {
    const stale = verifyRequest(
      request,
      signedHeaders({}, now - MAX_CLOCK_SKEW_MS - 1),
      keys.publicKey,
      now,
    );
    assert.deepEqual(stale, {
      ok: false,
      error: { kind: 'clock-skew', skewMs: -MAX_CLOCK_SKEW_MS - 1 },
    });
    const future = verifyRequest(
      request,
      signedHeaders({}, now + MAX_CLOCK_SKEW_MS + 1),
      keys.publicKey,
      now,
    );
    assert.deepEqual(future, {
      ok: false,
      error: { kind: 'clock-skew', skewMs: MAX_CLOCK_SKEW_MS + 1 },
    });
    assert.equal(
      verifyRequest(request, signedHeaders({}, now - MAX_CLOCK_SKEW_MS), keys.publicKey, now).ok,
      true,
    );
  });

  it('tells unsigned from malformed headers', () => {
    assert.deepEqual(parseSignedHeaders({}), { ok: false, error: 'unsigned' });
    const headers = signRequest(request, { deviceId, privateKey: keys.privateKeyPem }, now);
    assert.deepEqual(parseSignedHeaders({ ...headers, 'x-nonce': undefined }), {
      ok: false,
      error: 'malformed-signature',
    });
    assert.deepEqual(parseSignedHeaders({ ...headers, 'x-timestamp': '12ab' }), {
      ok: false,
      error: 'malformed-signature',
    });
    assert.deepEqual(parseSignedHeaders({ ...headers, 'x-device-id': 'device-1' }), {
      ok: false,
      error: 'malformed-signature',
    });
  });

  it('signs a fresh nonce each time', () => {
    const a = signRequest(request, { deviceId, privateKey: keys.privateKeyPem }, now);
    const b = signRequest(request, { deviceId, privateKey: keys.privateKeyPem }, now);
    assert.notEqual(a['x-nonce'], b['x-nonce']);
  });
});

describe('enrolment proof', () => {
  it('proves the private key for the token and public key', () => {
    const token = 'a'.repeat(43);
    const proof = signEnrolment(token, keys);
    assert.equal(verifyEnrolment(token, keys.publicKey, proof), true);
    assert.equal(verifyEnrolment('b'.repeat(43), keys.publicKey, proof), false);
    assert.equal(verifyEnrolment(token, generateDeviceKeyPair().publicKey, proof), false);
  });
});

describe('schemas', () => {
  const announced = {
    kind: 'item-announced',
    itemId: 'item-1',
    reference: 'PA-123',
    itemKind: 'id-document',
    codeHash: 'c'.repeat(43),
    secondFactorHash: null,
    holdingDays: 14,
  };

  it('an announced item carries no contact data', () => {
    assert.equal(ItemAnnouncedSchema.safeParse(announced).success, true);
    assert.equal(ItemAnnouncedSchema.safeParse({ ...announced, email: 'a@b.de' }).success, false);
    assert.equal(ItemAnnouncedSchema.safeParse({ ...announced, mobile: '+49 170' }).success, false);
  });

  it('a push batch is 1 to 500 events', () => {
    const event = { deviceId, seq: 1, idempotencyKey: 'k', type: 'item-ready', payload: {} };
    assert.equal(PushRequestSchema.safeParse({ events: [] }).success, false);
    assert.equal(PushRequestSchema.safeParse({ events: [event] }).success, true);
    assert.equal(PushRequestSchema.safeParse({ events: Array(501).fill(event) }).success, false);
    assert.equal(PushRequestSchema.safeParse({ events: [{ ...event, seq: 0 }] }).success, false);
  });

  it('canonical JSON ignores key order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }] }), '{"a":[{"c":null,"d":2}],"b":1}');
  });
});
