import { useTranslation } from 'react-i18next';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';
import { ServiceChoices } from './ServiceChoices.tsx';

/**
 * The start screen offers the services at once (no "start" tap, no separate menu). Staff
 * and couriers start with their card instead.
 */
export function Attract(props: PropsOf<'attract'>) {
  const { t } = useTranslation();
  return (
    <Screen title={t('attract.title')} intro={t('attract.intro')} className="attract">
      <p className="hint">{t('attract.staff-hint')}</p>
      <ServiceChoices services={props.services} />
    </Screen>
  );
}
