import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * What was typed, as one dot per character: the service tells the length, never the
 * characters. No empty slots: codes differ in length (the town hall's 8 digits, a courier's
 * 6 to 12 characters), and slots for the wrong length would say the code is complete or not.
 */
export function MaskedEntry({ length }: { length: number }) {
  const { t } = useTranslation();
  return (
    <div className="entry" data-testid="entry" dir="ltr">
      <span aria-hidden="true" className="entry-slots">
        {'●'.repeat(length).split('').join(' ') || '\u00a0'}
      </span>
      <span className="visually-hidden" aria-live="polite">
        {t('entry.count', { count: length })}
      </span>
    </div>
  );
}

/** A date of birth as DD.MM.YYYY slots: filled ones as dots, the rest as the format. */
export function DateEntry({ length }: { length: number }) {
  const { t } = useTranslation();
  const pattern = t('entry.date-pattern'); // e.g. "TT.MM.JJJJ": 8 letters, 2 separators
  let typed = 0;
  const shown = [...pattern].map((character) =>
    /[.\-/ ]/.test(character) ? character : typed++ < length ? '●' : character,
  );
  return (
    <div className="entry date" data-testid="entry" dir="ltr">
      <span aria-hidden="true">{shown.join('')}</span>
      <span className="visually-hidden" aria-live="polite">
        {t('entry.count', { count: length })}
      </span>
    </div>
  );
}

/**
 * A typed reference: hidden as dots, or on request as much as the service shows of it
 * (its last characters). No toggle when there is nothing more to show.
 */
export function RevealableEntry({ length, shown }: { length: number; shown: string | null }) {
  const { t } = useTranslation();
  const [reveal, setReveal] = useState(false);
  const canShow = shown !== null && /[^*•]/.test(shown);
  return (
    <div className="entry-with-toggle">
      <div className="entry" data-testid="entry" dir="ltr">
        <span aria-hidden={!reveal}>{reveal && canShow ? shown : '●'.repeat(length) || ' '}</span>
        <span className="visually-hidden" aria-live="polite">
          {t('entry.count', { count: length })}
        </span>
      </div>
      {canShow && (
        <button
          type="button"
          className="secondary"
          aria-pressed={reveal}
          data-testid="show-code"
          onClick={() => setReveal(!reveal)}
        >
          {reveal ? t('entry.hide') : t('entry.show-end')}
        </button>
      )}
    </div>
  );
}

/** Not secret (a parcel label a courier reads off): shown as typed. */
export function PlainEntry({ text }: { text: string }) {
  return (
    <div className="entry plain" data-testid="entry" dir="ltr">
      {text || ' '}
    </div>
  );
}
