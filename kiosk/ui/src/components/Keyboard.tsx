import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';
import { SubmitButton } from './Keypad.tsx';

const DIGITS = '1234567890'.split('');
const QWERTZ = ['QWERTZUIOP', 'ASDFGHJKL', 'YXCVBNM'];
const QWERTY = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
/** What parcel labels and references print besides letters and digits. */
export const REFERENCE_EXTRA_KEYS = ['.', '/', '-'];

/**
 * On-screen keyboard for references (letters and digits); below it `side` (a toggle, a
 * second action) beside the submit button, the lowest control. The screens that take text
 * accept A–Z and 0–9 only (plus `extra`: `REFERENCE_EXTRA_KEYS` for labels), so there are no umlaut
 * keys: a reference never contains one.
 */
export function Keyboard({ extra = [], side }: { extra?: string[]; side?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { send } = useScreen();
  const rows = i18n.language.startsWith('de') ? QWERTZ : QWERTY;
  const key = (character: string) => (
    <button
      key={character}
      type="button"
      className="key"
      data-testid={`key-${character}`}
      onClick={() => send({ type: 'KEY', key: character })}
    >
      {character}
    </button>
  );
  return (
    <div className="keyboard-area">
      <fieldset className="keyboard" dir="ltr">
        <legend className="visually-hidden">{t('keypad.keyboard')}</legend>
        <div className="keyboard-row">{DIGITS.map(key)}</div>
        {rows.map((row, index) => (
          <div className="keyboard-row" key={row}>
            {row.split('').map(key)}
            {index === rows.length - 1 && extra.map(key)}
          </div>
        ))}
        <div className="keyboard-row">
          <button
            type="button"
            className="key command"
            data-testid="clear"
            onClick={() => send({ type: 'CLEAR' })}
          >
            {t('keypad.clear')}
          </button>
          <button
            type="button"
            className="key command wide"
            data-testid="delete"
            onClick={() => send({ type: 'DELETE' })}
          >
            <span aria-hidden="true">⌫ </span>
            {t('keypad.delete')}
          </button>
        </div>
      </fieldset>
      <div className="keyboard-actions">
        {side}
        <SubmitButton />
      </div>
    </div>
  );
}
