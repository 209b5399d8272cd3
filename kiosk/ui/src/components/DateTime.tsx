import { useTranslation } from 'react-i18next';
import { useScreen } from '../shell/screen-context.ts';
import { type DateTimeStyle, formatDateTime } from './date-time.ts';

/** A formatter for the current language and the site's time zone (for texts and speech). */
export function useDateTime(): (at: number, style?: DateTimeStyle) => string {
  const { i18n } = useTranslation();
  const { timeZone } = useScreen().view.session;
  return (at, style) => formatDateTime(at, i18n.language, timeZone, style);
}

/** A moment as people on site read it: the site's time zone, the session's language. */
export function DateTime({ at, style = 'short' }: { at: number; style?: DateTimeStyle }) {
  const format = useDateTime();
  return <time dateTime={new Date(at).toISOString()}>{format(at, style)}</time>;
}
