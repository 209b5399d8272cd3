/**
 * Notifications end to end, per storage adapter (SQLite and a real PostgreSQL): a terminal
 * pushes events through the fleet server, the worker sends through a real SMTP server and a
 * real HTTP SMS gateway on 127.0.0.1. Time is a settable clock; the worker's own timer never
 * fires (a cycle is `runOnce`).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { keyedHash } from '../../protocol/index.ts';
import type { FleetStorage } from '../storage/storage.ts';
import { storageAdapters } from '../testing/adapters.ts';
import { TEST_CODE_KEY } from '../testing/device.ts';
import type { NoticeChannels } from './channel.ts';
import { loadNotificationConfig, type NotificationConfig } from './config.ts';
import { notificationOverview, retryNotification } from './queue.ts';
import { smsGatewayChannel } from './sms-gateway.ts';
import { smtpChannel } from './smtp.ts';
import {
  DAY_MS,
  type Fleet,
  freePort,
  startFleet,
  startTestGateway,
  startTestSmtp,
  type TestGateway,
  type TestSmtp,
} from './test-support.ts';
import { type NotificationWorker, startNotificationWorker } from './worker.ts';

const START = Date.UTC(2025, 5, 2, 8, 0, 0); // Monday 2 June 2025, 10:00 in Mayen
const EMAIL = 'erika.mustermann@example.org';
const MOBILE = '+491512345678';
const BACKOFF = { initialMs: 60_000, maxMs: 600_000 };
const MAX_ATTEMPTS = 4;
const TEXTS = {
  senderName: 'Kreisverwaltung Mayen-Koblenz',
  office: 'Bürgerbüro Mayen, Rosengasse 2, Mo–Fr 8–12 Uhr',
  terminals: { 'Rathaus Mayen': { place: 'Rathaus Mayen, Eingang Rosengasse' } },
  timeZone: 'Europe/Berlin',
};

const codeHashOf = (code: string) => {
  const hash = keyedHash(Buffer.from(TEST_CODE_KEY, 'base64url'), 'pickup-code', code);
  assert.ok(hash.ok);
  return hash.value.toString('base64url');
};
const codeIn = (text: string) => /(?:Abholcode|pickup code): (\d{8})/i.exec(text)?.[1];

for (const adapter of storageAdapters()) {
  describe(`notifications on ${adapter.name}`, () => {
    let storage: FleetStorage;
    let fleet: Fleet;
    let smtp: TestSmtp;
    let gateway: TestGateway;
    let config: NotificationConfig;
    let logger: ReturnType<typeof memoryLogger>;
    let workers: NotificationWorker[];
    /** Everything that must never show up in a log line, a stored reason or the history. */
    let secrets: string[];
    let now = START;
    const clock = { now: () => now };

    const channelsOf = (cfg: NotificationConfig): NoticeChannels => ({
      ...(cfg.email ? { email: smtpChannel(cfg.email) } : {}),
      ...(cfg.sms ? { sms: smsGatewayChannel(cfg.sms) } : {}),
    });
    const worker = (channels: NoticeChannels = channelsOf(config)) => {
      const started = startNotificationWorker({
        storage,
        channels,
        clock,
        logger,
        intervalMs: 3_600_000,
        maxAttempts: MAX_ATTEMPTS,
        backoff: BACKOFF,
        texts: TEXTS,
      });
      workers.push(started);
      return started;
    };
    const configFor = (smtpUrl: string) => {
      const loaded = loadNotificationConfig({
        env: {
          FLEET_SMTP_URL: smtpUrl,
          FLEET_MAIL_FROM: 'Amt-O-Mat <noreply@example.org>',
          FLEET_SMS_URL: gateway.url,
          FLEET_SMS_TOKEN: 'test-sms-token',
        },
      });
      assert.ok(loaded.ok && loaded.value, loaded.ok ? 'no config' : loaded.error);
      return loaded.value;
    };
    const overview = (itemId: string) => notificationOverview(storage, { itemId });
    const one = async (itemId: string, channel: string, kind: string) => {
      const row = (await overview(itemId)).find((n) => n.channel === channel && n.kind === kind);
      assert.ok(row, `no ${channel}/${kind} notice`);
      return row;
    };

    before(() => adapter.setup());
    after(() => adapter.teardown());
    beforeEach(async () => {
      now = START;
      workers = [];
      secrets = [EMAIL, MOBILE, 'test-sms-token'];
      logger = memoryLogger();
      storage = await adapter.open();
      fleet = await startFleet(storage, clock, { logger });
      smtp = await startTestSmtp();
      gateway = await startTestGateway();
      config = configFor(`smtp://127.0.0.1:${smtp.port}`);
    });
    afterEach(async () => {
      let leaked: string | undefined;
      try {
        for (const started of workers) await started.stop();
        // No personal data in logs, stored reasons or the item history.
        const codes = await storage.sql.all<{ code: string }>('SELECT code FROM pending_codes');
        const stored = JSON.stringify([
          logger.entries,
          await storage.sql.all('SELECT last_error FROM notifications'),
          await storage.sql.all('SELECT detail FROM item_history'),
        ]);
        leaked = [...secrets, ...codes.map((c) => c.code)].find((s) => stored.includes(s));
      } finally {
        await fleet.close();
        await smtp.close();
        await gateway.close();
        await storage.close();
      }
      assert.equal(leaked, undefined, 'personal data in logs or stored reasons');
    });

    it('sends the pickup code by e-mail once, in German, and then forgets it', async () => {
      const itemId = await fleet.announce({
        email: EMAIL,
        itemKind: 'id-document',
        dateOfBirth: '1964-08-12',
      });
      secrets.push('1964-08-12', '12.08.1964');
      const code = await storage.pendingCode(itemId);
      assert.ok(code);
      secrets.push(code);
      const w = worker();
      assert.equal((await w.runOnce()).sent, 0, 'nothing before the door closed');

      await fleet.ready(itemId);
      const summary = await w.runOnce();
      assert.equal(summary.sent, 1);
      assert.equal(smtp.mails.length, 1);
      const [{ to, mail }] = smtp.mails as [(typeof smtp.mails)[number]];
      assert.deepEqual(to, [EMAIL]);
      assert.equal(mail.headers.get('content-language'), 'de');
      assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
      assert.match(mail.subject ?? '', /^Abholbereit: Ihr Ausweisdokument im Abholautomaten/);
      const text = mail.text ?? '';
      assert.match(text, /Rathaus Mayen, Eingang Rosengasse/);
      assert.match(text, /Geburtsdatum/);
      assert.match(text, /Abholbar bis: Montag, 16\. Juni 2025/);
      assert.match(text, /Bürgerbüro Mayen, Rosengasse 2/);
      assert.doesNotMatch(text, /\{\w+\}/, 'no placeholder left');
      const sentCode = codeIn(text);
      assert.equal(sentCode, code);
      const feed = await storage.feed(fleet.device.deviceId, 0, 10);
      const announced = feed.entries.find(
        (e) => e.change.kind === 'item-announced' && e.change.itemId === itemId,
      );
      assert.ok(announced && announced.change.kind === 'item-announced');
      assert.equal(codeHashOf(sentCode!), announced.change.codeHash);

      assert.equal(await storage.pendingCode(itemId), undefined, 'code deleted once delivered');
      const row = await one(itemId, 'email', 'ready');
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 1);
      assert.equal(row.sentAt, now);
      const history = await storage.itemHistory(itemId);
      const sent = history.find((h) => h.event === 'notice-sent');
      assert.deepEqual(sent?.detail, { kind: 'ready', channel: 'email', attempts: 1 });
      assert.equal(sent?.actor, 'system');

      assert.equal((await w.runOnce()).sent, 0);
      assert.equal(smtp.mails.length, 1, 'exactly one mail');
    });

    it('sends by SMS and e-mail in English; the code is kept until both are out', async () => {
      const itemId = await fleet.announce({ email: EMAIL, mobile: MOBILE, language: 'en' });
      const code = (await storage.pendingCode(itemId))!;
      secrets.push(code);
      const w = worker();
      gateway.answer(503);
      await fleet.ready(itemId);
      const first = await w.runOnce();
      assert.deepEqual([first.sent, first.retried], [1, 1]);
      assert.equal(await storage.pendingCode(itemId), code, 'kept: the SMS is not out yet');
      const sms = await one(itemId, 'sms', 'ready');
      assert.equal(sms.status, 'pending');
      assert.match(sms.lastError ?? '', /HTTP 503/);

      gateway.answer(200);
      now += BACKOFF.initialMs;
      assert.equal((await w.runOnce()).sent, 1);
      assert.equal(await storage.pendingCode(itemId), undefined);
      assert.equal(gateway.requests.length, 2);
      const request = gateway.requests[1]!;
      assert.equal(request.method, 'POST');
      assert.equal(request.headers.authorization, 'Bearer test-sms-token');
      assert.equal(request.headers['content-type'], 'application/json');
      const body = request.body as { to: string; text: string };
      assert.deepEqual(Object.keys(body).sort(), ['text', 'to']);
      assert.equal(body.to, MOBILE);
      assert.match(
        body.text,
        /^Kreisverwaltung Mayen-Koblenz: Your document is ready at the pickup terminal/,
      );
      assert.equal(codeIn(body.text), code);
      assert.ok(body.text.length <= 160, `SMS of ${body.text.length} characters`);

      assert.equal(smtp.mails.length, 1);
      const mail = smtp.mails[0]!.mail;
      assert.equal(mail.headers.get('content-language'), 'en');
      assert.match(mail.text ?? '', /Your pickup code: \d{8}/);
      assert.equal(codeIn(mail.text ?? ''), code);
    });

    it('sends each notice in the language chosen for the item: Turkish, Arabic, Ukrainian', async () => {
      const expected = [
        ['tr', /^Teslim almaya hazır: belgeniz/, /Teslim alma kodunuz: (\d{8})/],
        ['ar', /^للاستلام الآن: وثيقتك/, /رمز الاستلام: (\d{8})/],
        ['uk', /^Можна забрати: ваш документ/, /Ваш код отримання: (\d{8})/],
      ] as const;
      const w = worker();
      for (const [language, subject, code] of expected) {
        const itemId = await fleet.announce({ email: EMAIL, mobile: MOBILE, language });
        const pending = (await storage.pendingCode(itemId))!;
        secrets.push(pending);
        await fleet.ready(itemId);
        await w.runOnce();
        const mail = smtp.mails.at(-1)!.mail;
        assert.equal(mail.headers.get('content-language'), language);
        assert.match(mail.subject ?? '', subject);
        assert.equal(code.exec(mail.text ?? '')?.[1], pending, `${language}: the code`);
        const sms = gateway.requests.at(-1)!.body as { text: string };
        assert.ok(sms.text.includes(pending), `${language}: code in the SMS`);
        assert.ok(!/Abholcode|pickup code/i.test(sms.text), `${language}: SMS not in German`);
      }
      assert.equal(smtp.mails.length, 3);
    });

    it('the language a citizen used at the terminal is kept for the item: later notices use it', async () => {
      const itemId = await fleet.announce({ email: EMAIL, language: 'de', itemKind: 'parcel' });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker();
      await fleet.ready(itemId);
      await w.runOnce();
      assert.equal(smtp.mails[0]!.mail.headers.get('content-language'), 'de');
      // The citizen typed the code at the terminal in Ukrainian (a door failed, say).
      const language = (value: string) =>
        fleet.push('item-language', { itemId, reference: `REF-${itemId}`, language: value });
      assert.equal(await language('uk'), 200);
      assert.equal((await storage.itemContact(itemId))?.language, 'uk');
      // A language the notices do not have keeps the last one.
      assert.equal(await language('fr'), 200);
      assert.equal((await storage.itemContact(itemId))?.language, 'uk');
      now += 2 * DAY_MS;
      await w.runOnce();
      const reminder = smtp.mails[1]!.mail;
      assert.equal(reminder.headers.get('content-language'), 'uk');
      assert.match(reminder.subject ?? '', /^Нагадування: Ваша посилка чекає/);
    });

    it('retries while the SMTP server is down and sends exactly once when it is back', async () => {
      await smtp.close();
      const port = await freePort();
      config = configFor(`smtp://127.0.0.1:${port}`);
      const itemId = await fleet.announce({ email: EMAIL });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker();
      await fleet.ready(itemId);

      assert.equal((await w.runOnce()).retried, 1);
      let row = await one(itemId, 'email', 'ready');
      assert.deepEqual([row.status, row.attempts], ['pending', 1]);
      assert.match(row.lastError ?? '', /^smtp: /);
      assert.equal(row.nextAttemptAt, now + BACKOFF.initialMs);
      assert.equal((await w.runOnce()).retried, 0, 'not due before its backoff');

      now += BACKOFF.initialMs;
      assert.equal((await w.runOnce()).retried, 1);
      row = await one(itemId, 'email', 'ready');
      assert.equal(row.attempts, 2);
      assert.equal(row.nextAttemptAt, now + 2 * BACKOFF.initialMs, 'exponential backoff');
      const retries = logger.entries.filter((e) => e.event === 'notifications.retry');
      assert.equal(retries.length, 2);

      smtp = await startTestSmtp({ port });
      now += 2 * BACKOFF.initialMs;
      assert.equal((await w.runOnce()).sent, 1);
      assert.equal((await w.runOnce()).sent, 0);
      assert.equal(smtp.mails.length, 1);
      row = await one(itemId, 'email', 'ready');
      assert.deepEqual([row.status, row.attempts, row.lastError], ['sent', 3, null]);
    });

    it('gives up after the last attempt; a 4xx reply from the relay is retried too', async () => {
      smtp.rejectWith(451);
      const itemId = await fleet.announce({ email: EMAIL });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker();
      await fleet.ready(itemId);
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
        assert.equal((await w.runOnce()).retried, 1);
        now += BACKOFF.maxMs;
      }
      assert.equal((await w.runOnce()).failed, 1);
      const row = await one(itemId, 'email', 'ready');
      assert.deepEqual([row.status, row.attempts], ['failed', MAX_ATTEMPTS]);
      assert.match(row.lastError ?? '', /451/);
      assert.ok(await storage.pendingCode(itemId), 'code kept for a retry');
      const failed = (await storage.itemHistory(itemId)).filter((h) => h.event === 'notice-failed');
      assert.deepEqual(failed[0]?.detail, { kind: 'ready', channel: 'email', attempts: 4 });
    });

    it('a rejected address (550) fails at once', async () => {
      smtp.rejectWith(550);
      const itemId = await fleet.announce({ email: EMAIL });
      secrets.push((await storage.pendingCode(itemId))!);
      await fleet.ready(itemId);
      assert.equal((await worker().runOnce()).failed, 1);
      const row = await one(itemId, 'email', 'ready');
      assert.deepEqual([row.status, row.attempts], ['failed', 1]);
    });

    it('a permanent SMS failure (400) is failed, visible, keeps the code, and can be retried', async () => {
      const itemId = await fleet.announce({ mobile: MOBILE });
      const code = (await storage.pendingCode(itemId))!;
      secrets.push(code);
      gateway.answer(400);
      const w = worker();
      await fleet.ready(itemId);
      assert.equal((await w.runOnce()).failed, 1);
      const [failed] = await notificationOverview(storage, { status: 'failed' });
      assert.ok(failed);
      assert.deepEqual(
        [failed.itemId, failed.channel, failed.kind, failed.attempts],
        [itemId, 'sms', 'ready', 1],
      );
      assert.match(failed.lastError ?? '', /HTTP 400/);
      assert.equal(await storage.pendingCode(itemId), code);
      now += BACKOFF.maxMs;
      assert.equal((await w.runOnce()).sent, 0, 'a failed notice stays failed');

      assert.deepEqual(await retryNotification(storage, 'no-such-id', now), {
        ok: false,
        error: 'not-found',
      });
      gateway.answer(200);
      const retried = await retryNotification(storage, failed.id, now, 'clerk');
      assert.ok(retried.ok);
      assert.deepEqual([retried.value.status, retried.value.attempts], ['pending', 0]);
      assert.equal((await w.runOnce()).sent, 1);
      assert.equal(await storage.pendingCode(itemId), undefined);
      assert.deepEqual(await retryNotification(storage, failed.id, now), {
        ok: false,
        error: 'not-failed',
      });
      const requeued = (await storage.itemHistory(itemId)).find(
        (h) => h.event === 'notice-requeued',
      );
      assert.equal(requeued?.actor, 'clerk');
    });

    it('never sends a ready notice without its code', async () => {
      const itemId = await fleet.announce({ email: EMAIL });
      const code = (await storage.pendingCode(itemId))!;
      secrets.push(code);
      const w = worker();
      await fleet.ready(itemId);
      assert.equal((await w.runOnce()).sent, 1);
      // A resend after delivery: the code is gone, so the notice fails with a clear reason.
      await storage.sql.run(
        `UPDATE notifications SET status = 'pending', next_attempt_at = ? WHERE item_id = ?`,
        [now, itemId],
      );
      assert.equal((await w.runOnce()).failed, 1);
      const row = await one(itemId, 'email', 'ready');
      assert.equal(row.status, 'failed');
      assert.match(row.lastError ?? '', /pickup code no longer stored/);
      assert.equal(smtp.mails.length, 1);
    });

    it('reminds after two days without the code, warns two days before the end, says when it expired', async () => {
      const itemId = await fleet.announce({ email: EMAIL, language: 'en', itemKind: 'parcel' });
      const code = (await storage.pendingCode(itemId))!;
      secrets.push(code);
      const w = worker();
      await fleet.ready(itemId);
      await w.runOnce();
      assert.equal(smtp.mails.length, 1);

      now += DAY_MS;
      assert.deepEqual((await w.runOnce()).scheduled, { reminder: 0, expiring: 0 });
      now += DAY_MS;
      const second = await w.runOnce();
      assert.deepEqual(second.scheduled, { reminder: 1, expiring: 0 });
      assert.equal(second.sent, 1);
      const reminder = smtp.mails[1]!.mail;
      assert.match(reminder.subject ?? '', /^Reminder: your parcel is waiting/);
      assert.match(reminder.text ?? '', /since Monday, 2 June 2025/);
      assert.match(reminder.text ?? '', /pickup code in our first message/);
      assert.equal(reminder.text?.includes(code), false, 'no code in a reminder');
      assert.equal((await w.runOnce()).sent, 0, 'one reminder');

      now = START + 12 * DAY_MS;
      const third = await w.runOnce();
      assert.deepEqual(third.scheduled, { reminder: 0, expiring: 1 });
      const expiring = smtp.mails[2]!.mail;
      assert.match(expiring.subject ?? '', /^Only until 16\/06\/2025: your parcel/);
      assert.equal(expiring.text?.includes(code), false);
      // The terminal reports the same: no second message.
      await fleet.push('item-expiring', {
        itemId,
        reference: `REF-${itemId}`,
        recipientRef: null,
        compartment: 'A1',
        expiresAt: START + 14 * DAY_MS,
      });
      assert.equal((await w.runOnce()).sent, 0);

      now = START + 14 * DAY_MS;
      await fleet.push('item-expired', {
        itemId,
        reference: `REF-${itemId}`,
        recipientRef: null,
        compartment: 'A1',
        expiredAt: now,
      });
      assert.equal((await w.runOnce()).sent, 1);
      const expired = smtp.mails[3]!.mail;
      assert.match(expired.subject ?? '', /^Pickup period over: your parcel goes back/);
      assert.match(expired.text ?? '', /Bürgerbüro Mayen, Rosengasse 2/);
      assert.equal(smtp.mails.length, 4);
      const kinds = (await overview(itemId)).map((n) => `${n.kind}:${n.status}`).sort();
      assert.deepEqual(kinds, ['expired:sent', 'expiring:sent', 'ready:sent', 'reminder:sent']);
    });

    it('a reminder waits for the ready notice of its channel, and is dropped if that failed', async () => {
      const itemId = await fleet.announce({ email: EMAIL, mobile: MOBILE });
      secrets.push((await storage.pendingCode(itemId))!);
      smtp.rejectWith(451);
      gateway.answer(400);
      const w = worker();
      await fleet.ready(itemId);
      assert.deepEqual(await w.runOnce().then((r) => [r.retried, r.failed]), [1, 1]);

      now += 2 * DAY_MS;
      const late = await w.runOnce();
      assert.deepEqual(late.scheduled, { reminder: 2, expiring: 0 });
      assert.deepEqual([late.sent, late.retried, late.cancelled], [0, 1, 1]);
      const sms = await one(itemId, 'sms', 'reminder');
      assert.equal(sms.status, 'cancelled');
      assert.match(sms.lastError ?? '', /never reached this channel/);
      const email = await one(itemId, 'email', 'reminder');
      assert.deepEqual([email.status, email.attempts], ['pending', 0], 'not even tried');

      smtp.rejectWith(null);
      now += BACKOFF.maxMs;
      assert.equal((await w.runOnce()).sent, 1);
      assert.equal((await w.runOnce()).sent, 1);
      assert.deepEqual(
        smtp.mails.map((m) => m.mail.subject?.split(':')[0]),
        ['Abholbereit', 'Erinnerung'],
      );
    });

    it('queues the expiring notice itself when the terminal is offline, and no late reminder', async () => {
      const itemId = await fleet.announce({ mobile: MOBILE, holdingDays: 3 });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker();
      await fleet.ready(itemId, 3);
      now += DAY_MS;
      const summary = await w.runOnce();
      assert.deepEqual(summary.scheduled, { reminder: 0, expiring: 1 });
      assert.equal(summary.sent, 1, 'the ready notice first');
      assert.equal((await w.runOnce()).sent, 1, 'then the expiring one');
      now += DAY_MS;
      assert.deepEqual((await w.runOnce()).scheduled, { reminder: 0, expiring: 0 });
      const texts = gateway.requests.map((r) => (r.body as { text: string }).text);
      assert.match(texts[1]!, /nur noch bis 05\.06\.2025/);
    });

    it('cancels notices of an item picked up before they went out', async () => {
      const itemId = await fleet.announce({ email: EMAIL, mobile: MOBILE });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker();
      await fleet.ready(itemId);
      await fleet.push('item-picked-up', {
        itemId,
        reference: `REF-${itemId}`,
        compartment: 'A1',
        pickedUpAt: now,
      });
      const summary = await w.runOnce();
      assert.deepEqual([summary.sent, summary.cancelled], [0, 0]);
      assert.equal(smtp.mails.length + gateway.requests.length, 0);
      assert.deepEqual(
        (await overview(itemId)).map((n) => n.status),
        ['cancelled', 'cancelled'],
      );
      assert.equal(await storage.itemContact(itemId), undefined);
      assert.equal(await storage.pendingCode(itemId), undefined);
      now += 3 * DAY_MS;
      assert.deepEqual((await w.runOnce()).scheduled, { reminder: 0, expiring: 0 });
    });

    it('cancels a claimed notice whose contact data vanished, and one no longer fitting the item', async () => {
      const gone = await fleet.announce({ email: EMAIL });
      const early = await fleet.announce({ email: EMAIL });
      secrets.push((await storage.pendingCode(gone))!, (await storage.pendingCode(early))!);
      await fleet.ready(gone);
      await fleet.ready(early);
      // Deleted by someone else while the notice stays queued (the worker must not send).
      await storage.sql.run('DELETE FROM item_contacts WHERE item_id = ?', [gone]);
      await storage.sql.run('DELETE FROM pending_codes WHERE item_id = ?', [gone]);
      // A ready notice of an item that expired meanwhile.
      await storage.sql.run(`UPDATE items SET status = 'expired' WHERE id = ?`, [early]);
      const summary = await worker().runOnce();
      assert.equal(summary.cancelled, 2);
      assert.equal(smtp.mails.length, 0);
      assert.match((await one(gone, 'email', 'ready')).lastError ?? '', /no contact data/);
      assert.match((await one(early, 'email', 'ready')).lastError ?? '', /item is expired/);
    });

    it('two workers racing send every notice exactly once', async () => {
      const items: string[] = [];
      for (let i = 0; i < 6; i++) {
        const itemId = await fleet.announce({ email: `citizen${i}@example.org`, mobile: MOBILE });
        secrets.push(`citizen${i}@example.org`, (await storage.pendingCode(itemId))!);
        await fleet.ready(itemId);
        items.push(itemId);
      }
      const [a, b] = [worker(), worker()];
      const results = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      assert.equal(
        results.reduce((sum, r) => sum + r.sent, 0),
        12,
      );
      assert.equal(smtp.mails.length, 6);
      assert.equal(new Set(smtp.mails.map((m) => m.to[0])).size, 6);
      assert.equal(gateway.requests.length, 6);
      const sentOnce = await storage.sql.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM item_history WHERE event = 'notice-sent'`,
      );
      assert.equal(Number(sentOnce[0]?.n), 12);
      for (const itemId of items) assert.equal(await storage.pendingCode(itemId), undefined);
    });

    it('logs in to the relay; a wrong password is retried, not failed', async () => {
      await smtp.close();
      smtp = await startTestSmtp({ auth: { user: 'amtomat', pass: 'relay-secret' } });
      secrets.push('relay-secret', 'wrong-secret');
      const itemId = await fleet.announce({ email: EMAIL });
      secrets.push((await storage.pendingCode(itemId))!);
      await fleet.ready(itemId);
      config = configFor(`smtp://amtomat:wrong-secret@127.0.0.1:${smtp.port}`);
      const refused = worker();
      assert.equal((await refused.runOnce()).retried, 1);
      assert.match((await one(itemId, 'email', 'ready')).lastError ?? '', /EAUTH/);

      config = configFor(`smtp://amtomat:relay-secret@127.0.0.1:${smtp.port}`);
      now += BACKOFF.initialMs;
      assert.equal((await worker().runOnce()).sent, 1);
      assert.equal(smtp.mails.length, 1);
    });

    it('leaves notices of a channel without configuration queued and says so once', async () => {
      const itemId = await fleet.announce({ email: EMAIL, mobile: MOBILE });
      secrets.push((await storage.pendingCode(itemId))!);
      const w = worker({ email: smtpChannel(config.email!) });
      await fleet.ready(itemId);
      assert.equal((await w.runOnce()).sent, 1);
      await w.runOnce();
      const sms = await one(itemId, 'sms', 'ready');
      assert.deepEqual([sms.status, sms.attempts], ['pending', 0]);
      const warnings = logger.entries.filter(
        (e) => e.event === 'notifications.channel-not-configured',
      );
      assert.deepEqual(
        warnings.map((e) => e.fields),
        [{ channel: 'sms', pending: 1 }],
      );
      assert.ok(await storage.pendingCode(itemId), 'kept until the SMS is out too');
    });
  });
}
