import { useState } from 'react';
import { ApiError } from '../../../api/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { FlowButton } from '../../../components/FlowButton';
import { RelativeTime } from '../../../components/RelativeTime';
import { grantForm } from '../../../lib/auth-urls';
import { useCheckOrcidRecord } from '../api/check-orcid-record';
import { recordCheckSummary } from '../record-check';

interface CheckOrcidRecordProps {
  /** When Profiles last read the record (the account's `orcid_checked_at`), or null: never. */
  checkedAt: string | null | undefined;
  /** This page, where ORCID sends the browser back to after "Enable Search & Link". */
  returnTo: string;
}

const codeOf = (error: unknown) => (error instanceof ApiError ? error.code : undefined);

/**
 * "Check my ORCID record": reads the record now, and says in a polite live region what it found
 * (how many works it holds; the ones removed on orcid.org, or already there from another source).
 * The claims, their counts and the activity log are fetched again, so their rows show it. Without a
 * permission to read the record with (409 `record_unreadable`) it offers to enable Search & Link;
 * when ORCID did not answer (502) it says nothing was changed.
 */
export function CheckOrcidRecord({ checkedAt, returnTo }: CheckOrcidRecordProps) {
  const check = useCheckOrcidRecord();
  const [summary, setSummary] = useState('');

  const run = () => {
    setSummary('');
    check.mutate(undefined, {
      onSuccess: (report) => {
        setSummary(recordCheckSummary(report));
      },
    });
  };

  let error = null;
  if (check.isError) {
    const code = codeOf(check.error);
    if (code === 'record_unreadable') {
      error = (
        <div role="alert" className="error">
          <p>
            Profiles can read your ORCID record only with your permission. Enable Search &amp; Link (or Auto-Update),
            then check again.
          </p>
          <FlowButton form={grantForm('search_and_link', returnTo)}>Enable Search &amp; Link</FlowButton>
        </div>
      );
    } else if (code === 'provider_unavailable') {
      error = (
        <div role="alert" className="error">
          <p>ORCID did not answer, so your record could not be read. Nothing was changed. Try again later.</p>
        </div>
      );
    } else {
      error = <ErrorAlert error={check.error} context="Could not check your ORCID record." />;
    }
  }

  return (
    <section className="card" aria-labelledby="record-check-heading">
      <h3 id="record-check-heading">Your ORCID record</h3>
      <p className="muted">
        Profiles reads your ORCID record when you sign in and once a day. A work you removed on orcid.org is then
        marked so and not added again, and a work already there from another source is not added twice.
      </p>
      <div className="record-check">
        <button type="button" className="button" disabled={check.isPending} onClick={run}>
          {check.isPending ? 'Checking your ORCID record…' : 'Check my ORCID record'}
        </button>
        <p className="record-check__when muted">
          {checkedAt ? (
            <>
              Last checked <RelativeTime at={checkedAt} />.
            </>
          ) : (
            'Not checked yet.'
          )}
        </p>
      </div>
      <p role="status" className="status-line record-check__summary">
        {summary}
      </p>
      {error}
    </section>
  );
}
