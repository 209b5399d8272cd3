import { useTranslation } from 'react-i18next';
import { htmlLang, LANGUAGES } from '../i18n.ts';
import { useScreen } from './screen-context.ts';

type Setting = 'largeText' | 'highContrast' | 'speech';
const SETTINGS: { setting: Setting; testId: string; icon: string }[] = [
  { setting: 'largeText', testId: 'toggle-large-text', icon: 'A+' },
  { setting: 'highContrast', testId: 'toggle-high-contrast', icon: '◐' },
  { setting: 'speech', testId: 'toggle-speech', icon: '♪' },
];

/**
 * On every screen, at the top of the reach band: nobody needs an accessibility mode to
 * switch one on, and nobody needs to reach above the band for it.
 */
export function TopBar() {
  const { t } = useTranslation();
  return (
    <div className="top-bar">
      <nav className="languages" aria-label={t('common.choose-language')}>
        <LanguageButtons />
      </nav>
      <fieldset className="settings">
        <legend className="visually-hidden">{t('a11y.settings')}</legend>
        <SettingToggles />
      </fieldset>
    </div>
  );
}

function LanguageButtons() {
  const { t } = useTranslation();
  const { view, send } = useScreen();
  return LANGUAGES.map((language) => (
    <button
      key={language}
      type="button"
      className="language"
      lang={htmlLang(language)}
      dir="auto"
      aria-pressed={view.session.language === language}
      data-testid={`lang-${language}`}
      onClick={() => send({ type: 'SET_LANGUAGE', language })}
    >
      {t('language.self', { lng: language })}
    </button>
  ));
}

function SettingToggles() {
  const { t } = useTranslation();
  const { view, send } = useScreen();
  return SETTINGS.map(({ setting, testId, icon }) => {
    const on = view.session.accessibility[setting];
    return (
      <button
        key={setting}
        type="button"
        className="toggle"
        aria-pressed={on}
        data-testid={testId}
        onClick={() => send({ type: 'SET_ACCESSIBILITY', settings: { [setting]: !on } })}
      >
        <span aria-hidden="true" className="toggle-icon">
          {icon}
        </span>
        {t(`a11y.${setting}`)}
      </button>
    );
  });
}
