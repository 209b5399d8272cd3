/**
 * SMS codes of applications (issue #12), the fleet's side: a terminal asks for a code to a
 * mobile number; the fleet draws six digits, sends them through the SMS gateway of the
 * notices and keeps only keyed hashes (the code's and the number's, HMAC under the key that
 * is not in the database), an expiry, the wrong attempts and the codes sent. Neither number
 * nor code is logged or stored. Limits: three wrong codes spend a challenge; a challenge sends
 * at most three codes, the next no sooner than 30 s after the last; a number gets at most
 * `perNumberPerHour` codes an hour and a terminal `perDevicePerHour`.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import {
  SMS_CODE_LENGTH,
  SMS_CODE_MAX_ATTEMPTS,
  SMS_CODE_MAX_SENDS,
  SMS_CODE_RESEND_AFTER_MS,
  SMS_CODE_VALIDITY_MS,
  type SmsCodeRequest,
  type SmsCodeSent,
  type SmsCodeVerified,
  type SmsSendRefused,
} from '../../protocol/index.ts';
import type { NoticeChannel } from '../notifications/channel.ts';
import { fill, TEMPLATES } from '../notifications/templates.ts';
import type { FleetStorage } from '../storage/storage.ts';

const HOUR_MS = 60 * 60_000;
/** Rows are kept a day (for the hourly limits), then deleted. */
const KEEP_MS = 24 * HOUR_MS;
const NUMBER_CONTEXT = 'sms_codes.number';
const codeContext = (challengeId: string) => `sms_codes.code:${challengeId}`;

export interface SmsCodeLimits {
  perNumberPerHour: number;
  perDevicePerHour: number;
}

export const DEFAULT_SMS_CODE_LIMITS: SmsCodeLimits = { perNumberPerHour: 5, perDevicePerHour: 30 };

export interface SmsCodeDeps {
  storage: FleetStorage;
  /** The notices' SMS gateway; without one every request is refused as `unavailable`. */
  channel: NoticeChannel | undefined;
  /** Who the SMS is from (the notices' sender name). */
  senderName: string;
  limits?: Partial<SmsCodeLimits>;
  /** Draws the code (tests); default: uniform over the six-digit codes. */
  drawCode?: () => string;
}

interface Row {
  id: string;
  number_mac: string;
  code_mac: string;
  sent_at: number | string;
  expires_at: number | string;
  sends: number | string;
  attempts: number | string;
  status: 'open' | 'verified' | 'exhausted';
}

const drawSixDigits = () =>
  String(randomInt(0, 10 ** SMS_CODE_LENGTH)).padStart(SMS_CODE_LENGTH, '0');

const sameMac = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

export type SmsCodeService = ReturnType<typeof smsCodeService>;

export function smsCodeService(deps: SmsCodeDeps) {
  const { storage } = deps;
  const sql = storage.sql;
  const limits = { ...DEFAULT_SMS_CODE_LIMITS, ...deps.limits };
  const draw = deps.drawCode ?? drawSixDigits;

  /** Codes sent within the hour, to this number and by this terminal. */
  async function sentWithinHour(deviceId: string, numberMac: string, now: number) {
    const since = now - HOUR_MS;
    const [byNumber] = await sql.all<{ n: number | string | null }>(
      'SELECT SUM(sends) AS n FROM sms_codes WHERE number_mac = ? AND sent_at > ?',
      [numberMac, since],
    );
    const [byDevice] = await sql.all<{ n: number | string | null }>(
      'SELECT SUM(sends) AS n FROM sms_codes WHERE device_id = ? AND sent_at > ?',
      [deviceId, since],
    );
    return { number: Number(byNumber?.n ?? 0), device: Number(byDevice?.n ?? 0) };
  }

  async function overLimit(deviceId: string, numberMac: string, now: number) {
    const sent = await sentWithinHour(deviceId, numberMac, now);
    return sent.number >= limits.perNumberPerHour || sent.device >= limits.perDevicePerHour;
  }

  /** Sends `code`; a failure of the gateway is `unavailable` (its reason is already redacted). */
  async function deliver(
    mobile: string,
    language: SmsCodeRequest['language'],
    code: string,
  ): Promise<Result<void, string>> {
    if (!deps.channel) return err('no SMS gateway configured');
    const text = fill(TEMPLATES[language].smsCode, {
      sender: deps.senderName,
      code,
      minutes: String(SMS_CODE_VALIDITY_MS / 60_000),
    });
    const sent = await deps.channel.send({ to: mobile, language, subject: '', text });
    return sent.ok ? ok(undefined) : err(sent.error.reason);
  }

  const rowOf = async (deviceId: string, challengeId: string) =>
    (
      await sql.all<Row>(
        `SELECT id, number_mac, code_mac, sent_at, expires_at, sends, attempts, status
         FROM sms_codes WHERE id = ? AND device_id = ?`,
        [challengeId, deviceId],
      )
    )[0];

  return {
    /** A new challenge: a code to `request.mobile`. */
    async request(
      deviceId: string,
      request: SmsCodeRequest,
      now: number,
    ): Promise<Result<SmsCodeSent, SmsSendRefused & { reason?: string }>> {
      await sql.run('DELETE FROM sms_codes WHERE created_at < ?', [now - KEEP_MS]);
      const numberMac = storage.secrets.mac(request.mobile, NUMBER_CONTEXT);
      if (await overLimit(deviceId, numberMac, now)) return err({ refused: 'rate-limited' });
      const code = draw();
      const sent = await deliver(request.mobile, request.language, code);
      if (!sent.ok) return err({ refused: 'unavailable', reason: sent.error });
      const id = randomBytes(18).toString('base64url');
      const expiresAt = now + SMS_CODE_VALIDITY_MS;
      await sql.run(
        `INSERT INTO sms_codes (id, device_id, number_mac, code_mac, created_at, sent_at,
           expires_at, sends, attempts, status) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, 'open')`,
        [id, deviceId, numberMac, storage.secrets.mac(code, codeContext(id)), now, now, expiresAt],
      );
      return ok({ challengeId: id, expiresAt, resendsLeft: SMS_CODE_MAX_SENDS - 1 });
    },

    /** A new code for the same challenge; the number comes again from the terminal. */
    async resend(
      deviceId: string,
      challengeId: string,
      request: SmsCodeRequest,
      now: number,
    ): Promise<Result<SmsCodeSent, SmsSendRefused & { reason?: string }>> {
      const row = await rowOf(deviceId, challengeId);
      const numberMac = storage.secrets.mac(request.mobile, NUMBER_CONTEXT);
      // Another number is a new challenge, not a resend.
      if (row?.status !== 'open' || row.number_mac !== numberMac) {
        return err({ refused: 'expired' });
      }
      if (Number(row.sends) >= SMS_CODE_MAX_SENDS) return err({ refused: 'resend-limit' });
      const wait = Number(row.sent_at) + SMS_CODE_RESEND_AFTER_MS - now;
      if (wait > 0) return err({ refused: 'too-soon', retryAfterMs: wait });
      if (await overLimit(deviceId, numberMac, now)) return err({ refused: 'rate-limited' });
      const code = draw();
      const sent = await deliver(request.mobile, request.language, code);
      if (!sent.ok) return err({ refused: 'unavailable', reason: sent.error });
      const expiresAt = now + SMS_CODE_VALIDITY_MS;
      // Each code has its own three attempts; the old code stops working.
      await sql.run(
        `UPDATE sms_codes SET code_mac = ?, sent_at = ?, expires_at = ?, sends = sends + 1,
           attempts = 0 WHERE id = ? AND status = 'open'`,
        [storage.secrets.mac(code, codeContext(challengeId)), now, expiresAt, challengeId],
      );
      return ok({
        challengeId,
        expiresAt,
        resendsLeft: SMS_CODE_MAX_SENDS - Number(row.sends) - 1,
      });
    },

    /** Checks a typed code; the third wrong one spends the challenge. */
    async verify(
      deviceId: string,
      challengeId: string,
      code: string,
      now: number,
    ): Promise<SmsCodeVerified> {
      const row = await rowOf(deviceId, challengeId);
      if (!row) return { result: 'expired', attemptsLeft: 0 };
      const matches = sameMac(row.code_mac, storage.secrets.mac(code, codeContext(challengeId)));
      // A retried request after the answer was lost: still verified.
      if (row.status === 'verified') {
        return { result: matches ? 'verified' : 'exhausted', attemptsLeft: 0 };
      }
      if (row.status === 'exhausted') return { result: 'exhausted', attemptsLeft: 0 };
      if (now >= Number(row.expires_at)) return { result: 'expired', attemptsLeft: 0 };
      if (matches) {
        const changed = await sql.run(
          `UPDATE sms_codes SET status = 'verified' WHERE id = ? AND status = 'open' AND attempts < ?`,
          [challengeId, SMS_CODE_MAX_ATTEMPTS],
        );
        return changed === 1
          ? { result: 'verified', attemptsLeft: 0 }
          : { result: 'exhausted', attemptsLeft: 0 };
      }
      const [counted] = await sql.all<{ attempts: number | string }>(
        `UPDATE sms_codes SET attempts = attempts + 1,
           status = CASE WHEN attempts + 1 >= ? THEN 'exhausted' ELSE 'open' END
         WHERE id = ? AND status = 'open' AND attempts < ? RETURNING attempts`,
        [SMS_CODE_MAX_ATTEMPTS, challengeId, SMS_CODE_MAX_ATTEMPTS],
      );
      const left = counted ? SMS_CODE_MAX_ATTEMPTS - Number(counted.attempts) : 0;
      return left > 0
        ? { result: 'wrong', attemptsLeft: left }
        : { result: 'exhausted', attemptsLeft: 0 };
    },
  };
}
