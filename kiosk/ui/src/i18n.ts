import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import ar from './locales/ar.json' with { type: 'json' };
import de from './locales/de.json' with { type: 'json' };
import deEasy from './locales/de-easy.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import pl from './locales/pl.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import tr from './locales/tr.json' with { type: 'json' };
import uk from './locales/uk.json' with { type: 'json' };

/** The terminal's languages, in the picker's order (the session machine's LANGUAGES). */
export const LANGUAGES = ['de', 'de-easy', 'en', 'tr', 'ar', 'uk', 'ru', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];

const RESOURCES = { de, 'de-easy': deEasy, en, tr, ar, uk, ru, pl };

/** BCP 47 tag for <html lang>: Leichte Sprache is German to screen readers and hyphenation. */
export const htmlLang = (language: string) => (language === 'de-easy' ? 'de' : language);
export const isRtl = (language: string) => language === 'ar';

void i18next.use(initReactI18next).init({
  resources: Object.fromEntries(
    Object.entries(RESOURCES).map(([language, strings]) => [language, { translation: strings }]),
  ),
  lng: 'de',
  fallbackLng: 'de',
  // Keeps 'de-easy' as written (i18next would read 'easy' as a script subtag otherwise).
  lowerCaseLng: true,
  initAsync: false,
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export default i18next;
