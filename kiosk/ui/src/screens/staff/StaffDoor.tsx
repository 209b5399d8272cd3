import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { useItemKind } from '../../components/item-kind.ts';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import { DoorWay } from '../../components/WallMap.tsx';
import type { PropsOf } from '../../contract.ts';

export function StaffOpening(props: PropsOf<'staff.opening'>) {
  const { t } = useTranslation();
  const { door } = props;
  return <Busy title={t('staff.opening.title', { compartment: door?.compartment })} />;
}

/** The door stands open: what to do there depends on why it was opened. */
export function StaffDoorOpen(props: PropsOf<'staff.door-open'>) {
  const { t } = useTranslation();
  const { door } = props;
  const kindName = useItemKind();
  const purpose = door?.purpose ?? 'maintenance';
  const item = door?.item
    ? t('staff.door-open.item', {
        kind: kindName(door.item.kind),
        reference: door.item.reference ?? '',
      })
    : null;
  const remaining =
    door && door.remaining > 0 ? t('staff.door-open.remaining', { n: door.remaining }) : null;
  return (
    <Screen
      title={t('staff.door-open.title', { compartment: door?.compartment })}
      intro={t(`staff.door-open.purpose.${purpose}`)}
      display={
        <>
          <DoorWay compartments={[door?.compartment]} />
          {item && <p>{item}</p>}
          {remaining && <p className="hint">{remaining}</p>}
        </>
      }
    >
      {purpose === 'retrieve' && (
        <div className="actions">
          <Action
            event={{ type: 'CONFIRM_TAKEN' }}
            testId="confirm-taken"
            pressed={door?.taken ?? false}
            disabled={door?.taken ?? false}
          >
            {door?.taken ? t('staff.door-open.taken') : t('staff.door-open.confirm-taken')}
          </Action>
        </div>
      )}
    </Screen>
  );
}

export function StaffDoorFailed(props: PropsOf<'staff.door-failed'>) {
  const { t } = useTranslation();
  const { lastDoor, defectMarked } = props;
  const failure = useReason('failure');
  return (
    <Screen
      title={t('staff.door-failed.title', { compartment: lastDoor?.compartment })}
      intro={failure(`door-${lastDoor?.reason ?? 'unknown'}`)}
    >
      {defectMarked && <p className="notice">{t('staff.door-failed.marked')}</p>}
      <div className="actions">
        <Action
          event={{ type: 'MARK_DEFECTIVE' }}
          testId="mark-defective"
          kind="secondary"
          disabled={defectMarked}
        >
          {t('staff.door-failed.mark-defective')}
        </Action>
        <Action event={{ type: 'CONTINUE' }} testId="continue">
          {t('common.continue')}
        </Action>
      </div>
    </Screen>
  );
}
