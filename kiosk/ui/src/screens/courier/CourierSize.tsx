import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

/** Sizes with their free compartments; the announced size is marked. */
export function CourierSize(props: PropsOf<'courier.size'>) {
  const { t } = useTranslation();
  const announced = props.announcedSize
    ? t('courier.size.announced', { size: t(`size.${props.announcedSize}`) })
    : null;
  return (
    <Screen title={t('courier.size.title')} intro={announced} step={props.step}>
      <div className="choices sizes">
        {(props.sizes ?? []).map(({ size, free, available }) => (
          <Action
            key={size}
            kind="choice"
            event={{ type: 'SELECT_SIZE', size }}
            testId={`size-${size}`}
            pressed={props.announcedSize === size}
            disabled={!available}
          >
            <span className="choice-name">{t(`size.${size}`)}</span>
            <span className="choice-description">{t('courier.size.free', { n: free })}</span>
          </Action>
        ))}
      </div>
    </Screen>
  );
}

export function CourierSizeFull(props: PropsOf<'courier.size-full'>) {
  const { t } = useTranslation();
  // The size's letter, not its name: a name inside a sentence needs its own grammar
  // (Polish "Weź Duża (L)").
  return (
    <Screen
      title={
        props.requested
          ? t('courier.size-full.title', { size: props.requested })
          : t('staff.load.no-compartment.title-unknown-size')
      }
      intro={props.offer ? t('courier.size-full.offer-intro') : t('courier.size-full.no-offer')}
      step={props.step}
    >
      {props.offer && (
        <div className="actions">
          <Action event={{ type: 'TAKE_OFFER' }} testId="take-offer">
            {t('courier.size-full.take-offer', { size: props.offer })}
          </Action>
        </div>
      )}
    </Screen>
  );
}

export function CourierFull(props: PropsOf<'courier.full'>) {
  const { t } = useTranslation();
  const { nearest } = props;
  return (
    <Screen
      title={t('courier.full.title')}
      intro={
        nearest ? t('courier.full.nearest', { station: nearest }) : t('courier.full.no-nearest')
      }
    >
      <div className="actions">
        <Action event={{ type: 'FINISH' }} testId="finish">
          {t('courier.finish')}
        </Action>
      </div>
    </Screen>
  );
}
