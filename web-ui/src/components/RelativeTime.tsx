import { formatDateTime, formatRelative } from '../lib/format';

/**
 * A moment as how long ago it was ("5 minutes ago"), in a `<time>` carrying the exact moment: in
 * `dateTime`, and as its tooltip ("12 Mar 2025, 14:05").
 */
export function RelativeTime({ at, now }: { at: string; now?: Date | undefined }) {
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at, now)}
    </time>
  );
}
