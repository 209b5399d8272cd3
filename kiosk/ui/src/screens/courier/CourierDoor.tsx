import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import { useCountdown } from '../../components/use-countdown.ts';
import { useProps } from '../../shell/screen-context.ts';
import type { CourierProps } from './props.ts';

/** After this long with the door open, the screen reminds the courier to close it. */
const REMIND_AFTER_MS = 60_000;

export function CourierOpening() {
  const { t } = useTranslation();
  const { compartment } = useProps<CourierProps>();
  return <Busy title={t('courier.opening.title', { compartment })} />;
}

export function CourierDepositAndClose() {
  const { t } = useTranslation();
  const props = useProps<CourierProps>();
  const remindIn = useCountdown(
    props.doorOpenedAt === null ? null : props.doorOpenedAt + REMIND_AFTER_MS,
  );
  const remind = props.doorOpenedAt !== null && remindIn === 0;
  return (
    <Screen
      title={t('courier.deposit-and-close.title', { compartment: props.compartment })}
      intro={t('courier.deposit-and-close.intro')}
      step={props.step}
      error={remind ? t('courier.deposit-and-close.remind') : null}
    >
      <p className="compartment" aria-hidden="true">
        {props.compartment}
      </p>
    </Screen>
  );
}

export function CourierNotSeen() {
  const { t } = useTranslation();
  const { compartment } = useProps<CourierProps>();
  return (
    <Screen
      title={t('courier.not-seen.title')}
      intro={t('courier.not-seen.intro', { compartment })}
    >
      <div className="actions">
        <Action event={{ type: 'OPEN_AGAIN' }} testId="open-again">
          {t('courier.not-seen.open-again', { compartment })}
        </Action>
      </div>
    </Screen>
  );
}

export function CourierDoorFailed() {
  const { t } = useTranslation();
  const props = useProps<CourierProps>();
  const failure = useReason('failure');
  return (
    <Screen
      title={t('courier.door-failed.title', { compartment: props.compartment })}
      intro={failure(`door-${props.reason ?? 'unknown'}`)}
      speech={[t('courier.door-failed.next')]}
    >
      <p>{t('courier.door-failed.next')}</p>
      <NextOrFinish />
    </Screen>
  );
}

export function CourierDeposited() {
  const { t } = useTranslation();
  const props = useProps<CourierProps>();
  return (
    <Screen
      title={t('courier.deposited.title', { compartment: props.compartment })}
      intro={t('courier.deposited-count', { n: props.deposited })}
    >
      <NextOrFinish />
    </Screen>
  );
}

function NextOrFinish() {
  const { t } = useTranslation();
  return (
    <div className="actions">
      <Action event={{ type: 'NEXT_PARCEL' }} testId="next-parcel">
        {t('courier.next-parcel')}
      </Action>
      <Action event={{ type: 'FINISH' }} testId="finish" kind="secondary">
        {t('courier.finish')}
      </Action>
    </div>
  );
}
