import { useId, useState } from 'react';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { Pagination } from '../../../components/Pagination';
import { formatDate } from '../../../lib/format';
import type { Claim } from '../../../lib/claims';
import { useClaims } from '../api/get-claims';
import { useDismissClaim } from '../api/dismiss-claim';
import { useApproveClaim, useReviewClaims } from '../api/review-claims';

const name = (claim: Pick<Claim, 'title' | 'doi'>) => (claim.title ? `“${claim.title}” (${claim.doi})` : claim.doi);

const dois = (n: number) => (n === 1 ? '1 DOI' : `${n} DOIs`);

/**
 * The review queue: the DOIs Auto-Update found (review mode) and holds for the person's approval
 * (`GET /api/v1/claims?state=pending_review`), each with "Add to ORCID record" (approve) and
 * "Dismiss" (never proposed again), and "Add all" / "Dismiss all" (after a confirmation).
 */
export function ReviewQueue() {
  const [page, setPage] = useState(1);
  const claims = useClaims({ state: 'pending_review', page });
  const approve = useApproveClaim();
  const dismiss = useDismissClaim();
  const review = useReviewClaims();
  const [announcement, setAnnouncement] = useState('');
  const [confirmingDismissAll, setConfirmingDismissAll] = useState(false);

  const startOver = () => {
    setAnnouncement('');
    approve.reset();
    dismiss.reset();
    review.reset();
  };

  const busy = approve.isPending || dismiss.isPending || review.isPending;

  let body;
  if (claims.isPending) {
    body = <Loading>Loading the DOIs waiting for your approval…</Loading>;
  } else if (claims.isError) {
    body = (
      <ErrorAlert
        error={claims.error}
        context="Could not load the DOIs waiting for your approval."
        onRetry={() => void claims.refetch()}
        retrying={claims.isFetching}
      />
    );
  } else if (claims.data.data.length === 0) {
    body = (
      <p className="muted">
        Nothing waits for your approval. When Auto-Update finds a new DOI that names you, it appears here.
      </p>
    );
  } else {
    const { meta } = claims.data;
    body = (
      <>
        <p className="muted">{`${dois(meta.total)} waiting for your approval`}</p>
        <div className="form__actions">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => {
              startOver();
              review.mutate(
                { decision: 'approve' },
                {
                  onSuccess: (changed) => {
                    setAnnouncement(`${dois(changed)} will be added to your ORCID record.`);
                  },
                },
              );
            }}
          >
            {review.isPending && review.variables.decision === 'approve' ? 'Adding…' : 'Add all'}
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={busy}
            onClick={() => {
              startOver();
              setConfirmingDismissAll(true);
            }}
          >
            Dismiss all
          </button>
        </div>
        <ul className="session-list">
          {claims.data.data.map((claim) => (
            <ReviewRow
              key={claim.id}
              claim={claim}
              busy={busy}
              approving={approve.isPending && approve.variables === claim.id}
              dismissing={dismiss.isPending && dismiss.variables === claim.id}
              onApprove={() => {
                startOver();
                approve.mutate(claim.id, {
                  onSuccess: () => {
                    setAnnouncement(`${name(claim)} will be added to your ORCID record.`);
                  },
                });
              }}
              onDismiss={() => {
                startOver();
                dismiss.mutate(claim.id, {
                  onSuccess: () => {
                    setAnnouncement(`${name(claim)} was dismissed. Auto-Update will not propose it again.`);
                  },
                });
              }}
            />
          ))}
        </ul>
        <Pagination
          label="Review pages"
          page={meta.page ?? page}
          totalPages={meta.total_pages}
          busy={claims.isFetching}
          onPage={(next) => {
            startOver();
            setPage(next);
          }}
        />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="review-queue-heading">
      <h3 id="review-queue-heading">Waiting for your approval</h3>
      <div role="status" className="status-line">
        {announcement}
      </div>
      {approve.isError && <ErrorAlert error={approve.error} context="Could not add the DOI to your ORCID record." />}
      {dismiss.isError && <ErrorAlert error={dismiss.error} context="Could not dismiss the DOI." />}
      {review.isError && !confirmingDismissAll && <ErrorAlert error={review.error} context="Nothing was changed." />}
      {body}
      {confirmingDismissAll && claims.data && (
        <ConfirmDialog
          title="Dismiss all?"
          confirmLabel="Dismiss all"
          destructive
          busy={review.isPending}
          error={review.isError ? <ErrorAlert error={review.error} context="Nothing was changed." /> : null}
          onConfirm={() => {
            review.mutate(
              { decision: 'dismiss' },
              {
                onSuccess: (changed) => {
                  setConfirmingDismissAll(false);
                  setAnnouncement(`${dois(changed)} dismissed. Auto-Update will not propose them again.`);
                },
              },
            );
          }}
          onCancel={() => {
            setConfirmingDismissAll(false);
            review.reset();
          }}
        >
          <p>
            {`The ${dois(claims.data.meta.total)} waiting for your approval will not be added to your ORCID record, and Auto-Update will not propose them again. You can still add any of them yourself with Search & Link.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface ReviewRowProps {
  claim: Claim;
  busy: boolean;
  approving: boolean;
  dismissing: boolean;
  onApprove: () => void;
  onDismiss: () => void;
}

function ReviewRow({ claim, busy, approving, dismissing, onApprove, onDismiss }: ReviewRowProps) {
  const titleId = useId();
  return (
    <li className="session">
      <div className="session__what">
        <strong id={titleId}>{claim.title ?? claim.doi}</strong>
        <span className="session__agent">
          <a href={claim.doi_url}>{claim.doi}</a>
        </span>
        <p className="claim__error muted">
          {`Auto-Update found it on ${formatDate(claim.created_at)}: DataCite's record of this DOI names you.`}
        </p>
      </div>
      <div className="form__actions">
        <button type="button" className="button" aria-describedby={titleId} disabled={busy} onClick={onApprove}>
          {approving ? 'Adding…' : 'Add to ORCID record'}
        </button>
        <button
          type="button"
          className="button button--secondary"
          aria-describedby={titleId}
          disabled={busy}
          onClick={onDismiss}
        >
          {dismissing ? 'Dismissing…' : 'Dismiss'}
        </button>
      </div>
    </li>
  );
}
