import { useTranslation } from 'react-i18next';

/** Shown while no view has arrived: calm, no controls to press. */
export function Waiting() {
  const { t } = useTranslation();
  return (
    <main className="screen waiting" data-screen="waiting" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <h1>{t('common.one-moment')}</h1>
      <p>{t('common.connecting')}</p>
    </main>
  );
}
