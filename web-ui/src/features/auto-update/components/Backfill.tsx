import { useState, type ReactNode } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useStartBackfill } from '../api/start-backfill';

interface BackfillProps {
  /** Whether Auto-Update is enabled: without it there is nothing to add with. */
  enabled: boolean;
  /** In review mode the DOIs found wait for approval instead of going in. */
  review: boolean;
  /** What to say instead of the button while Auto-Update is not enabled. */
  disabledNote: ReactNode;
}

/**
 * "Find all my DOIs now" (`POST /api/v1/auto-update/backfill`): every DataCite DOI naming the
 * person that has no claim yet is added (or, in review mode, proposed), in the background.
 */
export function Backfill({ enabled, review, disabledNote }: BackfillProps) {
  const backfill = useStartBackfill();
  const [notice, setNotice] = useState('');
  return (
    <section className="card" aria-labelledby="backfill-heading">
      <h3 id="backfill-heading">Find all my DOIs</h3>
      <p id="backfill-about" className="muted">
        Auto-Update adds new DOIs as DataCite registers them. To add the DOIs that named you before, Profiles looks up
        every DOI in DataCite that names you and {review ? 'asks you about' : 'adds'} each one not in your ORCID record
        yet, following your exclusions below. This happens once by itself when you enable Auto-Update.
      </p>
      {enabled ? (
        <button
          type="button"
          className="button"
          aria-describedby="backfill-about"
          disabled={backfill.isPending}
          onClick={() => {
            setNotice('');
            backfill.mutate(undefined, {
              onSuccess: () => {
                setNotice(
                  review
                    ? 'Profiles is looking for your DOIs. Those it finds will wait for your approval; this can take a few minutes.'
                    : 'Profiles is looking for your DOIs and will add them to your ORCID record; this can take a few minutes. The Activity page lists each one.',
                );
              },
            });
          }}
        >
          {backfill.isPending ? 'Starting…' : 'Find all my DOIs now'}
        </button>
      ) : (
        disabledNote
      )}
      <div role="status" className="status-line">
        {notice}
      </div>
      {backfill.isError && <ErrorAlert error={backfill.error} context="Nothing was started." />}
    </section>
  );
}
