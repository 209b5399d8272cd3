import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from './date-time.ts';

/** Whole seconds until `until` (epoch ms), ticking; 0 once passed. */
export function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/** A countdown in words with its units ("1 Minute, 30 Sekunden"), in the session's language. */
export function useDurationText(): (seconds: number) => string {
  const { i18n } = useTranslation();
  return (seconds) => formatDuration(seconds, i18n.language);
}
