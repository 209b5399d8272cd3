import { Fragment, type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';
import { joinSentences, sentencesOf } from './sentences.ts';

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
  /** Further text for the speech output, besides title, step, intro and error. */
  speech?: (string | null | undefined)[];
  children?: ReactNode;
  className?: string;
}

/**
 * The frame of every screen: one <main> with its name for tests, the step, one h1, the
 * error, the content, and Back / Cancel exactly when the screen takes them.
 */
export function Screen({
  title,
  intro,
  error,
  step,
  speech = [],
  children,
  className,
}: ScreenProps) {
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
  const spoken = joinSentences([stepText, title, intro, error, ...speech]);
  return (
    <main className={`screen ${className ?? ''}`} data-screen={view.screen} data-speech={spoken}>
      {stepText && <p className="step">{stepText}</p>}
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {intro && (
        <p className="intro">{i18n.language === 'de-easy' ? <Lines text={intro} /> : intro}</p>
      )}
      {error && (
        <p className="error" data-error="" data-testid="error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
      <div className="content">{children}</div>
      <BackAndCancel />
      <div id="speech-text" hidden>
        {spoken}
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
          <span aria-hidden="true" className="flip-rtl">
            ←{' '}
          </span>
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
