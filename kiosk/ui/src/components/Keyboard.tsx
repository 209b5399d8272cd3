import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';
import { SubmitButton } from './Keypad.tsx';

const DIGITS = '1234567890'.split('');
const QWERTZ = ['QWERTZUIOP', 'ASDFGHJKL', 'YXCVBNM'];
const QWERTY = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
/** What parcel labels and references print besides letters and digits. */
export const REFERENCE_EXTRA_KEYS = ['.', '/', '-'];
/** Form answers: German letters where German keyboards have them, elsewhere in a row of their own. */
const TEXT_DE = ['QWERTZUIOPÜ', 'ASDFGHJKLÖÄ', 'YXCVBNMß'];
const TEXT = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
const UMLAUTS = ['Ä', 'Ö', 'Ü', 'ß'];
/** What names, addresses and e-mail addresses need besides letters and digits. */
const TEXT_SIGNS = ['@', '.', ',', '-', '/', '+'];

/**
 * What the keyboard types:
 * - `reference`: capitals and digits (plus `extra`, e.g. `REFERENCE_EXTRA_KEYS` for labels) —
 *   a reference never contains an umlaut;
 * - `text`: form answers — small letters and capitals (a shift key), the German umlauts and ß,
 *   digits, @ and the signs of addresses and e-mail addresses, a space;
 * - `search`: letters with umlauts and a space, no digits (a word to look for);
 * - `digits`: one row of digits (plus `extra`, e.g. + for a phone number): dates, postcodes.
 */
export type KeyboardLayout = 'reference' | 'text' | 'search' | 'digits';

interface KeyboardProps {
  layout?: KeyboardLayout;
  extra?: string[];
  /** Beside the submit button, below the keys: a toggle, a second action. */
  side?: ReactNode;
  /** Without a submit button (e.g. a search that shows its matches at once). */
  submit?: boolean;
  /** `text`: at the start of a name or a place the first letter is a capital (shift undoes it). */
  capitalise?: boolean;
}

/**
 * The one on-screen keyboard of the kiosk. Keys are named `key-<capital>` whatever they show
 * (tests and speech name them so); below them Clear and `side` beside the submit button, the
 * lowest control.
 */
export function Keyboard({
  layout = 'reference',
  extra = [],
  side,
  submit = true,
  capitalise = false,
}: KeyboardProps) {
  const { t, i18n } = useTranslation();
  const { send } = useScreen();
  // The shift key for the next letter; unset, the keyboard follows `capitalise`.
  const [shift, setShift] = useState<boolean | null>(null);
  const capitals = layout === 'reference' || (shift ?? capitalise);
  const german = i18n.language.startsWith('de');
  const typed = (character: string) =>
    capitals || character === 'ß' ? character : character.toLocaleLowerCase('de');
  const key = (character: string) => (
    <button
      key={character}
      type="button"
      className="key"
      data-testid={`key-${character}`}
      onClick={() => {
        send({ type: 'KEY', key: typed(character) });
        if (/\p{L}/u.test(character)) setShift(null);
      }}
    >
      {typed(character)}
    </button>
  );
  const command = (testId: string, label: ReactNode, onClick: () => void, wide = false) => (
    <button
      key={testId}
      type="button"
      className={`key command${wide ? ' wide' : ''}`}
      data-testid={testId}
      onClick={onClick}
    >
      {label}
    </button>
  );
  const clear = command('clear', t('keypad.clear'), () => send({ type: 'CLEAR' }));
  const del = command(
    'delete',
    <>
      <span aria-hidden="true">⌫ </span>
      <span className="key-word">{t('keypad.delete')}</span>
    </>,
    () => send({ type: 'DELETE' }),
    true,
  );
  const space = command('key-space', t('application.question.space'), () =>
    send({ type: 'KEY', key: ' ' }),
  );
  const shiftKey = (
    <button
      key="shift"
      type="button"
      className="key command"
      data-testid="shift"
      aria-pressed={capitals}
      onClick={() => setShift(!capitals)}
    >
      <span aria-hidden="true">⇧ </span>
      <span className="key-word">{t('application.question.shift')}</span>
    </button>
  );
  const letterRows = (rows: string[]) => rows.map((row) => [...row].map(key));
  let rows: ReactNode[][];
  // Clear and Delete: a row of keys, or Clear beside the submit button where rows are scarce.
  let actions: ReactNode[] = [];
  if (layout === 'digits') {
    rows = [[...DIGITS, ...extra].map(key), [clear, del]];
  } else if (layout === 'reference') {
    const letters = letterRows(german ? QWERTZ : QWERTY);
    letters.at(-1)!.push(...extra.map(key));
    rows = [DIGITS.map(key), ...letters, [clear, del]];
  } else if (layout === 'search') {
    const umlauts = german ? [] : UMLAUTS.map(key);
    rows = [...letterRows(german ? TEXT_DE : TEXT), [...umlauts, space, clear, del]];
  } else {
    const letters = letterRows(german ? TEXT_DE : TEXT);
    letters.at(-1)!.unshift(shiftKey);
    letters.at(-1)!.push(del);
    const umlauts = german ? [] : UMLAUTS.map(key);
    rows = [DIGITS.map(key), ...letters, [...umlauts, ...TEXT_SIGNS.map(key), space]];
    actions = [clear];
  }
  return (
    <div className={`keyboard-area keyboard-${layout}`}>
      <fieldset className="keyboard" dir="ltr">
        <legend className="visually-hidden">{t('keypad.keyboard')}</legend>
        {rows.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the rows of a layout are fixed
          <div className="keyboard-row" key={index}>
            {row}
          </div>
        ))}
      </fieldset>
      {(submit || side || actions.length > 0) && (
        <div className="keyboard-actions">
          {actions}
          {side}
          {submit && <SubmitButton />}
        </div>
      )}
    </div>
  );
}
