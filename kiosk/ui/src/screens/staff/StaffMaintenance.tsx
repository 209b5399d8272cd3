import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf, UiEvent } from '../../contract.ts';

type Props = PropsOf<'staff.maintenance'>;
type Compartment = Props['compartments'][number];
/** Which reason list is open for the chosen compartment (page-only state). */
type Asking = 'open' | 'defective' | null;

export function StaffMaintenance(props: Props) {
  const { t } = useTranslation();
  const { compartments, lastDoor } = props;
  const [chosen, setChosen] = useState<string | null>(null);
  const failure = useReason('failure');
  const compartment = compartments.find((candidate) => candidate.label === chosen);
  // What happened and why: two sentences, each shown and spoken on its own.
  const last = lastDoor
    ? [
        t(`staff.last-door.${lastDoor.outcome}`, { compartment: lastDoor.compartment }),
        failure(lastDoor.reason ? `door-${lastDoor.reason}` : null),
      ].filter((line): line is string => Boolean(line))
    : [];
  return (
    <Screen title={t('staff.maintenance.title')} intro={t('staff.maintenance.intro')}>
      {last.length > 0 && (
        <div className="notice">
          {last.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}
      <fieldset className="compartments">
        <legend className="visually-hidden">{t('staff.maintenance.compartments')}</legend>
        {compartments.map((item) => (
          <CompartmentButton
            key={item.label}
            compartment={item}
            chosen={item.label === chosen}
            onChoose={setChosen}
          />
        ))}
      </fieldset>
      {compartment && (
        <CompartmentActions
          compartment={compartment}
          choices={props.choices}
          key={compartment.label}
        />
      )}
    </Screen>
  );
}

function CompartmentButton({
  compartment,
  chosen,
  onChoose,
}: {
  compartment: Compartment;
  chosen: boolean;
  onChoose: (label: string | null) => void;
}) {
  const { t } = useTranslation();
  const state = compartment.defective ? 'defective' : compartment.occupied ? 'occupied' : 'free';
  return (
    <button
      type="button"
      className={`compartment-tile ${state}`}
      aria-pressed={chosen}
      data-testid={`compartment-${compartment.label}`}
      onClick={() => onChoose(chosen ? null : compartment.label)}
    >
      <span className="choice-name" dir="ltr">
        {compartment.label} · {compartment.size}
      </span>
      <span className="choice-description">{t(`staff.maintenance.state.${state}`)}</span>
      {compartment.door === 'open' && (
        <span className="choice-description">{t('staff.maintenance.door-open')}</span>
      )}
    </button>
  );
}

function CompartmentActions({
  compartment,
  choices,
}: {
  compartment: Compartment;
  choices: Props['choices'];
}) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState<Asking>(null);
  const defect = useReason('staff.defect');
  const label = compartment.label;
  return (
    <section className="panel" aria-labelledby="compartment-actions">
      <h2 id="compartment-actions">{t('staff.maintenance.chosen', { compartment: label })}</h2>
      {compartment.defective && (
        <p>
          {t('staff.maintenance.defect-reason', {
            reason: defect(compartment.defectReason ?? 'other'),
          })}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          aria-expanded={asking === 'open'}
          onClick={() => setAsking(asking === 'open' ? null : 'open')}
          data-testid="open-door"
        >
          {t('staff.maintenance.open')}
        </button>
        <Action
          event={{ type: 'DOOR_TEST', compartment: label }}
          testId="door-test"
          kind="secondary"
        >
          {t('staff.maintenance.door-test')}
        </Action>
        {compartment.defective ? (
          <Action
            event={{ type: 'SET_REPAIRED', compartment: label }}
            testId="set-repaired"
            kind="secondary"
          >
            {t('staff.maintenance.repaired')}
          </Action>
        ) : (
          <button
            type="button"
            className="secondary"
            aria-expanded={asking === 'defective'}
            onClick={() => setAsking(asking === 'defective' ? null : 'defective')}
            data-testid="set-defective"
          >
            {t('staff.maintenance.defective')}
          </button>
        )}
      </div>
      {asking === 'open' && (
        <ReasonChoice
          reasons={choices.maintenanceReasons}
          eventOf={(reason) => ({ type: 'OPEN_DOOR', compartment: label, reason })}
          group="staff.maintenance-reason"
        />
      )}
      {asking === 'defective' && (
        <ReasonChoice
          reasons={choices.defectReasons}
          eventOf={(reason) => ({ type: 'SET_DEFECTIVE', compartment: label, reason })}
          group="staff.defect"
        />
      )}
    </section>
  );
}

function ReasonChoice<Reason extends string>({
  reasons,
  eventOf,
  group,
}: {
  reasons: readonly Reason[];
  eventOf: (reason: Reason) => UiEvent;
  group: string;
}) {
  const { t } = useTranslation();
  const words = useReason(group);
  return (
    <fieldset className="question">
      <legend>{t('staff.maintenance.why')}</legend>
      <div className="choices">
        {reasons.map((reason) => (
          <Action key={reason} kind="choice" event={eventOf(reason)} testId={`reason-${reason}`}>
            {words(reason)}
          </Action>
        ))}
      </div>
    </fieldset>
  );
}
