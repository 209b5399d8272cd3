/**
 * The SMS confirmation of an application (issue #12): the mobile number on the keypad, then
 * the code from the text message, with "send again" (Back: another number). The number is shown
 * as typed (it is the citizen's own); the code as dots with a show toggle, like every code.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { MaskedEntry, PlainEntry, ShowToggle } from '../../components/Entry.tsx';
import { Keypad } from '../../components/Keypad.tsx';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

type Sms = NonNullable<PropsOf<'application.phone'>['sms']>;

function useNotice(sms: Sms | null) {
  const { t } = useTranslation();
  return sms?.notice ? t(`application.sms.notice.${sms.notice}`) : null;
}

export function ApplicationPhone(props: PropsOf<'application.phone'>) {
  const { t } = useTranslation();
  return (
    <Screen
      title={t('application.phone.title')}
      intro={t('application.phone.intro')}
      error={useNotice(props.sms)}
      className="entry-screen"
      display={<PlainEntry text={props.sms?.mobile ?? ''} />}
    >
      <Keypad />
    </Screen>
  );
}

export function ApplicationSmsCode(props: PropsOf<'application.sms-code'>) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  const sms = props.sms;
  return (
    <Screen
      title={t('application.sms-code.title')}
      intro={t('application.sms-code.intro')}
      error={useNotice(sms)}
      className="entry-screen"
      display={
        <>
          <MaskedEntry length={props.entered ?? 0} shown={shown} />
          {sms?.attemptsLeft ? (
            <p className="hint" data-testid="attempts-left">
              {t('application.sms-code.attempts-left', { count: sms.attemptsLeft })}
            </p>
          ) : null}
        </>
      }
    >
      {/* Beside the keypad, above "confirm": no extra row below the reach band's bottom. */}
      <Keypad
        side={
          <>
            {sms?.resendsLeft ? (
              <Action event={{ type: 'RESEND' }} testId="resend" kind="secondary">
                {t('application.sms-code.resend')}
              </Action>
            ) : null}
            <ShowToggle shown={shown} onToggle={() => setShown(!shown)} />
          </>
        }
      />
    </Screen>
  );
}
