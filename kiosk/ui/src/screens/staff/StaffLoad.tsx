import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { useRevealableEntry } from '../../components/Entry.tsx';
import { useItemKind } from '../../components/item-kind.ts';
import { Keyboard, REFERENCE_EXTRA_KEYS } from '../../components/Keyboard.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

/** Staff references may also hold these (the staff flow's KEY alphabet). */

export function StaffLoadScan(props: PropsOf<'staff.load.scan'>) {
  const { t } = useTranslation();
  const errorText = useReason('errors');
  const detail = useReason('staff.item-status');
  // An item the service will not load: one message per status, which says both.
  const error =
    props.error === 'item-not-loadable'
      ? detail(props.errorDetail ?? 'unknown')
      : errorText(props.error);
  const { entry, toggle } = useRevealableEntry(props.entered, props.typed);
  const last = props.lastLoad
    ? t(`staff.load.scan.last.${props.lastLoad.outcome}`, {
        compartment: props.lastLoad.compartment,
      })
    : null;
  return (
    <Screen
      title={t('staff.load.scan.title')}
      intro={t('staff.load.scan.intro')}
      error={error}
      className="entry-screen"
      display={
        <>
          {last && <p className="notice">{last}</p>}
          {entry}
        </>
      }
    >
      <Keyboard extra={REFERENCE_EXTRA_KEYS} side={toggle} />
    </Screen>
  );
}

/** An item without size (or not announced at all): staff say what it is. */
export function StaffLoadDescribe(props: PropsOf<'staff.load.describe'>) {
  const { t } = useTranslation();
  const errorText = useReason('errors');
  const kindName = useItemKind();
  const load = props.load;
  return (
    <Screen title={t('staff.load.describe.title')} error={errorText(props.error)}>
      {load?.created ? (
        <fieldset className="question">
          <legend>{t('staff.load.describe.kind')}</legend>
          <div className="choices">
            {props.choices.kinds.map((kind) => (
              <Action
                key={kind}
                kind="choice"
                event={{ type: 'CHOOSE_KIND', kind }}
                testId={`kind-${kind}`}
                pressed={load.kind === kind}
              >
                {kindName(kind)}
              </Action>
            ))}
          </div>
        </fieldset>
      ) : (
        <p>{t('staff.load.describe.known-kind', { kind: kindName(load?.kind) })}</p>
      )}
      <fieldset className="question">
        <legend>{t('staff.load.describe.size')}</legend>
        <div className="choices sizes">
          {props.choices.sizes.map((size) => (
            <Action
              key={size}
              kind="choice"
              event={{ type: 'CHOOSE_SIZE', size }}
              testId={`size-${size}`}
              pressed={load?.size === size}
            >
              {t(`size.${size}`)}
            </Action>
          ))}
        </div>
      </fieldset>
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('staff.load.describe.confirm')}
        </Action>
      </div>
    </Screen>
  );
}

export function StaffNoCompartment(props: PropsOf<'staff.load.no-compartment'>) {
  const { t } = useTranslation();
  const { noCompartmentSize } = props;
  return (
    <Screen
      title={
        noCompartmentSize
          ? t('staff.load.no-compartment.title', { size: noCompartmentSize })
          : t('staff.load.no-compartment.title-unknown-size')
      }
      intro={t('staff.load.no-compartment.intro')}
    />
  );
}
