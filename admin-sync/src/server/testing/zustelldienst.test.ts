/**
 * The Zustelldienst double itself: strict about tokens, content types and bodies, as the
 * relay's tests rely on; it publishes a given destination key (with its x5c) and opens
 * what is sealed to it.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { seal } from '../applications/testing.ts';
import { startZustelldienst, type Zustelldienst } from './zustelldienst.ts';

describe('Zustelldienst double', () => {
  let double: Zustelldienst;
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = {
    ...(pair.publicKey.export({ format: 'jwk' }) as JWK),
    kid: 'test-kid',
    x5c: ['MIIB'],
  };

  before(async () => {
    double = await startZustelldienst({
      destinationKey: { publicJwk, privateJwk: pair.privateKey.export({ format: 'jwk' }) as JWK },
    });
  });
  after(() => double.close());

  const token = async () => {
    const response = await fetch(double.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: double.clientId,
        client_secret: double.clientSecret,
      }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('publishes the given key and opens what is sealed to it', async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    const key = await fetch(
      `${double.submissionApiUrl}/v2/destinations/${double.destinationId}/keys/test-kid`,
      { headers: bearer },
    );
    const published = (await key.json()) as JWK;
    assert.deepEqual(
      [published.n, published.x5c, published.key_ops],
      [publicJwk.n, ['MIIB'], ['wrapKey']],
    );
    assert.deepEqual(await double.open(await seal({ hund: 'Bello' }, publicJwk)), {
      hund: 'Bello',
    });
  });

  it('refuses a wrong client, a missing token, a wrong content type and unknown fields', async () => {
    const refused = await fetch(double.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=x&client_secret=y',
    });
    assert.equal(refused.status, 401);
    const create = (headers: Record<string, string>, body: unknown) =>
      fetch(`${double.submissionApiUrl}/v2/submissions`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
    const good = {
      destinationId: double.destinationId,
      announcedAttachments: [],
      publicService: { name: 'Hund', identifier: 'urn:de:fim:leika:leistung:99036004001000' },
    };
    assert.equal((await create({ 'content-type': 'application/json' }, good)).status, 401);
    const auth = { authorization: `Bearer ${await token()}` };
    assert.equal((await create({ ...auth, 'content-type': 'text/plain' }, good)).status, 415);
    assert.equal(
      (await create({ ...auth, 'content-type': 'application/json' }, { ...good, extra: 1 })).status,
      400,
    );
    assert.equal((await create({ ...auth, 'content-type': 'application/json' }, good)).status, 201);
  });
});
