import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { useItemKind } from '../../components/item-kind.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';

/** Several items wait under one code: take all, or choose some. */
export function PickupChoose(props: PropsOf<'pickup.choose'>) {
  const { t } = useTranslation();
  const kind = useItemKind();
  return (
    <Screen title={t('pickup.choose.title')} intro={t('pickup.choose.intro')} step={props.step}>
      <Action event={{ type: 'TAKE_ALL' }} testId="take-all">
        {t('pickup.choose.take-all', { count: props.items.length })}
      </Action>
      <div className="choices items">
        {props.items.map((item, index) => (
          <Action
            key={item.id}
            kind="choice"
            event={{ type: 'TOGGLE_ITEM', itemId: item.id }}
            testId={`item-${item.id}`}
            pressed={props.selected.includes(item.id)}
          >
            <span aria-hidden="true" className="check">
              {props.selected.includes(item.id) ? '☑' : '☐'}
            </span>
            {t('pickup.choose.item', { number: index + 1, kind: kind(item.kind) })}
          </Action>
        ))}
      </div>
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm" disabled={props.selected.length === 0}>
          {t('pickup.choose.confirm', { count: props.selected.length })}
        </Action>
      </div>
    </Screen>
  );
}
