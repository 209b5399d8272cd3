/**
 * The reasons the notice queue stores (smtp.ts, sms-gateway.ts, worker.ts), each mapped to
 * words for a clerk: nothing a sender can report falls through to a raw SMTP text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noticeReasonKey } from './notice-reasons.ts';

test('maps every kind of delivery failure to a reason a clerk can act on', () => {
  const cases: [string, string][] = [
    ['smtp: EENVELOPE 550 5.1.1 <x> User unknown', 'noticeReason.addressRejected'],
    ['recipient rejected by the relay', 'noticeReason.addressRejected'],
    ['smtp: EAUTH 535 5.7.8 Authentication credentials invalid', 'noticeReason.mailLogin'],
    ['smtp: EMESSAGE 554 5.7.1 Message refused', 'noticeReason.mailRefused'],
    ['smtp: ECONNECTION connect ECONNREFUSED 127.0.0.1:25', 'noticeReason.mailUnreachable'],
    ['smtp: ETIMEDOUT Greeting never received', 'noticeReason.mailUnreachable'],
    ['smtp: EENVELOPE 451 4.7.1 Try again later', 'noticeReason.mailUnreachable'],
    ['sms gateway: HTTP 400', 'noticeReason.smsRejected'],
    ['sms gateway: HTTP 401', 'noticeReason.smsLogin'],
    ['sms gateway: HTTP 503', 'noticeReason.smsUnreachable'],
    ['sms gateway: unexpected HTTP 302', 'noticeReason.smsUnreachable'],
    ['pickup code no longer stored (already delivered, …)', 'noticeReason.codeGone'],
    ['the contact has no sms address', 'noticeReason.noAddress'],
    ['no contact data any more (item finished)', 'noticeReason.itemFinished'],
    ['item is picked_up', 'noticeReason.itemFinished'],
    [
      'the pickup code never reached this channel (ready notice failed)',
      'noticeReason.firstFailed',
    ],
    ['channel threw: TypeError: x is not a function', 'noticeReason.other'],
  ];
  for (const [reason, key] of cases) assert.equal(noticeReasonKey(reason), key, reason);
});
