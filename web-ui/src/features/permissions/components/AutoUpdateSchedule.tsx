import { useAutoUpdateStatus } from '../api/get-auto-update-status';
import { autoUpdateSchedule } from '../auto-update-schedule';

/**
 * In the Auto-Update box: when Auto-Update asks DataCite for new DOIs, when it last did and what it
 * found, and when it asks next, in the reader's locale and time zone. Nothing while it loads or if
 * it cannot be loaded: the box works without it.
 */
export function AutoUpdateSchedule() {
  const status = useAutoUpdateStatus();
  if (!status.isSuccess) return null;
  // Relative to when the status was read (not the clock at render), refreshed with it.
  const sentence = autoUpdateSchedule(status.data, new Date(status.dataUpdatedAt));
  return <p className="muted">{sentence}</p>;
}
