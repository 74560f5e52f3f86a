import type { Claim, ClaimState } from './api/get-claims';

export { SOURCE_LABELS } from '../../lib/claim-sources';

export const STATE_OPTIONS: { state: ClaimState; label: string }[] = [
  { state: 'done', label: 'In your ORCID record' },
  { state: 'waiting', label: 'Queued' },
  { state: 'working', label: 'In progress' },
  { state: 'waiting_for_permission', label: 'Waiting for permission' },
  { state: 'failed', label: 'Failed' },
  { state: 'ignored', label: 'Skipped' },
  { state: 'deleted', label: 'Removed' },
];

const TONES: Record<ClaimState, string> = {
  done: 'success',
  waiting: 'info',
  working: 'info',
  waiting_for_permission: 'warning',
  failed: 'danger',
  ignored: 'neutral',
  deleted: 'neutral',
};

/** The words and pill tone for a claim's state, telling a queued removal from a queued addition. */
export function claimPill(claim: Pick<Claim, 'state' | 'action'>): { label: string; tone: string } {
  if (claim.action === 'delete' && (claim.state === 'waiting' || claim.state === 'working')) {
    return { label: 'Being removed', tone: 'info' };
  }
  const label = STATE_OPTIONS.find((o) => o.state === claim.state)?.label ?? claim.state;
  return { label, tone: TONES[claim.state] };
}

/** Retry is offered (and accepted by the API) only in these states. */
export const RETRYABLE: readonly ClaimState[] = ['failed', 'ignored', 'waiting_for_permission'];
