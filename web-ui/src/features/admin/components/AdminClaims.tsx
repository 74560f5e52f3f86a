import { useId, useRef, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router-dom';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import {
  canIgnore,
  canRequeue,
  claimPill,
  claimStateLabel,
  claimStateOptions,
  SOURCE_LABELS,
  type Claim,
  type ClaimSource,
  type ClaimState,
} from '../../../lib/claims';
import { formatDate, formatDateTime } from '../../../lib/format';
import { ADMIN_PATHS } from '../admin-paths';
import { useIgnoreClaim } from '../api/ignore-claim';
import { useRequeueClaim } from '../api/requeue-claim';
import { useRetryFailed } from '../api/retry-failed-claims';
import { useAdminClaims, type AdminClaimsFilter } from '../api/search-claims';

interface AdminClaimsProps {
  heading: string;
  /** One person's claims (the account page); without it, DOI, ORCID iD and error can be searched. */
  orcid?: string;
  /** Staff admins: Requeue, Mark ignored and Retry all failed. */
  canManage: boolean;
  /** The person's failed claims, for "Retry all failed" (shown when there are some). */
  failedCount?: number;
}

interface TextFilters {
  doi: string;
  orcid: string;
  error: string;
}

const NO_TEXT: TextFilters = { doi: '', orcid: '', error: '' };

/**
 * Claims for administrators: each with its state and error in words, and (for staff admins)
 * Requeue and Mark ignored (with a reason); for one person also Retry all failed.
 */
export function AdminClaims({ heading, orcid, canManage, failedCount = 0 }: AdminClaimsProps) {
  const id = useId();
  const [state, setState] = useState<ClaimState | ''>('');
  const [source, setSource] = useState<ClaimSource | ''>('');
  const [draft, setDraft] = useState<TextFilters>(NO_TEXT);
  const [text, setText] = useState<TextFilters>(NO_TEXT);
  const [page, setPage] = useState(1);
  const filter: AdminClaimsFilter = {
    orcid: orcid ?? (text.orcid.trim() || undefined),
    doi: orcid ? undefined : text.doi.trim() || undefined,
    error: orcid ? undefined : text.error.trim() || undefined,
    state: state || undefined,
    source: source || undefined,
    page,
  };
  const claims = useAdminClaims(filter);
  const requeue = useRequeueClaim();
  const ignore = useIgnoreClaim();
  const retryFailed = useRetryFailed();
  const [ignoring, setIgnoring] = useState<Claim | null>(null);
  const [reason, setReason] = useState('');
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [announcement, setAnnouncement] = useState('');

  const resetActions = () => {
    setAnnouncement('');
    requeue.reset();
    ignore.reset();
    retryFailed.reset();
  };

  const doRequeue = (claim: Claim) => {
    resetActions();
    requeue.mutate(claim.id, {
      onSuccess: (queued) => {
        setAnnouncement(
          queued.state === 'waiting_for_permission'
            ? `${claim.doi} now waits for the person’s ORCID permission.`
            : `${claim.doi} is queued again.`,
        );
      },
    });
  };

  const confirmIgnore = () => {
    const claim = ignoring;
    const why = reason.trim();
    if (!claim || !why) return;
    ignore.mutate(
      { id: claim.id, reason: why },
      {
        onSuccess: () => {
          setIgnoring(null);
          setAnnouncement(`${claim.doi} is marked ignored.`);
        },
      },
    );
  };

  const doRetryFailed = () => {
    if (!orcid) return;
    resetActions();
    retryFailed.mutate(
      { orcid },
      {
        onSuccess: (n) => {
          setAnnouncement(
            n === 0 ? 'There were no failed claims to retry.' : n === 1 ? '1 failed claim was queued again.' : `${n} failed claims were queued again.`,
          );
        },
      },
    );
  };

  const search = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setText(draft);
    setPage(1);
  };

  const filtered = [state, source, filter.doi, filter.error, orcid ? undefined : filter.orcid].some(Boolean);

  let body;
  if (claims.isPending) {
    body = <Loading>Loading claims…</Loading>;
  } else if (claims.isError) {
    body = (
      <ErrorAlert
        error={claims.error}
        context="Could not load the claims."
        onRetry={() => void claims.refetch()}
        retrying={claims.isFetching}
      />
    );
  } else if (claims.data.data.length === 0) {
    body = <p className="muted">{filtered ? 'No claims match these filters.' : 'No claims.'}</p>;
  } else {
    const { meta } = claims.data;
    body = (
      <>
        <p className="muted">{meta.total === 1 ? '1 claim' : `${meta.total} claims`}</p>
        <ul className="session-list">
          {claims.data.data.map((claim) => (
            <AdminClaimRow
              key={claim.id}
              claim={claim}
              showOrcid={!orcid}
              canManage={canManage}
              requeueing={requeue.isPending && requeue.variables === claim.id}
              onRequeue={() => {
                doRequeue(claim);
              }}
              onIgnore={() => {
                resetActions();
                setReason('');
                setIgnoring(claim);
              }}
            />
          ))}
        </ul>
        <Pagination
          label={`${heading} pages`}
          page={meta.page ?? page}
          totalPages={meta.total_pages}
          busy={claims.isFetching}
          onPage={setPage}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <div className="card__header">
        <h3 id={`${id}-heading`}>{heading}</h3>
        {canManage && orcid && failedCount > 0 && (
          <button type="button" className="button" disabled={retryFailed.isPending} onClick={doRetryFailed}>
            {retryFailed.isPending ? 'Retrying…' : 'Retry all failed'}
          </button>
        )}
      </div>
      {!orcid && (
        <form className="search-form admin-claims__search" onSubmit={search} aria-label="Search claims">
          <div className="field">
            <label htmlFor={`${id}-doi`}>DOI</label>
            <input
              id={`${id}-doi`}
              type="text"
              value={draft.doi}
              onChange={(event) => {
                setDraft({ ...draft, doi: event.target.value });
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-orcid`}>ORCID iD</label>
            <input
              id={`${id}-orcid`}
              type="text"
              value={draft.orcid}
              onChange={(event) => {
                setDraft({ ...draft, orcid: event.target.value });
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-error`}>Error</label>
            <input
              id={`${id}-error`}
              type="text"
              aria-describedby={`${id}-error-hint`}
              value={draft.error}
              onChange={(event) => {
                setDraft({ ...draft, error: event.target.value });
              }}
            />
            <p id={`${id}-error-hint`} className="field__hint">
              A code such as <code>orcid_unavailable</code>, or words from the message.
            </p>
          </div>
          <button type="submit" className="button">
            Search
          </button>
        </form>
      )}
      <div className="claims-filters">
        <div className="field">
          <label htmlFor={`${id}-state`}>State</label>
          <select
            id={`${id}-state`}
            value={state}
            onChange={(event) => {
              setState(event.target.value as ClaimState | '');
              setPage(1);
            }}
          >
            <option value="">All states</option>
            {claimStateOptions('admin').map((option) => (
              <option key={option.state} value={option.state}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-source`}>Source</label>
          <select
            id={`${id}-source`}
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
      {requeue.isError && <ErrorAlert error={requeue.error} context="The claim was not requeued." />}
      {retryFailed.isError && <ErrorAlert error={retryFailed.error} context="The failed claims were not retried." />}
      {body}
      {ignoring && (
        <ConfirmDialog
          title="Mark this claim ignored?"
          confirmLabel="Mark ignored"
          busy={ignore.isPending}
          confirmDisabled={reason.trim() === ''}
          initialFocusRef={reasonRef}
          error={ignore.isError ? <ErrorAlert error={ignore.error} context="The claim was not changed." /> : null}
          onConfirm={confirmIgnore}
          onCancel={() => {
            setIgnoring(null);
            ignore.reset();
          }}
        >
          <p>
            Profiles stops trying to add {ignoring.title ? `“${ignoring.title}” (${ignoring.doi})` : ignoring.doi} to{' '}
            {ignoring.orcid}’s ORCID record. The person sees the reason.
          </p>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason</label>
            <textarea
              ref={reasonRef}
              id={`${id}-reason`}
              rows={3}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </div>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface AdminClaimRowProps {
  claim: Claim;
  showOrcid: boolean;
  canManage: boolean;
  requeueing: boolean;
  onRequeue: () => void;
  onIgnore: () => void;
}

function AdminClaimRow({ claim, showOrcid, canManage, requeueing, onRequeue, onIgnore }: AdminClaimRowProps) {
  const titleId = useId();
  const pill = claimPill(claim, 'admin');
  const requeueable = canManage && canRequeue(claim.state);
  const ignorable = canManage && canIgnore(claim.state);
  return (
    <li className="session admin-claim">
      <div className="session__what">
        <strong id={titleId}>{claim.title ?? claim.doi}</strong>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
        <span className="session__agent">
          <a href={claim.doi_url}>{claim.doi}</a> · {SOURCE_LABELS[claim.source]}
          {showOrcid && (
            <>
              {' '}
              · <Link to={ADMIN_PATHS.account(claim.orcid)}>{claim.orcid}</Link>
            </>
          )}{' '}
          · created <time dateTime={claim.created_at}>{formatDate(claim.created_at)}</time> ·{' '}
          {claim.attempts === 1 ? '1 attempt' : `${claim.attempts} attempts`}
        </span>
        {claim.error && (
          <p className="claim__error text-danger">
            Error: {claim.error.message} <code className="claim__code">{claim.error.code}</code>
          </p>
        )}
        {claim.skip_reason && (
          <p className="claim__error muted">
            {claimStateLabel('ignored', 'admin')}: {claim.skip_reason}
          </p>
        )}
        {claim.next_attempt_at && (
          <p className="claim__error muted">
            Next attempt <time dateTime={claim.next_attempt_at}>{formatDateTime(claim.next_attempt_at)}</time>
          </p>
        )}
      </div>
      {(requeueable || ignorable) && (
        <div className="form__actions">
          {requeueable && (
            <button type="button" className="button" aria-describedby={titleId} disabled={requeueing} onClick={onRequeue}>
              {requeueing ? 'Requeueing…' : 'Requeue'}
            </button>
          )}
          {ignorable && (
            <button type="button" className="button button--secondary" aria-describedby={titleId} onClick={onIgnore}>
              Mark ignored
            </button>
          )}
        </div>
      )}
    </li>
  );
}
