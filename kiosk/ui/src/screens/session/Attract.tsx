import { useTranslation } from 'react-i18next';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';
import { CourierChoices, ServiceChoices } from './ServiceChoices.tsx';

/**
 * The start screen offers the services at once (no "start" tap, no separate menu): the
 * citizens' as big tiles, below them, apart and smaller, what is not for citizens (staff and
 * couriers start with their card; a courier may also type a code).
 */
export function Attract(props: PropsOf<'attract'>) {
  const { t } = useTranslation();
  return (
    <Screen title={t('attract.title')} intro={t('attract.intro')} className="attract">
      <ServiceChoices services={props.services} />
      <div className="not-citizens">
        <p className="hint">{t('attract.staff-hint')}</p>
        <CourierChoices services={props.courierServices} />
      </div>
    </Screen>
  );
}
