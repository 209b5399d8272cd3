/**
 * SMS codes on the fleet server, over its signed HTTP routes with a real SMS gateway stub on
 * 127.0.0.1 and both databases: the code reaches the gateway, only keyed hashes are stored,
 * a code expires, three wrong codes spend the challenge, resends and numbers are limited,
 * and neither number nor code appears in a log line or the database.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import type { FastifyInstance } from 'fastify';
import {
  paths,
  SMS_CODE_RESEND_AFTER_MS,
  SMS_CODE_VALIDITY_MS,
  SmsCodeSentSchema,
  SmsCodeVerifiedSchema,
  SmsSendRefusedSchema,
} from '../../protocol/index.ts';
import { createFleetServer } from '../app.ts';
import { startTestGateway, type TestGateway } from '../notifications/test-support.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { enrolTestDevice, type TestDevice } from '../testing/device.ts';
import { smsCodeService } from './sms-codes.ts';

const START = Date.UTC(2026, 2, 2, 9);
const MOBILE = '+4915112345678';

for (const adapter of storageAdapters()) {
  describe(`SMS codes on ${adapter.name}`, () => {
    let storage: FleetStorage;
    let gateway: TestGateway;
    let app: FastifyInstance;
    let device: TestDevice;
    let logger: ReturnType<typeof memoryLogger>;
    let now = START;
    const clock = { now: () => now };

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      now = START;
      storage = await adapter.open();
      gateway = await startTestGateway();
      logger = memoryLogger();
      const channel = gateway.channel();
      app = createFleetServer({
        storage,
        clock,
        logger,
        smsCodes: smsCodeService({
          storage,
          channel,
          senderName: 'Kreis Mayen-Koblenz',
          limits: { perNumberPerHour: 4, perDevicePerHour: 6 },
        }),
      });
      device = await enrolTestDevice(app, storage, clock.now);
    });
    afterEach(async () => {
      await app.close();
      await gateway.close();
      await storage.close();
    });

    const ask = (mobile = MOBILE, language = 'de') =>
      device.request('POST', paths.smsCodes(device.deviceId), { mobile, language });
    const resend = (challengeId: string, mobile = MOBILE) =>
      device.request('POST', paths.smsCodeResend(device.deviceId, challengeId), {
        mobile,
        language: 'de',
      });
    const verify = async (challengeId: string, code: string) => {
      const reply = await device.request(
        'POST',
        paths.smsCodeVerify(device.deviceId, challengeId),
        { code },
      );
      assert.equal(reply.statusCode, 200, reply.body);
      return SmsCodeVerifiedSchema.parse(reply.json());
    };
    /** The code of the gateway's last SMS, and its text. */
    const lastSms = () => {
      const body = gateway.requests.at(-1)?.body as { to: string; text: string };
      const code = /\b(\d{6})\b/.exec(body.text)?.[1];
      assert.ok(code, body.text);
      return { ...body, code };
    };
    const started = async (mobile = MOBILE) => {
      const reply = await ask(mobile);
      assert.equal(reply.statusCode, 201, reply.body);
      return SmsCodeSentSchema.parse(reply.json());
    };
    const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    it('sends a six-digit code in the language asked, stores only keyed hashes, and verifies it', async () => {
      const sent = await started();
      assert.equal(sent.expiresAt, START + SMS_CODE_VALIDITY_MS);
      assert.equal(sent.resendsLeft, 2);
      const sms = lastSms();
      assert.equal(sms.to, MOBILE);
      assert.match(
        sms.text,
        /^Kreis Mayen-Koblenz: Ihr Bestätigungscode ist \d{6}\. Er gilt 10 Minuten/,
      );
      const rows = await storage.sql.all<Record<string, unknown>>('SELECT * FROM sms_codes');
      assert.equal(rows.length, 1);
      const stored = JSON.stringify(rows);
      assert.doesNotMatch(stored, new RegExp(`${sms.code}|${MOBILE.slice(1)}|15112345678`));
      assert.match(String(rows[0]!.code_mac), /^[0-9a-f]{64}$/);
      assert.deepEqual(await verify(sent.challengeId, sms.code), {
        result: 'verified',
        attemptsLeft: 0,
      });
      // The answer lost and asked again: still verified; another code is not.
      assert.equal((await verify(sent.challengeId, sms.code)).result, 'verified');
      assert.equal((await verify(sent.challengeId, wrongCode(sms.code))).result, 'exhausted');
      const logged = JSON.stringify(logger.entries);
      assert.ok(!logged.includes(sms.code) && !logged.includes('15112345678'), logged);
    });

    it('three wrong codes spend the challenge: the right one no longer works', async () => {
      const sent = await started();
      const { code } = lastSms();
      assert.deepEqual(await verify(sent.challengeId, wrongCode(code)), {
        result: 'wrong',
        attemptsLeft: 2,
      });
      assert.equal((await verify(sent.challengeId, wrongCode(code))).attemptsLeft, 1);
      assert.deepEqual(await verify(sent.challengeId, wrongCode(code)), {
        result: 'exhausted',
        attemptsLeft: 0,
      });
      assert.equal((await verify(sent.challengeId, code)).result, 'exhausted');
      const refused = await resend(sent.challengeId);
      assert.equal(refused.statusCode, 410);
    });

    it('a code expires after ten minutes; a resend sends a new one and the old one stops working', async () => {
      const sent = await started();
      const first = lastSms().code;
      now = START + SMS_CODE_VALIDITY_MS;
      assert.equal((await verify(sent.challengeId, first)).result, 'expired');
      const again = await resend(sent.challengeId);
      assert.equal(again.statusCode, 201, again.body);
      assert.equal(SmsCodeSentSchema.parse(again.json()).resendsLeft, 1);
      const second = lastSms().code;
      if (second !== first) {
        assert.equal((await verify(sent.challengeId, first)).result, 'wrong');
      }
      assert.equal((await verify(sent.challengeId, second)).result, 'verified');
    });

    it('resends: not within 30 s, at most two, and only to the same number', async () => {
      const sent = await started();
      const soon = await resend(sent.challengeId);
      assert.equal(soon.statusCode, 429);
      const refusal = SmsSendRefusedSchema.parse(soon.json());
      assert.equal(refusal.refused, 'too-soon');
      assert.equal(refusal.retryAfterMs, SMS_CODE_RESEND_AFTER_MS);
      assert.equal((await resend(sent.challengeId, '+4915199999999')).statusCode, 410);
      for (const left of [1, 0]) {
        now += SMS_CODE_RESEND_AFTER_MS;
        const again = await resend(sent.challengeId);
        assert.equal(again.statusCode, 201, again.body);
        assert.equal(SmsCodeSentSchema.parse(again.json()).resendsLeft, left);
      }
      now += SMS_CODE_RESEND_AFTER_MS;
      const limit = await resend(sent.challengeId);
      assert.equal(limit.statusCode, 429);
      assert.equal(SmsSendRefusedSchema.parse(limit.json()).refused, 'resend-limit');
      assert.equal(gateway.requests.length, 3);
    });

    it('limits codes per number and per terminal within an hour', async () => {
      for (let i = 0; i < 4; i++) await started();
      const fifth = await ask();
      assert.equal(fifth.statusCode, 429);
      assert.equal(SmsSendRefusedSchema.parse(fifth.json()).refused, 'rate-limited');
      // Another number still gets codes until the terminal's limit.
      await started('+4917600000001');
      await started('+4917600000002');
      assert.equal((await ask('+4917600000003')).statusCode, 429);
      assert.equal(gateway.requests.length, 6);
      now += 60 * 60_000 + 1;
      await started();
    });

    it('a gateway that fails: unavailable, nothing stored; no gateway at all: the same', async () => {
      gateway.answer(500);
      const failed = await ask();
      assert.equal(failed.statusCode, 503);
      assert.equal(SmsSendRefusedSchema.parse(failed.json()).refused, 'unavailable');
      assert.equal((await storage.sql.all('SELECT id FROM sms_codes')).length, 0);
      const bare = createFleetServer({ storage, clock });
      try {
        const other = await enrolTestDevice(bare, storage, clock.now);
        const reply = await other.request('POST', paths.smsCodes(other.deviceId), {
          mobile: MOBILE,
          language: 'en',
        });
        assert.equal(reply.statusCode, 503);
      } finally {
        await bare.close();
      }
      assert.doesNotMatch(JSON.stringify(logger.entries), /15112345678/);
    });

    it('refuses a number that is not international, a code of five digits, another device', async () => {
      assert.equal((await ask('01511234567')).statusCode, 400);
      const sent = await started();
      const short = await device.request(
        'POST',
        paths.smsCodeVerify(device.deviceId, sent.challengeId),
        { code: '12345' },
      );
      assert.equal(short.statusCode, 400);
      const other = await enrolTestDevice(app, storage, clock.now);
      const foreign = await other.request(
        'POST',
        paths.smsCodeVerify(other.deviceId, sent.challengeId),
        { code: lastSms().code },
      );
      assert.equal(SmsCodeVerifiedSchema.parse(foreign.json()).result, 'expired');
    });
  });
}
