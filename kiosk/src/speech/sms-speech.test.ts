import assert from 'node:assert/strict';
import { test } from 'node:test';
import de from '../../ui/src/locales/de.json' with { type: 'json' };
import { screenViews } from './screen-views.testing.ts';
import { screenSpeech } from './speech-text.ts';

test('the SMS screens say how many digits are typed and the message, never the number', () => {
  const views = screenViews('de');
  const phone = views.find((view) => view.screen === 'application.phone');
  const code = views.find((view) => view.screen === 'application.sms-code');
  assert.ok(phone && code);
  const sms = {
    mobile: '015123456789',
    notice: 'invalid-mobile',
    attemptsLeft: 2,
    resendsLeft: 1,
    expiresAt: null,
  };
  const said = screenSpeech({
    ...phone,
    props: { ...phone.props, entered: 12, sms },
  } as typeof phone);
  assert.match(said, /12 Ziffern/);
  assert.ok(said.includes(de.application.sms.notice['invalid-mobile']), said);
  assert.doesNotMatch(said, /015123456789/);
  const codeSaid = screenSpeech({
    ...code,
    props: { ...code.props, entered: 6, sms: { ...sms, notice: 'wrong-code' } },
  } as typeof code);
  assert.match(codeSaid, /6 Ziffern/);
  assert.ok(codeSaid.includes(de.application['sms-code'].resend), codeSaid);
  assert.ok(codeSaid.includes('Noch 2 Versuche'), codeSaid);
});
