import type { ReactNode } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { claimCountLines } from '../../../lib/claims';
import { formatDate } from '../../../lib/format';
import { useClaimStats } from '../api/get-claim-stats';

/**
 * Claim counts per source and state, and the last DOI written to the ORCID record. `moreInfo` (the
 * link to the full list) is shown whether or not the counts load.
 */
export function ClaimSummary({ moreInfo }: { moreInfo?: ReactNode }) {
  const stats = useClaimStats();

  let body;
  if (stats.isPending) {
    body = <Loading>Loading your claim counts…</Loading>;
  } else if (stats.isError) {
    body = (
      <ErrorAlert
        error={stats.error}
        context="Could not load your claim counts."
        onRetry={() => void stats.refetch()}
        retrying={stats.isFetching}
      />
    );
  } else {
    const { sources, last_claimed: last } = stats.data;
    body = (
      <>
        <div className="permission-grid">
          {sources.map((source) => (
            <section key={source.source} className="card" aria-labelledby={`claim-source-${source.source}`}>
              <h4 id={`claim-source-${source.source}`}>{source.label}</h4>
              <p>
                <strong>{source.total === 1 ? '1 claim' : `${source.total} claims`}</strong>
              </p>
              <ul className="plain-list">
                {claimCountLines(source.states).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </section>
          ))}
        </div>
        <p className="claim-summary__last">
          {last ? (
            <>
              Last added: <a href={last.doi_url}>{last.doi}</a>
              {last.title ? ` (${last.title})` : ''} on{' '}
              <time dateTime={last.claimed_at}>{formatDate(last.claimed_at)}</time>.
            </>
          ) : (
            'Nothing has been added to your ORCID record yet.'
          )}
        </p>
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="claim-stats-heading">
      <h3 id="claim-stats-heading">Claim summary</h3>
      {body}
      {moreInfo}
    </section>
  );
}
