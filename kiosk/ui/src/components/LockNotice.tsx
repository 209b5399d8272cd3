import { useTranslation } from 'react-i18next';
import { useCountdown, useDurationText } from './use-countdown.ts';

/** After too many wrong codes: how long to wait. Hidden once the lock is over. */
export function LockNotice({ until }: { until: number | null | undefined }) {
  const { t } = useTranslation();
  const seconds = useCountdown(until ?? null);
  const duration = useDurationText();
  if (!until || seconds === 0) return null;
  return (
    <p className="notice" data-testid="lock-notice">
      {t('entry.locked-wait', { time: duration(seconds) })}
    </p>
  );
}

export function useLocked(until: number | null | undefined): boolean {
  return useCountdown(until ?? null) > 0;
}
