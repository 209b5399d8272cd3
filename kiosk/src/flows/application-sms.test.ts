/**
 * The SMS code of applications at a real terminal (kiosk core, real SQLite file) against a
 * real fleet server on 127.0.0.1 (fastify, SQLite, the notices' SMS gateway stub), signed as
 * an enrolled terminal: number → code → sealed submission with the confirmed number; a wrong
 * code, three wrong codes, an expired code and "send again"; offline the service says it
 * needs the network and nothing typed is stored. Number and code never reach disk or a log.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { type SmsCodeClient, smsCodeClient } from '@amtomat/admin-sync/agent';
import {
  ApplicationSubmittedSchema,
  type FormDefinition,
  generateDeviceKeyPair,
  loadCatalogue,
  SMS_CODE_VALIDITY_MS,
} from '@amtomat/admin-sync/protocol';
import {
  createFleetServer,
  type FleetStorage,
  openSqliteStorage,
  smsCodeService,
} from '@amtomat/admin-sync/server';
import type { FastifyInstance } from 'fastify';
import { compactDecrypt } from 'jose';
import {
  startTestGateway,
  type TestGateway,
} from '../../../admin-sync/src/server/notifications/test-support.ts';
import { enrolTestDevice } from '../../../admin-sync/src/server/testing/device.ts';
import { testKeys } from '../applications/keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from '../applications/keys.ts';
import { dataValidator } from '../applications/seal.ts';
import { FORM_CATALOGUE_SETTING } from '../service/feed.ts';
import { type KioskFixture, startKiosk } from '../testing/kiosk-fixture.ts';

const catalogue = loadCatalogue();
if (!catalogue.ok) throw new Error(catalogue.error.join('\n'));
const dog = catalogue.value.forms.find((form) => form.id === 'hund-anmelden')!;
/** The dog form's first step only, asking for an SMS-confirmed number. */
const form: FormDefinition = { ...dog, smsVerifiedMobile: true, steps: [dog.steps[0]!] };

const TYPED_MOBILE = '015123456789';
const MOBILE = '+4915123456789';
const SURNAME = 'Quappendorfer';

let dir: string;
let storage: FleetStorage;
let gateway: TestGateway;
let fleet: FastifyInstance;
let client: SmsCodeClient;
/** The fleet's time runs ahead by this much (expiry) — the terminal signs with it too. */
let ahead = 0;
let kiosk: KioskFixture | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'amtomat-sms-'));
  storage = await openSqliteStorage(join(dir, 'fleet.sqlite'));
  gateway = await startTestGateway();
  const clock = { now: () => Date.now() + ahead };
  const channel = gateway.channel();
  fleet = createFleetServer({
    storage,
    clock,
    smsCodes: smsCodeService({ storage, channel, senderName: 'Kreis Mayen-Koblenz' }),
  });
  const device = await enrolTestDevice(fleet, storage, clock.now);
  await fleet.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fleet.server.address() as AddressInfo;
  client = smsCodeClient({
    baseUrl: `http://127.0.0.1:${port}`,
    identity: {
      version: 1,
      deviceId: device.deviceId,
      publicKey: device.keys.publicKey,
      privateKeyPem: device.keys.privateKeyPem,
      enrolledAt: clock.now(),
    },
    now: clock.now,
  });
});
after(async () => {
  await fleet.close();
  await gateway.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await kiosk?.close();
  kiosk = undefined;
  ahead = 0;
});

async function terminal(smsCodes: () => SmsCodeClient | null = () => client) {
  const k = await startKiosk({ smsCodes });
  kiosk = k;
  await k.waitForScreen('attract');
  const keys = await testKeys();
  k.store.setSetting(ROOT_CERTIFICATE_SETTING, keys.rootPem);
  k.store.setSetting(destinationKeySetting(form.destinationId), JSON.stringify(keys.publicJwk));
  k.store.setSetting(FORM_CATALOGUE_SETTING, JSON.stringify({ version: 'sms', forms: [form] }));
  return k;
}

/** From the start screen to the phone step (the form answered, consent given). */
async function toPhone(k: KioskFixture) {
  k.press({ type: 'CHOOSE', service: 'application' });
  await k.waitForScreen('application.choose');
  k.press({ type: 'CHOOSE_FORM', form: form.id });
  const needs = await k.waitForScreen('application.needs');
  assert.equal(needs.props.unavailable, null);
  k.press({ type: 'CONFIRM' });
  await k.waitForScreen('application.question');
  for (const [slot, text] of [
    ['surname', SURNAME],
    ['firstNames', 'Wiebke'],
  ] as const) {
    k.press({ type: 'EDIT_SLOT', slot });
    k.press({ type: 'TYPE', text });
  }
  k.press({ type: 'SUBMIT' });
  await k.waitForScreen('application.review');
  k.press({ type: 'CONFIRM' });
  await k.waitForScreen('application.consent');
  k.press({ type: 'CONFIRM' });
  return k.waitForScreen('application.phone');
}

/** Types the number and asks for the code; returns the code the gateway got. */
async function askCode(k: KioskFixture) {
  const before = gateway.requests.length;
  k.type(TYPED_MOBILE);
  k.press({ type: 'SUBMIT' });
  await k.waitForScreen('application.sms-code');
  return lastCode(before);
}

function lastCode(before: number): string {
  assert.equal(gateway.requests.length, before + 1, 'one SMS');
  const body = gateway.requests.at(-1)!.body as { to: string; text: string };
  assert.equal(body.to, MOBILE);
  const code = /\b(\d{6})\b/.exec(body.text)?.[1];
  assert.ok(code, body.text);
  return code;
}

const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const notice = (k: KioskFixture) => k.core.view().props.sms?.notice;

describe('the SMS code of an application', () => {
  test('number, a wrong code, the right code: the sealed data holds the confirmed number, nothing else does', async () => {
    const k = await terminal();
    const phone = await toPhone(k);
    assert.equal(phone.props.sms?.mobile, '');
    k.type('0151');
    k.press({ type: 'SUBMIT' });
    await k.until('the number refused', () => notice(k) === 'invalid-mobile');
    k.press({ type: 'CLEAR' });
    const code = await askCode(k);
    k.type(code.slice(0, 5));
    k.press({ type: 'SUBMIT' });
    await k.until('incomplete', () => notice(k) === 'code-incomplete');
    k.press({ type: 'CLEAR' });
    k.type(other(code));
    k.press({ type: 'SUBMIT' });
    await k.until('wrong code shown', () => notice(k) === 'wrong-code');
    assert.equal(k.core.view().props.sms?.attemptsLeft, 2);
    assert.equal(k.core.view().props.entered, 0, 'the wrong code is cleared');
    k.type(code);
    k.press({ type: 'SUBMIT' });
    const receipt = await k.waitForScreen('application.receipt');

    const [sent] = k.store
      .pendingOutbox(k.clock.now(), 100)
      .filter((event) => event.type === 'application-submitted');
    const event = ApplicationSubmittedSchema.parse(sent!.payload);
    assert.equal(event.caseNumber, receipt.props.caseNumber);
    const keys = await testKeys();
    const data = JSON.parse(
      new TextDecoder().decode((await compactDecrypt(event.data, keys.privateKey)).plaintext),
    ) as Record<string, unknown>;
    assert.deepEqual(data, { surname: SURNAME, firstNames: 'Wiebke', verifiedMobile: MOBILE });
    assert.equal(dataValidator(form)(data), true);
    assert.equal(dataValidator(form)({ surname: SURNAME, firstNames: 'Wiebke' }), false);

    const files = readdirSync(k.dir).filter((name) => name.startsWith('kiosk.sqlite'));
    const texts = [
      ...files.map((name) => readFileSync(join(k.dir, name)).toString('latin1')),
      JSON.stringify(k.logger.entries),
    ];
    for (const value of [TYPED_MOBILE, MOBILE.slice(1), code, SURNAME]) {
      for (const text of texts) assert.equal(text.includes(value), false, `"${value}" found`);
    }
  });

  test('three wrong codes: back to the number, and a new code works', async () => {
    const k = await terminal();
    await toPhone(k);
    const code = await askCode(k);
    for (const left of [2, 1]) {
      k.type(other(code));
      k.press({ type: 'SUBMIT' });
      await k.until(`${left} left`, () => k.core.view().props.sms?.attemptsLeft === left);
    }
    k.type(other(code));
    k.press({ type: 'SUBMIT' });
    const phone = await k.waitForScreen('application.phone');
    assert.equal(phone.props.sms?.notice, 'exhausted');
    assert.equal(phone.props.sms?.mobile, TYPED_MOBILE, 'the number stays to be confirmed');
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('application.sms-code');
    k.type(lastCode(gateway.requests.length - 1));
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('application.receipt');
  });

  test('"send again" too soon, an expired code, then a new code', async () => {
    const k = await terminal();
    await toPhone(k);
    const first = await askCode(k);
    k.press({ type: 'RESEND' });
    await k.until('too soon', () => notice(k) === 'too-soon');
    ahead = SMS_CODE_VALIDITY_MS;
    k.type(first);
    k.press({ type: 'SUBMIT' });
    await k.until('expired', () => notice(k) === 'expired');
    const before = gateway.requests.length;
    k.press({ type: 'RESEND' });
    await k.until('resent', () => notice(k) === 'resent');
    assert.equal(k.core.view().props.sms?.resendsLeft, 1);
    k.type(lastCode(before));
    k.press({ type: 'SUBMIT' });
    await k.waitForScreen('application.receipt');
  });

  test('offline: the service says it needs the network before anything is typed', async () => {
    const k = await terminal(() => null);
    k.press({ type: 'CHOOSE', service: 'application' });
    const choose = await k.waitForScreen('application.choose');
    assert.ok(choose.screen === 'application.choose');
    assert.equal(choose.props.services?.find((s) => s.id === form.id)?.available, false);
    k.press({ type: 'CHOOSE_FORM', form: form.id });
    const needs = await k.waitForScreen('application.needs');
    assert.equal(needs.props.unavailable, 'sms-unavailable');
    assert.equal(k.core.send({ type: 'CONFIRM' }).ok, true);
    assert.equal(k.core.view().screen, 'application.needs', 'it cannot be started');
  });

  test('the fleet lost while sending the code: needs the network, nothing typed is kept', async () => {
    let reachable = true;
    // Nothing listens on the discard port: the connection is refused, as with the cable out.
    const gone = smsCodeClient({
      baseUrl: 'http://127.0.0.1:9',
      identity: {
        version: 1,
        deviceId: 'x'.repeat(8),
        publicKey: 'unused',
        privateKeyPem: generateDeviceKeyPair().privateKeyPem,
        enrolledAt: 0,
      },
      now: Date.now,
    });
    const k = await terminal(() => (reachable ? client : gone));
    await toPhone(k);
    reachable = false;
    k.type(TYPED_MOBILE);
    k.press({ type: 'SUBMIT' });
    const unavailable = await k.waitForScreen('application.unavailable');
    assert.equal(unavailable.props.unavailable, 'sms-unavailable');
    const outbox = k.store.pendingOutbox(k.clock.now(), 100);
    assert.equal(outbox.filter((e) => e.type === 'application-submitted').length, 0);
    k.press({ type: 'CONFIRM' });
    await k.until('the visit ended', () => !k.core.view().screen.startsWith('application'));
    const files = readdirSync(k.dir).filter((name) => name.startsWith('kiosk.sqlite'));
    for (const name of files) {
      const text = readFileSync(join(k.dir, name)).toString('latin1');
      for (const value of [TYPED_MOBILE, SURNAME]) assert.equal(text.includes(value), false);
    }
  });
});
