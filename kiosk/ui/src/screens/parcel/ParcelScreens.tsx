import { useTranslation } from 'react-i18next';
import { Busy } from '../../components/Busy.tsx';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import { formatList } from '../../components/date-time.ts';
import { Screen } from '../../components/Screen.tsx';
import { DoorWay } from '../../components/WallMap.tsx';
import type { PropsOf } from '../../contract.ts';

export function ParcelCode(props: PropsOf<'parcel.code'>) {
  const { t } = useTranslation();
  return (
    <CodeEntry
      title={t('parcel.code.title')}
      intro={t('parcel.code.intro')}
      entered={props.entered}
      error={props.error}
      lockedUntil={props.lockedUntil}
      step={props.step}
    />
  );
}

export function ParcelChecking() {
  const { t } = useTranslation();
  return <Busy title={t('parcel.checking.title')} />;
}

export function ParcelOpening(props: PropsOf<'parcel.opening'>) {
  const { t, i18n } = useTranslation();
  const { compartments } = props;
  const compartment = formatList(compartments, i18n.language);
  return <Busy title={t('parcel.opening.title', { count: compartments.length, compartment })} />;
}

export function ParcelTakeAndClose(props: PropsOf<'parcel.take-and-close'>) {
  const { t, i18n } = useTranslation();
  const doors = formatList(props.compartments, i18n.language);
  const more =
    props.remainingDoors > 0 ? t('door.more-doors', { count: props.remainingDoors }) : null;
  return (
    <Screen
      title={t('parcel.take-and-close.title', {
        count: props.compartments.length,
        compartment: doors,
      })}
      intro={t('parcel.take-and-close.intro', { count: props.parcels })}
      step={props.step}
      display={
        <>
          <DoorWay compartments={props.compartments} />
          {more && <p className="hint">{more}</p>}
        </>
      }
    />
  );
}
