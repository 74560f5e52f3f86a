import { SOURCE_PERMISSION_TITLES } from './labels';
import type { Claim } from './types';

/**
 * What a page says in its live region after an action on a claim ("… is queued for your ORCID
 * record."). It describes the claim as the action left it, so it holds only while the claim is
 * still in that state (and action): once the row shows something else, the notice is stale and
 * goes, and so it does on a new search, filter or page.
 */
export interface ClaimNotice {
  claimId: string;
  doi: string;
  state: Claim['state'];
  action: Claim['action'];
  text: string;
}

/** The notice for `claim` as an action's answer left it, saying `text`. */
export function claimNotice(claim: Pick<Claim, 'id' | 'doi' | 'state' | 'action'>, text: string): ClaimNotice {
  return { claimId: claim.id, doi: claim.doi, state: claim.state, action: claim.action, text };
}

/**
 * Whether `notice` still describes `current`, the claim as the page last fetched it (`null` or
 * `undefined` when the page no longer shows it).
 */
export function noticeHolds(
  notice: ClaimNotice,
  current: Pick<Claim, 'id' | 'state' | 'action'> | null | undefined,
): boolean {
  return current?.id === notice.claimId && current.state === notice.state && current.action === notice.action;
}

/**
 * What to say once a claim was added (or added again, or tried again): where the answer left it.
 * `again` for "Try again" and "Add again".
 */
export function queuedNotice(
  claim: Pick<Claim, 'id' | 'doi' | 'state' | 'action' | 'source'>,
  again = false,
): ClaimNotice {
  const { doi } = claim;
  let text: string;
  switch (claim.state) {
    case 'waiting_for_permission':
      text = `${doi} will be added to your ORCID record once you enable ${SOURCE_PERMISSION_TITLES[claim.source]}.`;
      break;
    case 'done':
      text = `${doi} is in your ORCID record.`;
      break;
    default:
      text = again ? `${doi} is queued again.` : `${doi} is queued for your ORCID record.`;
  }
  return claimNotice(claim, text);
}

/** What to say once a failed claim was dismissed: it holds while the claim stays dismissed. */
export function dismissedNotice(claim: Pick<Claim, 'id' | 'doi' | 'state' | 'action'>): ClaimNotice {
  return claimNotice(claim, `${claim.doi} was dismissed. You can add it again at any time.`);
}
