import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';

const ROWS = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
];

/**
 * On-screen numeric keypad (the layout of a phone and of the tactile keypad); beside it
 * `side` (e.g. a show toggle) above the submit button, the lowest control of the screen.
 */
export function Keypad({ disabled = false, side }: { disabled?: boolean; side?: ReactNode }) {
  const { t } = useTranslation();
  const { send } = useScreen();
  const digit = (key: string) => (
    <button
      key={key}
      type="button"
      className="key"
      data-testid={`key-${key}`}
      disabled={disabled}
      onClick={() => send({ type: 'KEY', key })}
    >
      {key}
    </button>
  );
  return (
    <div className="keypad-area">
      <fieldset className="keypad" dir="ltr">
        <legend className="visually-hidden">{t('keypad.label')}</legend>
        {ROWS.flat().map(digit)}
        <button
          type="button"
          className="key command"
          data-testid="clear"
          onClick={() => send({ type: 'CLEAR' })}
        >
          {t('keypad.clear')}
        </button>
        {digit('0')}
        <button
          type="button"
          className="key command"
          data-testid="delete"
          aria-label={t('keypad.delete')}
          onClick={() => send({ type: 'DELETE' })}
        >
          ⌫
        </button>
      </fieldset>
      <div className="keypad-side">
        {side}
        <SubmitButton disabled={disabled} />
      </div>
    </div>
  );
}

export function SubmitButton({ disabled = false }: { disabled?: boolean }) {
  const { t } = useTranslation();
  const { send } = useScreen();
  return (
    <button
      type="button"
      className="primary submit"
      data-testid="submit"
      disabled={disabled}
      onClick={() => send({ type: 'SUBMIT' })}
    >
      {t('keypad.submit')}
    </button>
  );
}
