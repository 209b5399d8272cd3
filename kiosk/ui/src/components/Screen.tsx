import { Fragment, type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { DoorAlerts } from '../shell/DoorAlerts.tsx';
import { StaffBanner } from '../shell/StaffBanner.tsx';
import { useScreen } from '../shell/screen-context.ts';
import { TopBar } from '../shell/TopBar.tsx';
import { sentencesOf } from './sentences.ts';

export interface Step {
  index: number;
  /** `null` while the way ahead is not known yet (e.g. before the code is checked). */
  count: number | null;
}

interface ScreenProps {
  title: string;
  intro?: string | null | undefined;
  /** Already worded: what went wrong and what to do next. */
  error?: string | null | undefined;
  step?: Step | null | undefined;
  /** What is only looked at (an entry, the way to a door): above the reach band. */
  display?: ReactNode;
  /** What is touched: inside the reach band, the main action last (lowest). */
  children?: ReactNode;
  className?: string;
}

/**
 * The frame of every screen: one <main> with its name for tests. Above the reach band what
 * is read (the step, one h1, the error, what the screen shows); inside the band (where a
 * wheelchair user reaches, `--reach-top`..`--reach-bottom`, set by `useReachBand`) all that
 * is touched: languages and settings, the content, Back / Cancel when the screen takes them.
 */
export function Screen({ title, intro, error, step, display, children, className }: ScreenProps) {
  const { t, i18n } = useTranslation();
  const { view } = useScreen();
  const heading = useRef<HTMLHeadingElement>(null);
  // A new screen starts reading at its heading (keyboard and screen reader users alike).
  useEffect(() => heading.current?.focus(), []);
  const stepText = !step
    ? null
    : step.count === null
      ? t('common.step-open', { index: step.index })
      : t('common.step', { index: step.index, total: step.count });
  return (
    <main className={`screen ${className ?? ''}`} data-screen={view.screen}>
      <div className="screen-head">
        <StaffBanner screen={view.screen} />
        <DoorAlerts alerts={view.session.doorAlerts} />
        <div className="heading">
          {stepText && <p className="step">{stepText}</p>}
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {intro && (
            <p className="intro">{i18n.language === 'de-easy' ? <Lines text={intro} /> : intro}</p>
          )}
        </div>
        {error && (
          <p className="error" data-error="" data-testid="error">
            <span aria-hidden="true">⚠ </span>
            {error}
          </p>
        )}
        {display && <div className="display">{display}</div>}
      </div>
      <div className="reach" data-testid="reach">
        <TopBar />
        <div className="content">{children}</div>
        <BackAndCancel />
      </div>
    </main>
  );
}

/** Leichte Sprache: each sentence on a line of its own. */
function Lines({ text }: { text: string }) {
  return sentencesOf(text).map((sentence, index) => (
    <Fragment key={sentence}>
      {index > 0 && <br />}
      {sentence}
    </Fragment>
  ));
}

function BackAndCancel() {
  const { t } = useTranslation();
  const { can, send } = useScreen();
  if (!can('BACK') && !can('CANCEL')) return null;
  return (
    <nav className="screen-nav" aria-label={t('common.navigation')}>
      {can('BACK') && (
        <button
          type="button"
          className="secondary"
          data-testid="back"
          onClick={() => send({ type: 'BACK' })}
        >
          <span aria-hidden="true" className="icon flip-rtl">
            ←
          </span>{' '}
          {t('common.back')}
        </button>
      )}
      {can('CANCEL') && (
        <button
          type="button"
          className="secondary"
          data-testid="cancel"
          onClick={() => send({ type: 'CANCEL' })}
        >
          {t('common.cancel')}
        </button>
      )}
    </nav>
  );
}
