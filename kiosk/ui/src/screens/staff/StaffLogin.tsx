import { useTranslation } from 'react-i18next';
import { Busy } from '../../components/Busy.tsx';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import { LockNotice } from '../../components/LockNotice.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

export function StaffChecking() {
  const { t } = useTranslation();
  return <Busy title={t('staff.checking.title')} />;
}

export function StaffUnknownCard(props: PropsOf<'staff.unknown-card'>) {
  const { t } = useTranslation();
  const { refusal } = props;
  const errorText = useReason('errors');
  return (
    <Screen title={t('staff.unknown-card.title')} error={errorText(refusal ?? 'unknown-card')} />
  );
}

export function StaffLocked(props: PropsOf<'staff.locked'>) {
  const { t } = useTranslation();
  const { lockedUntil } = props;
  return (
    <Screen title={t('staff.locked.title')} intro={t('staff.locked.intro')}>
      <LockNotice until={lockedUntil} />
    </Screen>
  );
}

export function StaffPin(props: PropsOf<'staff.pin'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('staff.pin.title')}
      intro={t('staff.pin.intro')}
      entered={props.entered}
      error={props.error}
      check="never"
    />
  );
}

/** Four-eyes loading of ID documents: a second person confirms with card and PIN. */
export function StaffSecondCard(props: PropsOf<'staff.load.second-card'>) {
  const { t } = useTranslation();
  const { error } = props;
  const errorText = useReason('errors');
  return (
    <Screen
      title={t('staff.load.second-card.title')}
      intro={t('staff.load.second-card.intro')}
      error={errorText(error)}
    />
  );
}

export function StaffSecondPin(props: PropsOf<'staff.load.second-pin'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('staff.load.second-pin.title')}
      intro={t('staff.load.second-pin.intro')}
      entered={props.entered}
      error={props.error}
      check="never"
    />
  );
}
