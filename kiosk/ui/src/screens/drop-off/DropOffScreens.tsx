import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Busy } from '../../components/Busy.tsx';
import { useDateTime } from '../../components/DateTime.tsx';
import { useRevealableEntry } from '../../components/Entry.tsx';
import { Keyboard } from '../../components/Keyboard.tsx';
import { PrintButton, printFault, printStatus } from '../../components/ReceiptPrint.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import { DoorWay } from '../../components/WallMap.tsx';
import type { PropsOf } from '../../contract.ts';

export function DropOffReference(props: PropsOf<'drop-off.reference'>) {
  const { t } = useTranslation();
  const errorText = useReason('errors');
  const { entry, toggle } = useRevealableEntry(props.entered, props.reference);
  return (
    <Screen
      title={t('drop-off.reference.title')}
      intro={t('drop-off.reference.intro')}
      step={props.step}
      error={errorText(props.error)}
      className="entry-screen"
      display={entry}
    >
      <Keyboard side={toggle} />
    </Screen>
  );
}

export function DropOffChecking() {
  const { t } = useTranslation();
  return <Busy title={t('drop-off.checking.title')} />;
}

/** No compartment free: say so and what to do instead. */
export function DropOffFull(props: PropsOf<'drop-off.full'>) {
  const { t } = useTranslation();
  const { advice } = props;
  const advise = useReason('drop-off.full.advice');
  const lines = (advice ?? []).map(advise);
  return (
    <Screen
      title={t('drop-off.full.title')}
      intro={t('drop-off.full.intro')}
      // Read, not touched: under "You can:", not below the language buttons.
      display={
        <ul className="advice">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      }
    >
      <div className="actions">
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('common.ok')}
        </Action>
      </div>
    </Screen>
  );
}

export function DropOffOpening(props: PropsOf<'drop-off.opening'>) {
  const { t } = useTranslation();
  const { compartment } = props;
  return <Busy title={t('drop-off.opening.title', { compartment })} />;
}

export function DropOffPutInAndClose(props: PropsOf<'drop-off.put-in-and-close'>) {
  const { t } = useTranslation();
  return (
    <Screen
      title={t('drop-off.put-in-and-close.title', { compartment: props.compartment })}
      intro={t('drop-off.put-in-and-close.intro')}
      step={props.step}
      display={<DoorWay compartments={[props.compartment]} />}
    />
  );
}

export function DropOffReceipt(props: PropsOf<'drop-off.receipt'>) {
  const { t } = useTranslation();
  const dateTime = useDateTime();
  const when = props.droppedOffAt ? dateTime(props.droppedOffAt, 'medium') : '';
  return (
    <Screen
      title={t('drop-off.receipt.title')}
      intro={t('drop-off.receipt.intro')}
      error={printFault(t, props)}
      display={printStatus(t, props)}
      step={props.step}
    >
      <dl className="receipt" data-testid="receipt">
        <div>
          <dt>{t('drop-off.receipt.number-label')}</dt>
          <dd dir="ltr">{props.receiptNumber}</dd>
        </div>
        <div>
          <dt>{t('drop-off.receipt.time-label')}</dt>
          <dd>{when}</dd>
        </div>
        <div>
          <dt>{t('drop-off.receipt.reference-label')}</dt>
          <dd dir="ltr">{props.reference}</dd>
        </div>
      </dl>
      <p className="hint">{t('drop-off.receipt.photo-hint')}</p>
      <div className="actions">
        <PrintButton printer={props.printer} print={props.print} />
        <Action event={{ type: 'CONFIRM' }} testId="confirm">
          {t('common.done')}
        </Action>
      </div>
    </Screen>
  );
}
