/**
 * The wizard's and the acceptance report's languages: German and English, one flat JSON file
 * each with the same keys and `{name}` placeholders (as the fleet console does it; German is
 * the reference, a missing English key fails the type check, `locales.test.ts` checks the
 * rest). The wizard is one run in one terminal, so the language is chosen once per process.
 */
import de from './locales/de.json' with { type: 'json' };
import enJson from './locales/en.json' with { type: 'json' };

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type TextKey = keyof typeof de;
type Vars = Readonly<Record<string, string | number>>;

const en: Record<TextKey, string> = enJson;
export const MESSAGES: Readonly<Record<Language, Readonly<Record<TextKey, string>>>> = { de, en };

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** `--lang` if given, else the locale of the environment: de_* is German, anything else English. */
export function chooseLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  if (flag) return flag as Language;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^de([_.@-]|$)/.test(locale) ? 'de' : 'en';
}

let current: Language = 'en';

export function useLanguage(language: Language) {
  current = language;
}

export const language = () => current;

/** The text of `key` in the chosen language, `{name}` filled from `vars`. */
export function t(key: TextKey, vars?: Vars): string {
  const text = MESSAGES[current][key];
  return vars
    ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(vars[name] ?? match))
    : text;
}
