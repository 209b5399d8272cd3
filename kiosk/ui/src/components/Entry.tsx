import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';

/**
 * What was typed: one dot per character, or, shown, the characters this page typed (the
 * service tells the length, never the characters: `useScreen().typed()`). No empty slots:
 * codes differ in length (the town hall's 8 digits, a courier's 6 to 12 characters), and
 * slots for the wrong length would say the code is complete or not.
 */
export function MaskedEntry({ length, shown = false }: { length: number; shown?: boolean }) {
  const { t } = useTranslation();
  const { typed } = useScreen();
  const characters = typed().map((character) => (shown && character !== null ? character : '●'));
  return (
    <div className="entry" data-testid="entry" data-shown={shown} dir="ltr">
      <span aria-hidden="true" className="entry-slots">
        {characters.join(shown ? '' : ' ') || '\u00a0'}
      </span>
      <span className="visually-hidden" aria-live="polite">
        {t('entry.count', { count: length })}
      </span>
    </div>
  );
}

/** A date of birth as DD.MM.YYYY slots: typed digits (or dots, hidden), the rest the format. */
export function DateEntry({ length, shown = false }: { length: number; shown?: boolean }) {
  const { t } = useTranslation();
  const { typed } = useScreen();
  const digits = typed();
  const pattern = t('entry.date-pattern'); // e.g. "TT.MM.JJJJ": 8 letters, 2 separators
  let index = 0;
  const slots = [...pattern].map((character) => {
    if (/[.\-/ ]/.test(character)) return character;
    const at = index++;
    if (at >= length) return character;
    return shown ? (digits[at] ?? '●') : '●';
  });
  return (
    <div className="entry date" data-testid="entry" data-shown={shown} dir="ltr">
      <span aria-hidden="true">{slots.join('')}</span>
      <span className="visually-hidden" aria-live="polite">
        {t('entry.count', { count: length })}
      </span>
    </div>
  );
}

/** Shows or hides what was typed; the screen decides which it starts with. */
export function ShowToggle({ shown, onToggle }: { shown: boolean; onToggle(): void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="secondary show-toggle"
      aria-pressed={shown}
      data-testid="show-entry"
      onClick={onToggle}
    >
      <span aria-hidden="true" className="icon">
        {shown ? '◉' : '○'}
      </span>{' '}
      {shown ? t('entry.hide') : t('entry.show')}
    </button>
  );
}

/**
 * A typed reference: hidden as dots, or on request as much as the service shows of it (its
 * last characters). The entry is looked at (above the reach band), the toggle touched (in
 * it): two nodes. No toggle when there is nothing more to show.
 */
export function useRevealableEntry(
  length: number,
  shown: string | null,
): { entry: ReactNode; toggle: ReactNode } {
  const { t } = useTranslation();
  const [reveal, setReveal] = useState(false);
  const canShow = shown !== null && /[^*•]/.test(shown);
  const entry = (
    <div className="entry" data-testid="entry" dir="ltr">
      <span aria-hidden={!reveal}>{reveal && canShow ? shown : '●'.repeat(length) || ' '}</span>
      <span className="visually-hidden" aria-live="polite">
        {t('entry.count', { count: length })}
      </span>
    </div>
  );
  const toggle = canShow && (
    <button
      type="button"
      className="secondary show-toggle"
      aria-pressed={reveal}
      data-testid="show-code"
      onClick={() => setReveal(!reveal)}
    >
      {reveal ? t('entry.hide') : t('entry.show-end')}
    </button>
  );
  return { entry, toggle };
}

/** Not secret (a parcel label a courier reads off): shown as typed. */
export function PlainEntry({ text }: { text: string }) {
  return (
    <div className="entry plain" data-testid="entry" dir="ltr">
      {text || ' '}
    </div>
  );
}
