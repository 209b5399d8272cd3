import { useTranslation } from 'react-i18next';
import { Screen, type Step } from './Screen.tsx';

/** A screen that waits for the terminal (a check, a door): nothing to press. */
export function Busy({
  title,
  intro,
  step,
}: {
  title: string;
  intro?: string;
  step?: Step | null;
}) {
  const { t } = useTranslation();
  return (
    <Screen title={title} intro={intro ?? t('common.please-wait')} step={step} className="busy">
      <div className="spinner" aria-hidden="true" />
    </Screen>
  );
}
