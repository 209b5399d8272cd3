import { useTranslation } from 'react-i18next';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import type { PropsOf } from '../../contract.ts';

export function PickupCode(props: PropsOf<'pickup.code'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('pickup.code.title')}
      intro={t('pickup.code.intro')}
      entered={props.entered}
      error={props.error}
      lockedUntil={props.lockedUntil}
      step={props.step}
    />
  );
}

export function PickupDateOfBirth(props: PropsOf<'pickup.date-of-birth'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('pickup.date-of-birth.title')}
      intro={t('pickup.date-of-birth.intro')}
      entered={props.entered}
      error={props.error}
      lockedUntil={props.lockedUntil}
      step={props.step}
      date
      check="shown"
    />
  );
}
