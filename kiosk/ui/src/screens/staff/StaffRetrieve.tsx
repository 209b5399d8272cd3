import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { useItemKind } from '../../components/item-kind.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

/** Expired items to take back to the office. */
export function StaffRetrieveList(props: PropsOf<'staff.retrieve.list'>) {
  const { t } = useTranslation();
  const { expired, lastDoor } = props;
  const kindName = useItemKind();
  const inside = expired.filter((item) => item.compartment);
  const last =
    lastDoor?.purpose === 'retrieve'
      ? t(`staff.last-door.${lastDoor.outcome}`, { compartment: lastDoor.compartment })
      : null;
  return (
    <Screen
      title={t('staff.retrieve.list.title')}
      intro={t('staff.retrieve.list.intro', { n: inside.length })}
    >
      {last && <p className="notice">{last}</p>}
      <div className="choices items">
        {inside.map((item) => (
          <Action
            key={item.id}
            kind="choice"
            event={{ type: 'RETRIEVE', itemId: item.id }}
            testId={`retrieve-${item.id}`}
          >
            <span className="choice-name">
              {t('staff.retrieve.list.item', {
                compartment: item.compartment,
                kind: kindName(item.kind),
              })}
            </span>
            <span className="choice-description" dir="ltr">
              {item.reference}
            </span>
          </Action>
        ))}
      </div>
      {inside.length > 0 && (
        <div className="actions">
          <Action event={{ type: 'RETRIEVE_ALL' }} testId="retrieve-all">
            {t('staff.retrieve.list.all', { count: inside.length })}
          </Action>
        </div>
      )}
    </Screen>
  );
}

export function StaffRetrieveConfirm(props: PropsOf<'staff.retrieve.confirm'>) {
  const { t } = useTranslation();
  const { door } = props;
  return (
    <Screen
      title={t('staff.retrieve.confirm.title', { compartment: door?.compartment })}
      intro={t('staff.retrieve.confirm.intro')}
    >
      <div className="actions">
        <Action event={{ type: 'CONFIRM_TAKEN' }} testId="confirm-taken">
          {t('staff.retrieve.confirm.taken')}
        </Action>
        <Action event={{ type: 'NOT_TAKEN' }} testId="not-taken" kind="secondary">
          {t('staff.retrieve.confirm.not-taken')}
        </Action>
      </div>
    </Screen>
  );
}
