import type { components } from '../../api/schema';
import { countStates, IN_PROGRESS_STATES, isInProgress } from './rules';
import type { ClaimList } from './types';

type WorkList = components['schemas']['WorkList'];
type ClaimStats = components['schemas']['ClaimStats'];

/** How often a list showing a claim in progress asks again, until every claim shown has settled. */
export const CLAIM_POLL_MS = 2_000;

/** What `refetchInterval` is given: the query, with its last data and error. */
interface PolledQuery<T> {
  state: { data: T | undefined; error: unknown };
}

/**
 * A `refetchInterval` that polls every CLAIM_POLL_MS while `busy(data)`, and stops once nothing
 * shown is in progress, or when the last fetch failed (the error is shown with "Try again"; a
 * session that ended must not be asked again every two seconds).
 */
function pollWhile<T>(busy: (data: T) => boolean) {
  return (query: PolledQuery<T>): number | false => {
    const { data, error } = query.state;
    return error == null && data !== undefined && busy(data) ? CLAIM_POLL_MS : false;
  };
}

/** Poll while a claim on this page of claims (the person's, or staff's search) is in progress. */
export const pollClaims = pollWhile<ClaimList>((list) => list.data.some((claim) => isInProgress(claim.state)));

/** Poll while a DOI on this page of works has a claim in progress. */
export const pollWorks = pollWhile<WorkList>((list) =>
  list.data.some((work) => work.claim != null && isInProgress(work.claim.state)),
);

/** Poll while the counts include claims queued or in progress. */
export const pollStats = pollWhile<ClaimStats>((stats) => countStates(stats.states, IN_PROGRESS_STATES) > 0);
