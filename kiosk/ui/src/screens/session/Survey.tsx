import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import { useCountdown, useDurationText } from '../../components/use-countdown.ts';
import type { PropsOf } from '../../contract.ts';

/** The counterfactual (protocol: SURVEY_ALTERNATIVES): a counter visit by its mode, or not. */
const ALTERNATIVES = [
  'counter-car',
  'counter-bus',
  'counter-bike',
  'counter-foot',
  'postal',
  'not-at-all',
  'other',
] as const;
/** One-way trip to the counter (protocol: DISTANCE_BANDS). */
const DISTANCE_BANDS = ['0-2', '2-5', '5-10', '10-20', '20-50', '50+'] as const;

/**
 * The end of every citizen visit: how it went, "open again", and optional questions — no
 * free text. After a counter visit's mode comes how far that trip is (the route reduction).
 * "Done" skips whatever is not answered.
 */
export function Survey(props: PropsOf<'survey'>) {
  const { t } = useTranslation();
  const failure = useReason('failure');
  const title =
    props.outcome === 'failed'
      ? t('survey.title-failed')
      : props.outcome === 'abandoned'
        ? t('survey.title-abandoned')
        : t('survey.title');
  const reason = props.outcome === 'failed' ? failure(props.reason ?? 'unknown') : null;
  // Who cancelled did not use the service: there is nothing to rate.
  const asks = props.outcome !== 'abandoned';
  // After a counter visit's mode comes the trip's length, in place of the first two questions
  // (every control stays within the reach band); the mode can still be changed.
  const tripAsked = props.answered.alternative?.startsWith('counter-') === true;
  return (
    <Screen title={title} intro={reason} className="survey">
      <Reopen until={props.reopenUntil} doorOpen={props.doorOpen} />
      {asks && !tripAsked && <Satisfaction chosen={props.answered.satisfaction} />}
      {asks && !tripAsked && <Alternative chosen={props.answered.alternative} />}
      {asks && tripAsked && (
        <Distance
          mode={props.answered.alternative ?? ''}
          chosen={props.answered.distanceBand ?? null}
        />
      )}
      <div className="actions">
        <Action event={{ type: 'FINISH' }} testId="finish">
          {t('survey.finish')}
        </Action>
      </div>
    </Screen>
  );
}

function Reopen({ until, doorOpen }: { until: number | null; doorOpen: boolean }) {
  const { t } = useTranslation();
  const seconds = useCountdown(until);
  const duration = useDurationText();
  if (doorOpen) return <p className="notice">{t('survey.close-door')}</p>;
  if (until === null || seconds === 0) return null;
  return (
    <div className="reopen">
      <Action event={{ type: 'OPEN_AGAIN' }} testId="open-again" kind="secondary">
        {t('survey.open-again')}
      </Action>
      <p className="hint">{t('survey.open-again-until', { time: duration(seconds) })}</p>
    </div>
  );
}

function Satisfaction({ chosen }: { chosen: number | null }) {
  const { t } = useTranslation();
  return (
    <fieldset className="question">
      <legend>{t('survey.question-satisfaction')}</legend>
      <div className="choices rating">
        {[1, 2, 3, 4, 5].map((value) => (
          <Action
            key={value}
            kind="choice"
            event={{ type: 'ANSWER', question: 'satisfaction', value }}
            testId={`satisfaction-${value}`}
            pressed={chosen === value}
          >
            <span className="rating-value" aria-hidden="true">
              {'★'.repeat(value)}
            </span>
            <span>{t(`survey.satisfaction.${value}`)}</span>
          </Action>
        ))}
      </div>
    </fieldset>
  );
}

function Alternative({ chosen }: { chosen: string | null }) {
  const { t } = useTranslation();
  return (
    <fieldset className="question">
      <legend>{t('survey.question-alternative')}</legend>
      <div className="choices alternatives">
        {ALTERNATIVES.map((value) => (
          <Action
            key={value}
            kind="choice"
            event={{ type: 'ANSWER', question: 'alternative', value }}
            testId={`alternative-${value}`}
            pressed={chosen === value}
          >
            {t(`survey.alternative.${value}`)}
          </Action>
        ))}
      </div>
    </fieldset>
  );
}

function Distance({ mode, chosen }: { mode: string; chosen: string | null }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="reopen">
        <p>{t('survey.answer-chosen', { answer: t(`survey.alternative.${mode}`) })}</p>
        <Action
          event={{ type: 'ANSWER', question: 'alternative', value: null }}
          testId="change-alternative"
          kind="secondary"
        >
          {t('survey.change-answer')}
        </Action>
      </div>
      <DistanceChoices chosen={chosen} />
    </>
  );
}

function DistanceChoices({ chosen }: { chosen: string | null }) {
  const { t } = useTranslation();
  return (
    <fieldset className="question">
      <legend>{t('survey.question-distance')}</legend>
      <div className="choices distances">
        {DISTANCE_BANDS.map((value) => (
          <Action
            key={value}
            kind="choice"
            event={{ type: 'ANSWER', question: 'distanceBand', value }}
            testId={`distance-${value}`}
            pressed={chosen === value}
          >
            {t(`survey.distance.${value}`)}
          </Action>
        ))}
      </div>
    </fieldset>
  );
}
