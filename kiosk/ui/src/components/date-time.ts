/**
 * Dates and times on screen, in the site's time zone (the view's `session.timeZone`), never
 * the zone the browser or the machine happens to run in: staff compare them with the
 * console's, which uses the same configured zone.
 */
export type DateTimeStyle = 'short' | 'medium';

/** Easy German is German as far as dates go. */
const localeOf = (language: string) => (language === 'de-easy' ? 'de' : language);

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
