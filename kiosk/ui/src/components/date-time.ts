/**
 * Dates, times and durations on screen, in the site's time zone (the view's
 * `session.timeZone`), never the zone the browser or the machine happens to run in: staff
 * compare them with the console's, which uses the same configured zone.
 */
export type DateTimeStyle = 'short' | 'medium';

/**
 * The locale a language formats in. Easy German is German; English is British (day before
 * month, 24 hours, as the notices); Arabic keeps the Latin digits the codes and compartment
 * labels use, whatever the engine's default numbering is.
 */
export function localeOf(language: string): string {
  if (language === 'de-easy') return 'de';
  if (language === 'en') return 'en-GB';
  if (language === 'ar') return 'ar-u-nu-latn';
  return language;
}

export function formatDateTime(
  at: number,
  language: string,
  timeZone: string,
  style: DateTimeStyle = 'short',
): string {
  return new Intl.DateTimeFormat(localeOf(language), {
    dateStyle: style,
    timeStyle: 'short',
    timeZone,
  }).format(at);
}

/**
 * A wait in words with its unit ("1 Minute 30 Sekunden", "45 seconds"), never "1:30":
 * the language's own plural of each unit. Texts put it where the nominative fits.
 */
export function formatDuration(seconds: number, language: string): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  const parts =
    minutes === 0 ? { seconds: rest } : rest === 0 ? { minutes } : { minutes, seconds: rest };
  return new Intl.DurationFormat(localeOf(language), { style: 'long' }).format(parts);
}

/** A list of compartments or names in the language's own way ("A1, A2 und B3", Arabic "و"). */
export function formatList(items: readonly string[], language: string): string {
  return new Intl.ListFormat(localeOf(language), { style: 'long', type: 'conjunction' }).format(
    items,
  );
}
