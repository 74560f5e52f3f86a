import { useId, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { useAutoUpdateSettings } from '../api/get-auto-update-settings';
import { useSavingAutoUpdateSettings, useUpdateAutoUpdateSettings } from '../api/update-auto-update-settings';

const SAVED = {
  on: 'Saved. Profiles may ask you in your ORCID inbox, at most once a month.',
  off: 'Saved. Profiles will never ask you in your ORCID inbox.',
} as const;

/**
 * "Ask me in my ORCID inbox": whether Profiles may send a permission request to the person's ORCID
 * inbox when new DOIs name them and Auto-Update is not enabled (`inbox_notifications` of `PUT
 * /api/v1/auto-update/settings`, on unless they said no). A checkbox that saves as soon as it is
 * changed, with the mode as it is, and says so in a polite live region.
 */
export function InboxNotifications() {
  const settings = useAutoUpdateSettings();
  const update = useUpdateAutoUpdateSettings();
  const saving = useSavingAutoUpdateSettings();
  const [saved, setSaved] = useState('');
  const id = useId();

  if (settings.isPending) return <Loading>Loading your ORCID inbox choice…</Loading>;
  if (settings.isError) {
    return (
      <ErrorAlert
        error={settings.error}
        context="Could not load your ORCID inbox choice."
        onRetry={() => void settings.refetch()}
        retrying={settings.isFetching}
      />
    );
  }
  const { mode, inbox_notifications: inbox = true } = settings.data;
  // While saving, the choice just made.
  const checked = update.isPending ? (update.variables.inbox_notifications ?? inbox) : inbox;

  return (
    <>
      <div className="field field--checkbox">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={saving}
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            const ask = event.target.checked;
            setSaved('');
            update.mutate(
              { mode, inbox_notifications: ask },
              {
                onSuccess: () => {
                  setSaved(ask ? SAVED.on : SAVED.off);
                },
              },
            );
          }}
        />
        <label htmlFor={id}>Ask me in my ORCID inbox</label>
        <p id={`${id}-hint`} className="field__hint field__hint--checkbox">
          When new DOIs name you and Auto-Update is not enabled, Profiles may send a permission request to your ORCID
          inbox, at most once a month; untick this to never be asked.
        </p>
      </div>
      <div role="status" className="status-line">
        {saved}
      </div>
      {update.isError && <ErrorAlert error={update.error} context="Your choice was not saved." />}
    </>
  );
}
