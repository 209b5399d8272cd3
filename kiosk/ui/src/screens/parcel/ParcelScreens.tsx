import { useTranslation } from 'react-i18next';
import { Busy } from '../../components/Busy.tsx';
import { CodeEntry } from '../../components/CodeEntry.tsx';
import { Screen, type Step } from '../../components/Screen.tsx';
import { useProps } from '../../shell/screen-context.ts';

/** What parcelPickupFlow.props() gives every parcel screen. */
interface ParcelProps {
  entered: number;
  error: string | null;
  lockedUntil: number | null;
  /** The parcels behind the doors open now. */
  parcels: number;
  compartment: string | null;
  compartments: string[];
  remainingDoors: number;
  step: Step | null;
}

export function ParcelCode() {
  const { t } = useTranslation();
  const props = useProps<ParcelProps>();
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

export function ParcelOpening() {
  const { t } = useTranslation();
  const { compartments } = useProps<ParcelProps>();
  return <Busy title={t('parcel.opening.title', { compartment: compartments.join(', ') })} />;
}

export function ParcelTakeAndClose() {
  const { t } = useTranslation();
  const props = useProps<ParcelProps>();
  const doors = props.compartments.join(', ');
  const more =
    props.remainingDoors > 0 ? t('door.more-doors', { count: props.remainingDoors }) : null;
  return (
    <Screen
      title={t('parcel.take-and-close.title', { compartment: doors })}
      intro={t('parcel.take-and-close.intro', { count: props.parcels })}
      step={props.step}
      speech={[more]}
    >
      <p className="compartment" aria-hidden="true">
        {doors}
      </p>
      {more && <p className="hint">{more}</p>}
    </Screen>
  );
}
