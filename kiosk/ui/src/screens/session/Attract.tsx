import { useTranslation } from 'react-i18next';
import { Screen } from '../../components/Screen.tsx';
import { useScreen } from '../../shell/screen-context.ts';

/** Invites use: one huge target. Staff and couriers start with their card instead. */
export function Attract() {
  const { t } = useTranslation();
  const { send } = useScreen();
  return (
    <Screen
      title={t('attract.title')}
      intro={t('attract.intro')}
      speech={[t('attract.start')]}
      className="attract"
    >
      <button
        type="button"
        className="primary start"
        data-testid="start"
        onClick={() => send({ type: 'START' })}
      >
        <span aria-hidden="true" className="start-icon flip-rtl">
          ☛
        </span>
        {t('attract.start')}
      </button>
      <p className="hint">{t('attract.staff-hint')}</p>
    </Screen>
  );
}
