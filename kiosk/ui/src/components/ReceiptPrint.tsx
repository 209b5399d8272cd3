import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { PropsOf } from '../contract.ts';
import { Action } from './Action.tsx';

/** What a receipt screen says of its printing (the same on every receipt screen). */
type Printing = Pick<PropsOf<'application.receipt'>, 'printer' | 'print'>;

/** "Print receipt", where the site has a printer and nothing was printed yet. */
export function PrintButton({ printer, print }: Printing) {
  const { t } = useTranslation();
  if (!printer || print !== null) return null;
  return (
    <Action event={{ type: 'PRINT' }} testId="print" kind="secondary">
      {t('receipt.print')}
    </Action>
  );
}

/**
 * "Printing …", then "printed", told as it happens (a live region): for the screen's
 * `display`, above the reach band (it is read, not touched). Null while there is none.
 */
export function printStatus(t: TFunction, { print }: Pick<Printing, 'print'>) {
  if (print !== 'printing' && print !== 'printed') return null;
  return (
    <p className="notice" role="status" data-testid="print-status" data-print={print}>
      {t(`receipt.${print}`)}
    </p>
  );
}

/** A printer fault in words, for the screen's error line; null when there is none. */
export function printFault(t: TFunction, { print }: Pick<Printing, 'print'>): string | null {
  return print === null || print === 'printing' || print === 'printed'
    ? null
    : t(`receipt.fault.${print}`);
}
