import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useCountdown, useDurationText } from '../components/use-countdown.ts';
import type { View } from '../contract.ts';
import { useScreen } from './screen-context.ts';

type Warning = NonNullable<View['session']['warning']>;

/** The time limit is announced and can be extended with one big button (EN 301 549). */
export function InactivityWarning({ warning }: { warning: Warning }) {
  const { t } = useTranslation();
  const { send } = useScreen();
  const seconds = useCountdown(warning.endsAt);
  const duration = useDurationText();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const canExtend = warning.extensionsLeft > 0;
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="warning-title"
        aria-describedby="warning-text"
        data-testid="inactivity-warning"
      >
        <h2 id="warning-title">{t('warning.title')}</h2>
        <p id="warning-text" className="countdown" aria-live="off">
          {t('warning.ends-in', { time: duration(seconds) })}
        </p>
        {canExtend ? (
          <button
            ref={button}
            type="button"
            className="primary huge"
            data-testid="extend"
            onClick={() => send({ type: 'EXTEND' })}
          >
            {t('warning.extend')}
          </button>
        ) : (
          <p>{t('warning.no-more')}</p>
        )}
      </div>
    </div>
  );
}
