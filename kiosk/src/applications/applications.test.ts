import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  type Answers,
  ApplicationSubmittedSchema,
  loadCatalogue,
} from '@amtomat/admin-sync/protocol';
import { compactDecrypt } from 'jose';
import { FORM_CATALOGUE_SETTING } from '../service/feed.ts';
import { openTestStore } from '../store/test-support.ts';
import { DOG_ANSWERS } from './answers.testing.ts';
import { activeCatalogue, submitApplication } from './applications.ts';
import { testKeys } from './keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from './keys.ts';
import { dataValidator } from './seal.ts';

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;

const TYPED = [
  'Quappendorfer',
  'Wiebke',
  'Zwetschgenallee',
  'Thürwiesen',
  'Knödelbert',
  'Xoloitzcuintle',
  '276098106512345',
  'DE89370400440532013000',
  '987654',
  'wiebke.quappendorfer',
];

async function storeWithKeys(t: TestContext, root: 'root' | 'other' = 'root') {
  const keys = await testKeys();
  const test = openTestStore(t);
  test.store.setSetting(
    ROOT_CERTIFICATE_SETTING,
    root === 'root' ? keys.rootPem : keys.otherRootPem,
  );
  test.store.setSetting(destinationKeySetting(dog.destinationId), JSON.stringify(keys.publicJwk));
  return { ...test, keys, now: keys.validFrom + 60_000 };
}

describe('submitting an application', () => {
  it('puts only the sealed JWE in the outbox; the office decrypts exactly what was typed, valid against the form schema', async (t) => {
    const { store, logger, outbox, keys, now } = await storeWithKeys(t);
    const result = await submitApplication({ store, logger, form: dog, answers: DOG_ANSWERS, now });
    assert.ok(result.ok);
    const events = outbox().filter((event) => event.type === 'application-submitted');
    assert.equal(events.length, 1);
    const event = ApplicationSubmittedSchema.parse(events[0]!.payload);
    assert.equal(event.caseNumber, result.value.caseNumber);
    assert.equal(event.serviceId, 'hund-anmelden');
    const { plaintext, protectedHeader } = await compactDecrypt(event.data, keys.privateKey);
    assert.deepEqual(
      { alg: protectedHeader.alg, enc: protectedHeader.enc, kid: protectedHeader.kid },
      { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'test-destination-1' },
    );
    const data = JSON.parse(new TextDecoder().decode(plaintext)) as Answers;
    assert.deepEqual(data, DOG_ANSWERS);
    assert.equal(dataValidator(dog)(data), true);
    const metadata = event.metadata as {
      contentStructure: {
        data: { hash: { type: string; content: string }; submissionSchema: { schemaUri: string } };
      };
    };
    const { createHash } = await import('node:crypto');
    assert.equal(
      metadata.contentStructure.data.hash.content,
      createHash('sha512').update(plaintext).digest('hex'),
    );
    assert.equal(
      metadata.contentStructure.data.submissionSchema.schemaUri,
      'urn:amtomat:form:hund-anmelden:1',
    );
    const sealedMetadata = await compactDecrypt(event.encryptedMetadata!, keys.privateKey);
    assert.deepEqual(
      JSON.parse(new TextDecoder().decode(sealedMetadata.plaintext)),
      event.metadata,
    );
  });

  it('leaves none of the typed values in the SQLite file, its WAL or the log', async (t) => {
    const { store, logger, dir, now } = await storeWithKeys(t);
    const result = await submitApplication({ store, logger, form: dog, answers: DOG_ANSWERS, now });
    assert.ok(result.ok);
    const files = readdirSync(dir).filter(
      (name) => name.includes('.db') || name.includes('sqlite'),
    );
    assert.ok(
      files.some((name) => name.endsWith('-wal')),
      `a WAL among ${files.join(', ')}`,
    );
    const texts = files.map((name) => readFileSync(join(dir, name)).toString('latin1'));
    texts.push(readFileSync(join(dir, files[0]!)).toString('utf8'));
    texts.push(JSON.stringify(logger.entries));
    for (const value of TYPED) {
      const latin1 = Buffer.from(value, 'utf8').toString('latin1');
      for (const text of texts) {
        assert.equal(text.includes(value) || text.includes(latin1), false, `"${value}" found`);
      }
    }
  });

  it('refuses an expired key and a key not chained to the root: nothing is sent, staff get one alarm', async (t) => {
    const expired = await storeWithKeys(t);
    const late = expired.keys.validTo + 1000;
    const first = await submitApplication({
      ...expired,
      form: dog,
      answers: DOG_ANSWERS,
      now: late,
    });
    const again = await submitApplication({
      ...expired,
      form: dog,
      answers: DOG_ANSWERS,
      now: late + 1,
    });
    assert.deepEqual(
      [first.ok || first.error, again.ok || again.error],
      ['key-expired', 'key-expired'],
    );
    assert.deepEqual(
      expired.outbox().map((event) => [event.type, event.payload.kind]),
      [['alarm', 'application-key-expired']],
    );

    const wrongRoot = await storeWithKeys(t, 'other');
    const refused = await submitApplication({ ...wrongRoot, form: dog, answers: DOG_ANSWERS });
    assert.equal(refused.ok || refused.error, 'key-chain-invalid');
    assert.deepEqual(
      wrongRoot.outbox().map((event) => event.type),
      ['alarm'],
    );
  });

  it('refuses a key that is not for wrapping, and a missing key', async (t) => {
    const test = await storeWithKeys(t);
    test.store.setSetting(
      destinationKeySetting(dog.destinationId),
      JSON.stringify({ ...test.keys.publicJwk, key_ops: ['encrypt'] }),
    );
    const wrongUse = await submitApplication({ ...test, form: dog, answers: DOG_ANSWERS });
    assert.equal(wrongUse.ok || wrongUse.error, 'key-invalid');
    const none = await submitApplication({
      ...test,
      form: { ...dog, destinationId: 'nowhere' },
      answers: DOG_ANSWERS,
    });
    assert.equal(none.ok || none.error, 'key-missing');
    assert.equal(
      test.outbox().some((event) => event.type === 'application-submitted'),
      false,
    );
  });
});

describe('the catalogue in force', () => {
  it('is the shipped one until the fleet sends one; a stored catalogue that does not parse is not used', (t) => {
    const { store, logger } = openTestStore(t);
    assert.equal(activeCatalogue(store, logger).version, catalogue.value.version);
    store.setSetting(FORM_CATALOGUE_SETTING, JSON.stringify({ version: 'v7', forms: [dog] }));
    assert.equal(activeCatalogue(store, logger).version, 'v7');
    store.setSetting(
      FORM_CATALOGUE_SETTING,
      JSON.stringify({ version: 'v8', forms: [{ id: 'x' }] }),
    );
    assert.equal(activeCatalogue(store, logger).version, catalogue.value.version);
  });
});
