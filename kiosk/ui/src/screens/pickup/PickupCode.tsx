import { useTranslation } from 'react-i18next';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import { useProps } from '../../shell/screen-context.ts';
import type { PickupProps } from './props.ts';

export function PickupCode() {
  const { t } = useTranslation();
  const props = useProps<PickupProps>();
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

export function PickupDateOfBirth() {
  const { t } = useTranslation();
  const props = useProps<PickupProps>();
  return (
    <CodeEntry
      title={t('pickup.date-of-birth.title')}
      intro={t('pickup.date-of-birth.intro')}
      entered={props.entered}
      error={props.error}
      lockedUntil={props.lockedUntil}
      step={props.step}
      date
    />
  );
}
