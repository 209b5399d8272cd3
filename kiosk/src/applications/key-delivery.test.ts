/**
 * Destination keys as the fleet delivers them (`destination-key` feed change), applied by the
 * feed to a real store: a good key makes the service usable; a bad one (not chained to the
 * root it came with, tampered, expired, unreadable) is refused back to the fleet, raises one
 * alarm for staff and never replaces the last good key; without a good key the service stays
 * unavailable and nothing is sealed.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  type DestinationKeyChange,
  type FeedEntry,
  loadCatalogue,
} from '@amtomat/admin-sync/protocol';
import { compactDecrypt } from 'jose';
import { applyFeedEntries } from '../service/feed.ts';
import { openTestStore } from '../store/test-support.ts';
import { DOG_ANSWERS } from './answers.testing.ts';
import { submitApplication } from './applications.ts';
import { testKeys } from './keys.testing.ts';

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;

async function terminal(t: TestContext) {
  const keys = await testKeys();
  const test = openTestStore(t);
  const now = keys.validFrom + 60_000;
  let cursor = 0;
  const deliver = (key: Record<string, unknown>, root = keys.rootPem, at = now) => {
    cursor += 1;
    const change: DestinationKeyChange = {
      kind: 'destination-key',
      destinationId: dog.destinationId,
      key: key as DestinationKeyChange['key'],
      rootCertificate: root,
    };
    const entry: FeedEntry = { cursor, createdAt: at, change };
    applyFeedEntries(test.store, [entry], test.logger, at);
  };
  const submit = () =>
    submitApplication({
      store: test.store,
      logger: test.logger,
      form: dog,
      answers: DOG_ANSWERS,
      now,
    });
  const refusals = () =>
    test
      .outbox()
      .filter((event) => event.type === 'feed-change-refused')
      .map((event) => event.payload.code);
  const alarms = () =>
    test
      .outbox()
      .filter((event) => event.type === 'alarm')
      .map((event) => event.payload.kind);
  return { ...test, keys, now, deliver, submit, refusals, alarms };
}

describe('destination keys delivered by the fleet', () => {
  it('a good key is taken: the service seals to it and the office opens what was typed', async (t) => {
    const k = await terminal(t);
    k.deliver(k.keys.publicJwk);
    assert.deepEqual(k.refusals(), []);
    const submitted = await k.submit();
    assert.ok(submitted.ok, String(!submitted.ok && submitted.error));
    const opened = await compactDecrypt(submitted.value.data, k.keys.privateKey);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(opened.plaintext)), DOG_ANSWERS);
  });

  it('a bad first key: refused to the fleet, staff alarmed, the service unavailable, nothing sealed', async (t) => {
    const k = await terminal(t);
    k.deliver(k.keys.publicJwk, k.keys.otherRootPem);
    assert.deepEqual(k.refusals(), ['key-chain-invalid']);
    assert.deepEqual(k.alarms(), ['application-key-chain-invalid']);
    const submitted = await k.submit();
    assert.equal(submitted.ok || submitted.error, 'key-missing');
    assert.equal(
      k.outbox().some((event) => event.type === 'application-submitted'),
      false,
    );
  });

  it('after a good key, bad ones never replace it: each refused with its reason and one alarm', async (t) => {
    const k = await terminal(t);
    k.deliver(k.keys.publicJwk);
    const { n } = k.keys.publicJwk as { n: string };
    // Another modulus under the same certificate: not the certificate's key.
    k.deliver({ ...k.keys.publicJwk, n: `${n.slice(0, -4)}AAAA` });
    k.deliver(k.keys.publicJwk, k.keys.otherRootPem);
    k.deliver({ kty: 'RSA', n: 'x' });
    k.deliver(k.keys.publicJwk, k.keys.rootPem, k.keys.validTo + 1);
    assert.deepEqual(k.refusals(), [
      'key-chain-invalid',
      'key-chain-invalid',
      'key-invalid',
      'key-expired',
    ]);
    assert.deepEqual(k.alarms(), [
      'application-key-chain-invalid',
      'application-key-invalid',
      'application-key-expired',
    ]);
    const submitted = await k.submit();
    assert.ok(submitted.ok, 'the last good key is still in use');
    const opened = await compactDecrypt(submitted.value.data, k.keys.privateKey);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(opened.plaintext)), DOG_ANSWERS);
  });
});
