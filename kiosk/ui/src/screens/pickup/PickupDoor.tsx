import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { Screen } from '../../components/Screen.tsx';
import { DoorWay, useWhere } from '../../components/WallMap.tsx';
import type { PropsOf } from '../../contract.ts';

export function PickupChecking() {
  const { t } = useTranslation();
  return <Busy title={t('pickup.checking.title')} />;
}

/** ID documents: the citizen confirms receipt of the PIN letter before the door opens. */
export function PickupPinLetter(props: PropsOf<'pickup.pin-letter'>) {
  const { t } = useTranslation();
  return (
    <Screen
      title={t('pickup.pin-letter.title')}
      intro={t('pickup.pin-letter.intro')}
      step={props.step}
    >
      <div className="actions">
        <Action event={{ type: 'CONFIRM_PIN_LETTER' }} testId="confirm-pin-letter">
          {t('pickup.pin-letter.confirm')}
        </Action>
      </div>
      <p className="hint">{t('pickup.pin-letter.no-letter')}</p>
    </Screen>
  );
}

export function PickupOpening(props: PropsOf<'pickup.opening'>) {
  const { t } = useTranslation();
  const { compartment } = props;
  return <Busy title={t('pickup.opening.title', { compartment })} />;
}

export function PickupTakeAndClose(props: PropsOf<'pickup.take-and-close'>) {
  const { t } = useTranslation();
  const more =
    props.remainingDoors > 0 ? t('door.more-doors', { count: props.remainingDoors }) : null;
  const where = useWhere([props.compartment]);
  return (
    <Screen
      title={t('pickup.take-and-close.title', {
        compartment: props.compartment,
        count: props.inCompartment,
      })}
      intro={t('pickup.take-and-close.intro')}
      step={props.step}
      speech={[...where, more]}
      display={
        <>
          <DoorWay compartments={[props.compartment]} />
          {more && <p className="hint">{more}</p>}
        </>
      }
    />
  );
}
