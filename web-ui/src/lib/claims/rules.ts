import type { Claim, ClaimState, ClaimStateCounts } from './types';

/**
 * Queued or being written to ORCID: the claim will change on its own soon. Lists showing one poll
 * (`polling.ts`), and the person's summary counts both as "queued".
 */
export const IN_PROGRESS_STATES: readonly ClaimState[] = ['waiting', 'working'];

export const isInProgress = (state: ClaimState): boolean => IN_PROGRESS_STATES.includes(state);

/** How many claims in `counts` are in one of `states`. */
export function countStates(counts: ClaimStateCounts, states: readonly ClaimState[]): number {
  return states.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

/**
 * The person is offered "Try again" (`POST /claims/{id}/retry`) only in these states. The API also
 * accepts a retry while a claim waits for permission, but the claim only waits again: what helps
 * there is granting the permission (`claimStatus` offers that instead).
 */
export const RETRYABLE_STATES: readonly ClaimState[] = ['failed', 'ignored'];

export const canRetry = (state: ClaimState): boolean => RETRYABLE_STATES.includes(state);

/** The person may remove a work from the ORCID record once it was added there, and not twice. */
export const canRemove = (claim: Pick<Claim, 'state' | 'action'>): boolean =>
  claim.state === 'done' && claim.action === 'create';

/**
 * A person may dismiss (`POST /api/v1/claims/{id}/dismiss`) a work that failed to be added: it is
 * set aside as `ignored` without asking anything of ORCID. The API dismisses any failed claim, but
 * a failed removal is offered only "Try again": the work is still in the record, and a row saying
 * "Dismissed" would hide that.
 */
export const canDismiss = (claim: Pick<Claim, 'state' | 'action'>): boolean =>
  claim.state === 'failed' && claim.action === 'create';

/**
 * What a dismissal leaves as the claim's `skip_reason` begins with ("Dismissed: you chose not to
 * add it."): how a claim the person dismissed is told from one Auto-Update skipped (both `ignored`).
 */
export const DISMISSED_PREFIX = 'Dismissed';

/** An `ignored` claim its person dismissed. A works-list claim (no `skip_reason`) is never known to be. */
export const isDismissed = (claim: Pick<Claim, 'state'> & Partial<Pick<Claim, 'skip_reason'>>): boolean =>
  claim.state === 'ignored' && (claim.skip_reason?.startsWith(DISMISSED_PREFIX) ?? false);

/** Staff re-queueing is refused while a worker holds the claim, and pointless while it is queued. */
export const canRequeue = (state: ClaimState): boolean => !isInProgress(state);

/** Staff can mark ignored (the API accepts it) only claims that are waiting, waiting for permission or failed. */
export const IGNORABLE_STATES: readonly ClaimState[] = ['waiting', 'waiting_for_permission', 'failed'];

export const canIgnore = (state: ClaimState): boolean => IGNORABLE_STATES.includes(state);
