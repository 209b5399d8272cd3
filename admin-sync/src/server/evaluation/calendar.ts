/**
 * Days, ISO weeks and months as people in the district count them (the configured time
 * zone), for grouping the evaluation's events. Days are `YYYY-MM-DD` strings, which sort
 * and compare as dates.
 */
const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The local day of an instant; cached per hour (every event of an hour has the same day). */
export function dayOfFn(timeZone: string): (at: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const cache = new Map<number, string>();
  return (at) => {
    const hour = Math.floor(at / HOUR_MS);
    let day = cache.get(hour);
    if (day === undefined) {
      day = format.format(new Date(hour * HOUR_MS));
      cache.set(hour, day);
    }
    return day;
  };
}

const utcOf = (day: string) => Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10));
const dayOfUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = utcOf(from); ms <= utcOf(to); ms += DAY_MS) days.push(dayOfUtc(ms));
  return days;
}

export const addDays = (day: string, n: number) => dayOfUtc(utcOf(day) + n * DAY_MS);

/** The same day `n` months later (the 31st becomes the month's last day). */
export function addMonths(day: string, n: number): string {
  const year = +day.slice(0, 4);
  const month = +day.slice(5, 7) - 1 + n;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return dayOfUtc(Date.UTC(year, month, Math.min(+day.slice(8, 10), last)));
}

/** ISO 8601 week, e.g. `2026-W05`. */
export function isoWeek(day: string): string {
  const date = new Date(utcOf(day));
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  date.setUTCDate(date.getUTCDate() - weekday + 3); // the Thursday of this week
  const year = date.getUTCFullYear();
  const week = 1 + Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export const monthOf = (day: string) => day.slice(0, 7);
