import { useId, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { useAutoUpdateSettings, type AutoUpdateMode as Mode } from '../api/get-auto-update-settings';
import { useSavingAutoUpdateSettings, useUpdateAutoUpdateSettings } from '../api/update-auto-update-settings';

const CHOICES: readonly { mode: Mode; label: string; hint: string; saved: string }[] = [
  {
    mode: 'automatic',
    label: 'Add new DOIs automatically',
    hint: 'A new DOI that names you goes into your ORCID record at once.',
    saved: 'Saved. New DOIs that name you are added to your ORCID record automatically.',
  },
  {
    mode: 'review',
    label: 'Ask me first',
    hint: 'A new DOI that names you waits for your approval; nothing is added until you say so.',
    saved: 'Saved. New DOIs that name you now wait for your approval.',
  },
];

/**
 * How Auto-Update adds new DOIs: at once, or after asking (review mode). A radio group that saves
 * as soon as it is changed (`PUT /api/v1/auto-update/settings`) and says so in a polite live region.
 */
export function AutoUpdateMode() {
  const settings = useAutoUpdateSettings();
  const update = useUpdateAutoUpdateSettings();
  const saving = useSavingAutoUpdateSettings();
  const [saved, setSaved] = useState('');
  const name = useId();
  const legendId = useId();

  if (settings.isPending) return <Loading>Loading your Auto-Update settings…</Loading>;
  if (settings.isError) {
    return (
      <ErrorAlert
        error={settings.error}
        context="Could not load your Auto-Update settings."
        onRetry={() => void settings.refetch()}
        retrying={settings.isFetching}
      />
    );
  }
  // While saving, the choice just made.
  const current = update.isPending ? update.variables.mode : settings.data.mode;

  return (
    <fieldset className="fieldset" aria-describedby={legendId}>
      <legend>When Auto-Update finds a new DOI that names you</legend>
      <p id={legendId} className="field__hint">
        This takes effect at once. DOIs already waiting for your approval stay there until you decide.
      </p>
      {CHOICES.map((choice) => {
        const id = `${name}-${choice.mode}`;
        return (
          <div key={choice.mode} className="field field--checkbox">
            <input
              id={id}
              type="radio"
              name={name}
              value={choice.mode}
              checked={current === choice.mode}
              disabled={saving}
              aria-describedby={`${id}-hint`}
              onChange={() => {
                setSaved('');
                // The inbox choice is left out: unchanged.
                update.mutate({ mode: choice.mode }, {
                  onSuccess: () => {
                    setSaved(choice.saved);
                  },
                });
              }}
            />
            <label htmlFor={id}>{choice.label}</label>
            <p id={`${id}-hint`} className="field__hint field__hint--checkbox">
              {choice.hint}
            </p>
          </div>
        );
      })}
      <div role="status" className="status-line">
        {saved}
      </div>
      {update.isError && <ErrorAlert error={update.error} context="Your choice was not saved." />}
    </fieldset>
  );
}
