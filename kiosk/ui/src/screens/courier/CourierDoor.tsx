import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import { useCountdown } from '../../components/use-countdown.ts';
import { DoorWay } from '../../components/WallMap.tsx';
import type { PropsOf } from '../../contract.ts';

/** After this long with the door open, the screen reminds the courier to close it. */
const REMIND_AFTER_MS = 60_000;

export function CourierOpening(props: PropsOf<'courier.opening'>) {
  const { t } = useTranslation();
  const { compartment } = props;
  return <Busy title={t('courier.opening.title', { compartment })} />;
}

export function CourierDepositAndClose(props: PropsOf<'courier.deposit-and-close'>) {
  const { t } = useTranslation();
  const openedAt = props.doorOpenedAt ?? null;
  const remindIn = useCountdown(openedAt === null ? null : openedAt + REMIND_AFTER_MS);
  const remind = openedAt !== null && remindIn === 0;
  return (
    <Screen
      title={t('courier.deposit-and-close.title', { compartment: props.compartment })}
      intro={t('courier.deposit-and-close.intro')}
      step={props.step}
      error={remind ? t('courier.deposit-and-close.remind') : null}
      display={<DoorWay compartments={[props.compartment]} />}
    />
  );
}

export function CourierNotSeen(props: PropsOf<'courier.not-seen'>) {
  const { t } = useTranslation();
  const { compartment } = props;
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

export function CourierDoorFailed(props: PropsOf<'courier.door-failed'>) {
  const { t } = useTranslation();
  const failure = useReason('failure');
  return (
    <Screen
      title={t('courier.door-failed.title', { compartment: props.compartment })}
      intro={failure(`door-${props.reason ?? 'unknown'}`)}
    >
      <p>{t('courier.door-failed.next')}</p>
      <NextOrFinish />
    </Screen>
  );
}

export function CourierDeposited(props: PropsOf<'courier.deposited'>) {
  const { t } = useTranslation();
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
