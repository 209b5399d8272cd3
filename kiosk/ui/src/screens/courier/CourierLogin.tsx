import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import { PlainEntry } from '../../components/Entry.tsx';
import { Keyboard, REFERENCE_EXTRA_KEYS } from '../../components/Keyboard.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

export function CourierLogin(props: PropsOf<'courier.login'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('courier.login.title')}
      intro={t('courier.login.intro')}
      entered={props.entered ?? 0}
      error={props.error}
      lockedUntil={props.lockedUntil}
    />
  );
}

export function CourierChecking() {
  const { t } = useTranslation();
  return <Busy title={t('courier.checking.title')} />;
}

/** Scan the label, or type it: a label is not secret, so it shows as typed. */
export function CourierScan(props: PropsOf<'courier.scan'>) {
  const { t } = useTranslation();
  const errorText = useReason('errors');
  const last = props.last ? t(`courier.scan.last.${props.last}`) : null;
  return (
    <Screen
      title={t('courier.scan.title')}
      intro={t('courier.scan.intro')}
      step={props.step}
      error={errorText(props.error)}
      className="entry-screen"
      display={
        <>
          {last && <p className="notice">{last}</p>}
          <p className="hint">{t('courier.deposited-count', { n: props.deposited })}</p>
          <PlainEntry text={props.typed ?? ''} />
        </>
      }
    >
      <Keyboard
        extra={REFERENCE_EXTRA_KEYS}
        side={
          <Action event={{ type: 'FINISH' }} testId="finish" kind="secondary">
            {t('courier.finish')}
          </Action>
        }
      />
    </Screen>
  );
}
