/**
 * The console's languages: German (default) and English, one flat JSON file each with the
 * same keys (German is the reference; the English file is checked against it by type and by
 * a test). `{name}` placeholders are filled from `vars`.
 */
import de from './locales/de.json' with { type: 'json' };
import enJson from './locales/en.json' with { type: 'json' };

export const CONSOLE_LANGUAGES = ['de', 'en'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];
export const DEFAULT_LANGUAGE: ConsoleLanguage = 'de';

export type MessageKey = keyof typeof de;
export type Translate = (
  key: MessageKey,
  vars?: Readonly<Record<string, string | number>>,
) => string;

// A key missing in en.json fails the type check here.
const en: Record<MessageKey, string> = enJson;
export const MESSAGES: Readonly<Record<ConsoleLanguage, Readonly<Record<MessageKey, string>>>> = {
  de,
  en,
};

export const isConsoleLanguage = (value: unknown): value is ConsoleLanguage =>
  typeof value === 'string' && (CONSOLE_LANGUAGES as readonly string[]).includes(value);

export const isMessageKey = (value: string): value is MessageKey => Object.hasOwn(de, value);

export function translator(language: ConsoleLanguage): Translate {
  const messages = MESSAGES[language];
  return (key, vars) => {
    const text = messages[key];
    return vars
      ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(vars[name] ?? match))
      : text;
  };
}

const LOCALES: Readonly<Record<ConsoleLanguage, string>> = { de: 'de-DE', en: 'en-GB' };

/** Date and time in the office's time zone, e.g. `03.06.2025, 14:05`. */
export function dateTimeFormatter(language: ConsoleLanguage, timeZone: string) {
  const format = new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  return (ms: number | null | undefined): string => (ms == null ? '–' : format.format(ms));
}
