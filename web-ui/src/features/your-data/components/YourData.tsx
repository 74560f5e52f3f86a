import { useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { accountDeletedState } from '../../../lib/sign-in-notice';
import { useDeleteAccount } from '../api/delete-account';
import { useExportData } from '../api/export-data';

/** An ORCID iD as typed: no spaces around it, and `x` for the check digit X. */
function normalise(value: string): string {
  return value.trim().toUpperCase();
}

/** The "Your data" box: download everything held about you, or delete the account. */
export function YourData({ orcid }: { orcid: string }) {
  const exportData = useExportData(orcid);
  const remove = useDeleteAccount();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const matches = normalise(typed) === orcid.toUpperCase();

  const confirmDelete = () => {
    if (!matches || remove.isPending) return;
    remove.mutate(normalise(typed), {
      onSuccess: (result) => {
        void navigate('/sign-in', { replace: true, state: accountDeletedState(result.revoked_at_providers) });
      },
    });
  };

  return (
    <section className="card" aria-labelledby="your-data-heading">
      <h2 id="your-data-heading">Your data</h2>
      <p>
        Download everything Profiles holds about you as one JSON file: your account, linked services (without their
        secrets), ORCID permissions, claims, sessions, API tokens and the changes recorded about you.
      </p>
      <div role="status" className="status-line">
        {exportData.isSuccess ? 'Your data was downloaded.' : ''}
      </div>
      {exportData.isError && <ErrorAlert error={exportData.error} context="Your data could not be downloaded." />}
      <button
        type="button"
        className="button button--secondary"
        disabled={exportData.isPending}
        onClick={() => {
          exportData.mutate();
        }}
      >
        {exportData.isPending ? 'Preparing your data…' : 'Download your data'}
      </button>

      <h3 className="your-data__delete">Delete your account</h3>
      <p>
        DataCite’s access to ORCID, Google and GitHub is revoked, and your linked services, API tokens, sessions, claims
        and personal data are deleted. Only anonymous counts remain. Works already in your ORCID record stay there.
        This cannot be undone.
      </p>
      <button
        type="button"
        className="button button--danger"
        onClick={() => {
          setTyped('');
          remove.reset();
          setConfirming(true);
        }}
      >
        Delete account
      </button>

      {confirming && (
        <ConfirmDialog
          title="Delete your account?"
          confirmLabel="Delete account"
          destructive
          busy={remove.isPending}
          confirmDisabled={!matches}
          initialFocusRef={inputRef}
          error={remove.isError ? <ErrorAlert error={remove.error} context="Your account was not deleted." /> : null}
          onConfirm={confirmDelete}
          onCancel={() => {
            setConfirming(false);
            remove.reset();
          }}
        >
          <p>
            Your account, linked services, tokens, sessions and claims are deleted for good, and you are signed out.
          </p>
          <div className="field">
            <label htmlFor={inputId}>Type your ORCID iD, {orcid}, to confirm</label>
            <input
              ref={inputRef}
              id={inputId}
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(event) => {
                setTyped(event.target.value);
              }}
              onKeyDown={(event) => {
                if (event.key === 'Enter') confirmDelete();
              }}
            />
          </div>
        </ConfirmDialog>
      )}
    </section>
  );
}
