import type { ReactNode } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { claimStatus, type Claim } from '../../../lib/claims';
import { formatDate } from '../../../lib/format';
import { useClaims } from '../api/get-claims';
import { ClaimReasonText } from './ClaimRemedy';

interface AutoUpdateWorksProps {
  /** Where every claim is, shown when there are more than this page holds. */
  allClaims: ReactNode;
}

/**
 * The works Auto-Update is adding to the person's ORCID record, newest first (`GET /api/v1/claims?
 * source=auto_update`), each with its state in words: after a grant from an ORCID inbox request,
 * the works it named go from "Queued" to "In your ORCID record" within seconds, so the list is
 * asked for again every two seconds while one of them is queued or in progress (`pollClaims`),
 * and no more once none is. What helps a claim that failed is on the list of all claims.
 */
export function AutoUpdateWorks({ allClaims }: AutoUpdateWorksProps) {
  const claims = useClaims({ source: 'auto_update', page: 1 });

  let body;
  if (claims.isPending) {
    body = <Loading>Loading your works…</Loading>;
  } else if (claims.isError) {
    body = (
      <ErrorAlert
        error={claims.error}
        context="Could not load the works Auto-Update is adding."
        onRetry={() => void claims.refetch()}
        retrying={claims.isFetching}
      />
    );
  } else if (claims.data.data.length === 0) {
    body = (
      <p className="muted">
        Nothing yet: Profiles is looking for the DOIs that name you, and they will appear here and in your claims.
      </p>
    );
  } else {
    const { data, meta } = claims.data;
    body = (
      <>
        <ul className="session-list" aria-label="Works from Auto-Update">
          {data.map((claim) => (
            <WorkRow key={claim.id} claim={claim} />
          ))}
        </ul>
        {meta.total > data.length && (
          <p className="muted">
            The latest {data.length} of {meta.total}. {allClaims}
          </p>
        )}
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="auto-update-works-heading">
      <h3 id="auto-update-works-heading">Works from Auto-Update</h3>
      {body}
    </section>
  );
}

function WorkRow({ claim }: { claim: Claim }) {
  const { pill, reason } = claimStatus(claim);
  return (
    <li className="session">
      <div className="session__what">
        <strong>{claim.title ?? claim.doi}</strong>
        <span className={`pill pill--${pill.tone}`}>{pill.label}</span>
        <span className="session__agent">
          <a href={claim.doi_url}>{claim.doi}</a>
          {claim.claimed_at ? (
            <>
              {' '}
              · added on <time dateTime={claim.claimed_at}>{formatDate(claim.claimed_at)}</time>
            </>
          ) : null}
        </span>
        <ClaimReasonText reason={reason} />
      </div>
    </li>
  );
}
