import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { joinSentences } from '../components/sentences.ts';

/**
 * Announces a new screen (its heading) and errors to screen readers. The text is read from
 * the rendered screen, so it is always what is visible; it is announced only when it changes.
 */
export function LiveRegion({ refused }: { refused: number }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState('');
  const lastShown = useRef('');
  useEffect(() => {
    const heading = document.querySelector('main h1')?.textContent ?? '';
    const error = document.querySelector('main [data-error]')?.textContent ?? '';
    const composed = joinSentences([heading, error]);
    if (composed === lastShown.current) return;
    lastShown.current = composed;
    setMessage(composed);
  });
  useEffect(() => {
    if (refused > 0) setMessage(t('errors.refused'));
  }, [refused, t]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
