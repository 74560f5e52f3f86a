import { useId, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import {
  claimNotice,
  claimStateOptions,
  claimStatus,
  dismissedNotice,
  noticeHolds,
  queuedNotice,
  SOURCE_LABELS,
  type Claim,
  type ClaimNotice,
  type ClaimRemedy,
  type ClaimSource,
  type ClaimState,
} from '../../../lib/claims';
import { formatDate } from '../../../lib/format';
import { useCreateClaim } from '../api/create-claim';
import { useDismissClaim } from '../api/dismiss-claim';
import { useClaims } from '../api/get-claims';
import { useRemoveClaim } from '../api/remove-claim';
import { useRetryClaim } from '../api/retry-claim';
import { ClaimActions, ClaimReasonText } from './ClaimRemedy';

const STATE_OPTIONS = claimStateOptions('person');

/**
 * Your claims, filtered by state and source and paged, each with its state (polled while queued or
 * in progress), its reason and what helps: Try again (and Dismiss, for a failed addition), Enable
 * Search & Link or Auto-Update (a grant at ORCID that comes back to `returnTo`), Remove from ORCID
 * record, or Add again (removed or dismissed).
 */
export function YourClaims({ returnTo }: { returnTo: string }) {
  const [state, setState] = useState<ClaimState | ''>('');
  const [source, setSource] = useState<ClaimSource | ''>('');
  const [page, setPage] = useState(1);
  const claims = useClaims({ state: state || undefined, source: source || undefined, page });
  const retry = useRetryClaim();
  const remove = useRemoveClaim();
  const create = useCreateClaim();
  const dismiss = useDismissClaim();
  const [removing, setRemoving] = useState<Claim | null>(null);
  const [notice, setNotice] = useState<ClaimNotice | null>(null);
  const filterId = useId();
  const sourceId = useId();

  // A notice lasts while its claim, as shown, stays as the action left it.
  const noticed = notice ? claims.data?.data.find((claim) => claim.id === notice.claimId) : null;
  if (notice && !noticeHolds(notice, noticed)) setNotice(null);

  const startOver = () => {
    setNotice(null);
    retry.reset();
    create.reset();
    remove.reset();
    dismiss.reset();
  };

  // Each answer comes once the list was fetched again, so the notice is checked against it.
  const tryAgain = (claim: Claim) => {
    startOver();
    retry.mutate(claim.id, {
      onSuccess: (queued) => {
        setNotice(queuedNotice(queued, true));
      },
    });
  };

  const addAgain = (claim: Claim) => {
    startOver();
    create.mutate(
      { doi: claim.doi, source: claim.source },
      {
        onSuccess: (queued) => {
          setNotice(queuedNotice(queued, true));
        },
      },
    );
  };

  // Nothing is asked of ORCID, and it can be added again: no confirmation.
  const setAside = (claim: Claim) => {
    startOver();
    dismiss.mutate(claim.id, {
      onSuccess: (dismissed) => {
        setNotice(dismissedNotice({ ...dismissed, doi: claim.doi }));
      },
    });
  };

  const confirmRemove = () => {
    if (!removing) return;
    const claim = removing;
    retry.reset();
    create.reset();
    dismiss.reset();
    remove.mutate(claim.id, {
      onSuccess: (removed) => {
        setRemoving(null);
        setNotice(
          claimNotice(
            removed,
            removed.state === 'deleted'
              ? `${claim.doi} was removed.`
              : `${claim.doi} will be removed from your ORCID record.`,
          ),
        );
      },
    });
  };

  /** Which of the row's actions is under way. */
  const busyWith = (claim: Claim): ClaimRemedy['kind'] | null => {
    if (retry.isPending && retry.variables === claim.id) return 'retry';
    if (dismiss.isPending && dismiss.variables === claim.id) return 'dismiss';
    if (create.isPending && create.variables.doi === claim.doi) return 'add_again';
    return null;
  };

  const filter = (change: () => void) => {
    startOver();
    change();
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
              returnTo={returnTo}
              busy={busyWith(claim)}
              onRetry={() => {
                tryAgain(claim);
              }}
              onDismiss={() => {
                setAside(claim);
              }}
              onAddAgain={() => {
                addAgain(claim);
              }}
              onRemove={() => {
                startOver();
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
          onPage={(next) => {
            filter(() => {
              setPage(next);
            });
          }}
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
              filter(() => {
                setState(event.target.value as ClaimState | '');
                setPage(1);
              });
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
              filter(() => {
                setSource(event.target.value as ClaimSource | '');
                setPage(1);
              });
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
        {notice?.text}
      </div>
      {retry.isError && <ErrorAlert error={retry.error} context="Could not try the claim again." />}
      {dismiss.isError && <ErrorAlert error={dismiss.error} context="Could not dismiss the claim." />}
      {create.isError && (
        <ErrorAlert
          error={create.error}
          context={`Could not add ${create.variables.doi} to your ORCID record again.`}
        />
      )}
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
  returnTo: string;
  /** Which of its actions (Try again, Dismiss, Add again) is under way, if any. */
  busy: ClaimRemedy['kind'] | null;
  onRetry: () => void;
  onDismiss: () => void;
  onAddAgain: () => void;
  onRemove: () => void;
}

function ClaimRow({ claim, returnTo, busy, onRetry, onDismiss, onAddAgain, onRemove }: ClaimRowProps) {
  const titleId = useId();
  const { pill, reason, remedy, secondary } = claimStatus(claim);
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
        <ClaimReasonText reason={reason} />
      </div>
      <ClaimActions
        remedy={remedy}
        secondary={secondary}
        describedBy={titleId}
        returnTo={returnTo}
        busy={busy}
        onRetry={onRetry}
        onDismiss={onDismiss}
        onAddAgain={onAddAgain}
        onRemove={onRemove}
      />
    </li>
  );
}
