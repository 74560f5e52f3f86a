import { useId, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import {
  canRemove,
  canRetry,
  claimPill,
  claimStateLabel,
  claimStateOptions,
  SOURCE_LABELS,
  type Claim,
  type ClaimSource,
  type ClaimState,
} from '../../../lib/claims';
import { formatDate } from '../../../lib/format';
import { useClaims } from '../api/get-claims';
import { useRemoveClaim } from '../api/remove-claim';
import { useRetryClaim } from '../api/retry-claim';

const STATE_OPTIONS = claimStateOptions('person');

/** Your claims, filtered by state and source and paged, with Try again and Remove from ORCID record. */
export function YourClaims() {
  const [state, setState] = useState<ClaimState | ''>('');
  const [source, setSource] = useState<ClaimSource | ''>('');
  const [page, setPage] = useState(1);
  const claims = useClaims({ state: state || undefined, source: source || undefined, page });
  const retry = useRetryClaim();
  const remove = useRemoveClaim();
  const [removing, setRemoving] = useState<Claim | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const filterId = useId();
  const sourceId = useId();

  const tryAgain = (claim: Claim) => {
    setAnnouncement('');
    remove.reset();
    retry.mutate(claim.id, {
      onSuccess: () => {
        setAnnouncement(`${claim.doi} is queued again.`);
      },
    });
  };

  const confirmRemove = () => {
    if (!removing) return;
    const claim = removing;
    retry.reset();
    remove.mutate(claim.id, {
      onSuccess: () => {
        setRemoving(null);
        setAnnouncement(`${claim.doi} will be removed from your ORCID record.`);
      },
    });
  };

  let body;
  if (claims.isPending) {
    body = <Loading>Loading your claims…</Loading>;
  } else if (claims.isError) {
    body = (
      <ErrorAlert
        error={claims.error}
        context="Could not load your claims."
        onRetry={() => void claims.refetch()}
        retrying={claims.isFetching}
      />
    );
  } else if (claims.data.data.length === 0) {
    body = (
      <p className="muted">{state || source ? 'No claims match these filters.' : 'You have no claims yet.'}</p>
    );
  } else {
    const { meta } = claims.data;
    body = (
      <>
        <p className="muted">{meta.total === 1 ? '1 claim' : `${meta.total} claims`}</p>
        <ul className="session-list">
          {claims.data.data.map((claim) => (
            <ClaimRow
              key={claim.id}
              claim={claim}
              retrying={retry.isPending && retry.variables === claim.id}
              onRetry={() => {
                tryAgain(claim);
              }}
              onRemove={() => {
                setAnnouncement('');
                retry.reset();
                setRemoving(claim);
              }}
            />
          ))}
        </ul>
        <Pagination
          label="Claim pages"
          page={meta.page ?? page}
          totalPages={meta.total_pages}
          busy={claims.isFetching}
          onPage={setPage}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="your-claims-heading">
      <h3 id="your-claims-heading">Your claims</h3>
      <div className="claims-filters">
        <div className="field">
          <label htmlFor={filterId}>Show</label>
          <select
            id={filterId}
            value={state}
            onChange={(event) => {
              setState(event.target.value as ClaimState | '');
              setPage(1);
            }}
          >
            <option value="">All states</option>
            {STATE_OPTIONS.map((option) => (
              <option key={option.state} value={option.state}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={sourceId}>Source</label>
          <select
            id={sourceId}
            value={source}
            onChange={(event) => {
              setSource(event.target.value as ClaimSource | '');
              setPage(1);
            }}
          >
            <option value="">All sources</option>
            {(Object.keys(SOURCE_LABELS) as ClaimSource[]).map((key) => (
              <option key={key} value={key}>
                {SOURCE_LABELS[key]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {retry.isError && <ErrorAlert error={retry.error} context="Could not try the claim again." />}
      {body}
      {removing && (
        <ConfirmDialog
          title="Remove from ORCID record?"
          confirmLabel="Remove"
          destructive
          busy={remove.isPending}
          error={remove.isError ? <ErrorAlert error={remove.error} context="Nothing was changed." /> : null}
          onConfirm={confirmRemove}
          onCancel={() => {
            setRemoving(null);
            remove.reset();
          }}
        >
          <p>
            DataCite will remove {removing.title ? `“${removing.title}” (${removing.doi})` : removing.doi} from your
            ORCID record. You can add it again later.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface ClaimRowProps {
  claim: Claim;
  retrying: boolean;
  onRetry: () => void;
  onRemove: () => void;
}

function ClaimRow({ claim, retrying, onRetry, onRemove }: ClaimRowProps) {
  const titleId = useId();
  const pill = claimPill(claim, 'person');
  const retryable = canRetry(claim.state);
  const removable = canRemove(claim);
  return (
    <li className="session">
      <div className="session__what">
        <strong id={titleId}>{claim.title ?? claim.doi}</strong>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
        <span className="session__agent">
          <a href={claim.doi_url}>{claim.doi}</a> · {SOURCE_LABELS[claim.source]}
          {claim.claimed_at ? (
            <>
              {' '}
              · added on <time dateTime={claim.claimed_at}>{formatDate(claim.claimed_at)}</time>
            </>
          ) : null}
        </span>
        {claim.error && <p className="claim__error text-danger">{claim.error.message}</p>}
        {claim.skip_reason && (
          <p className="claim__error muted">
            {claimStateLabel('ignored', 'person')}: {claim.skip_reason}
          </p>
        )}
      </div>
      {(retryable || removable) && (
        <div className="form__actions">
          {retryable && (
            <button type="button" className="button" aria-describedby={titleId} disabled={retrying} onClick={onRetry}>
              {retrying ? 'Trying again…' : 'Try again'}
            </button>
          )}
          {removable && (
            <button type="button" className="button button--secondary" aria-describedby={titleId} onClick={onRemove}>
              Remove from ORCID record
            </button>
          )}
        </div>
      )}
    </li>
  );
}
