const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "12 Mar 2024" in the reader's locale. */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

/** "12 Mar 2024, 14:05" in the reader's locale. */
export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long ago `iso` was, in the reader's words: "just now" (under a minute), "5 minutes ago",
 * "3 hours ago", "yesterday", "4 days ago"; from 30 days on, the date ("12 Mar 2024"). A moment a
 * little ahead of `now` (the server's clock) is "just now" too.
 */
export function formatRelative(iso: string, now: Date = new Date(), locale?: string): string {
  const then = new Date(iso).getTime();
  const ago = now.getTime() - then;
  if (ago < MINUTE_MS) return 'just now';
  const words = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (ago < HOUR_MS) return words.format(-Math.floor(ago / MINUTE_MS), 'minute');
  if (ago < DAY_MS) return words.format(-Math.floor(ago / HOUR_MS), 'hour');
  if (ago < 30 * DAY_MS) return words.format(-Math.floor(ago / DAY_MS), 'day');
  return locale ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso)) : formatDate(iso);
}

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** A ratio as a percentage in the reader's locale: 0.25 → "25%", 1/3 → "33.3%". */
export function formatPercent(ratio: number): string {
  return percentFormat.format(Number.isFinite(ratio) ? ratio : 0);
}
