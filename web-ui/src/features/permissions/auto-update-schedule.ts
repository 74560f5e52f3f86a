import type { AutoUpdateStatus } from './api/get-auto-update-status';

/** How dates, times and numbers are written; by default the reader's locale and time zone. */
export interface ScheduleFormat {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const DAY_MS = 86_400_000;

/** Within this of `now`, a check is "just now" (past) or "any moment now" (due). */
const MOMENT_MS = 60_000;

/** "15 minutes", "minute", "2 hours": an interval after "every". */
function unitAmount(seconds: number): { count: number; unit: string } {
  if (seconds % 86_400 === 0) return { count: seconds / 86_400, unit: 'day' };
  if (seconds % 3_600 === 0) return { count: seconds / 3_600, unit: 'hour' };
  if (seconds % 60 === 0) return { count: seconds / 60, unit: 'minute' };
  return { count: seconds, unit: 'second' };
}

/** "every 15 minutes", "every minute". */
export function everyInterval(seconds: number): string {
  const { count, unit } = unitAmount(seconds);
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

/** "within 15 minutes", "within a minute", "within an hour". */
export function withinInterval(seconds: number): string {
  const { count, unit } = unitAmount(seconds);
  if (count !== 1) return `within ${count} ${unit}s`;
  return unit === 'hour' ? 'within an hour' : `within a ${unit}`;
}

/** The calendar day of `date` in the time zone, as a sortable key. */
function dayKey(date: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * A moment near `now` in the reader's words: the time alone today ("14:02"), "yesterday at 14:02",
 * "tomorrow at 14:02", else the date and time ("12 Mar 2025, 14:02"). With `around`, an
 * estimate: "around 14:17", "tomorrow around 01:10".
 */
export function nearTime(iso: string, now: Date, { locale, timeZone }: ScheduleFormat = {}, { around = false } = {}): string {
  const date = new Date(iso);
  const at = around ? 'around' : 'at';
  const time = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' }).format(date);
  const day = dayKey(date, timeZone);
  if (day === dayKey(now, timeZone)) return around ? `around ${time}` : time;
  if (day === dayKey(new Date(now.getTime() - DAY_MS), timeZone)) return `yesterday ${at} ${time}`;
  if (day === dayKey(new Date(now.getTime() + DAY_MS), timeZone)) return `tomorrow ${at} ${time}`;
  const full = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date);
  return around ? `around ${full}` : full;
}

/** "found 3 new DOIs with ORCID iDs", "found 1 new DOI with an ORCID iD", "found no new DOIs …". */
function found(dois: number, locale: string | undefined): string {
  if (dois === 0) return 'found no new DOIs with ORCID iDs';
  if (dois === 1) return 'found 1 new DOI with an ORCID iD';
  return `found ${new Intl.NumberFormat(locale).format(dois)} new DOIs with ORCID iDs`;
}

/** The one sentence when DataCite is not polled: DOI events are taken in as they come. */
export const EVENTS_ONLY = 'This service takes DOI registrations from DataCite as they happen.';

/**
 * What Auto-Update does and when, in words: how often it asks DataCite, when it last did and what
 * it found, and when it asks next; before the first check, that it runs within one interval. `now`
 * is when the status was read.
 */
export function autoUpdateSchedule(status: AutoUpdateStatus, now: Date, format: ScheduleFormat = {}): string {
  const every = status.every_secs;
  if (!every) return EVENTS_ONLY;
  const what = `Auto-Update checks DataCite for new DOIs naming you ${everyInterval(every)}.`;
  if (!status.last_checked_at) return `${what} The first check runs ${withinInterval(every)}.`;

  const lastMs = new Date(status.last_checked_at).getTime();
  const last = now.getTime() - lastMs < MOMENT_MS ? 'just now' : nearTime(status.last_checked_at, now, format);
  const dois = status.last_dois == null ? '' : ` (${found(status.last_dois, format.locale)})`;
  let next = '';
  if (status.next_check_at) {
    const due = new Date(status.next_check_at).getTime() - now.getTime() < MOMENT_MS;
    next = due ? '; next check any moment now' : `; next check ${nearTime(status.next_check_at, now, format, { around: true })}`;
  }
  return `${what} Last checked ${last}${dois}${next}.`;
}
