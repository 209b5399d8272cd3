import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { Screen } from '../../components/Screen.tsx';
import { DoorWay } from '../../components/WallMap.tsx';
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

/**
 * The door: one screen that changes. While the door is opening it says so and already shows
 * the way to it; once the door is seen open it says what to take and to close it.
 */
export function PickupDoor(props: PropsOf<'pickup.door'>) {
  const { t } = useTranslation();
  const more =
    props.remainingDoors > 0 ? t('door.more-doors', { count: props.remainingDoors }) : null;
  return (
    <Screen
      title={
        props.doorOpen
          ? t('pickup.take-and-close.title', {
              compartment: props.compartment,
              count: props.inCompartment,
            })
          : t('pickup.door.title', { compartment: props.compartment })
      }
      intro={props.doorOpen ? t('pickup.take-and-close.intro') : t('common.please-wait')}
      step={props.step}
      className={props.doorOpen ? '' : 'busy'}
      display={
        <>
          <DoorWay compartments={[props.compartment]} />
          {more && <p className="hint">{more}</p>}
        </>
      }
    />
  );
}
