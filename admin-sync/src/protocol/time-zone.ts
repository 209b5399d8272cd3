/**
 * The time zone people read times in (the kiosk's screens, the console, the notices): one
 * setting per installation, Europe/Berlin unless configured. Shared by both sides so that a
 * terminal and its fleet server accept the same names.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

/** An IANA zone name this Node.js (ICU) knows, e.g. `Europe/Berlin`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
