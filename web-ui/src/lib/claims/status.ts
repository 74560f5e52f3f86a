import { claimErrorText } from './errors';
import { claimPill, SOURCE_PERMISSION_TITLES, type ClaimPill } from './labels';
import { canDismiss, canRemove, canRetry, isDismissed } from './rules';
import type { Claim, ClaimSource } from './types';

/**
 * The one thing that helps a claim along, as its person is offered it:
 *   retry     "Try again": `POST /api/v1/claims/{id}/retry` (failed, or skipped)
 *   enable    "Enable Search & Link" / "Enable Auto-Update": the grant the claim waits for, a form
 *             post to `/auth/orcid/grant` (`grantForm(permission, …)`); the claim goes out by itself
 *   add_again "Add again": `POST /api/v1/claims` with the same DOI and source (removed, dismissed)
 *   remove    "Remove from ORCID record": `DELETE /api/v1/claims/{id}` (in the record)
 *   dismiss   "Dismiss": `POST /api/v1/claims/{id}/dismiss`, sets a failed addition aside (offered
 *             beside "Try again", never alone)
 */
export type ClaimRemedy =
  | { kind: 'retry'; label: 'Try again' }
  | { kind: 'dismiss'; label: 'Dismiss' }
  | { kind: 'enable'; label: string; permission: ClaimSource }
  | { kind: 'add_again'; label: 'Add again' }
  | { kind: 'remove'; label: 'Remove from ORCID record' };

/** Why a claim is where it is: an error in red, or a plain explanation (waiting, skipped). */
export interface ClaimReason {
  text: string;
  tone: 'danger' | 'muted';
}

/**
 * A claim's row, for its person: the pill, the reason under it, the action that helps, and the
 * other way out it offers beside it (only "Dismiss", for a failed addition).
 */
export interface ClaimStatus {
  pill: ClaimPill;
  reason: ClaimReason | null;
  remedy: ClaimRemedy | null;
  secondary: ClaimRemedy | null;
}

/** A dismissed claim, in words that blame nobody: the person chose it. */
export const DISMISSED_PILL: ClaimPill = { label: 'Dismissed', tone: 'neutral' };
export const DISMISSED_REASON: ClaimReason = { text: 'You chose not to add it to your ORCID record.', tone: 'muted' };

/**
 * What `claimStatus` reads. A work's claim (`GET /api/v1/works`) has no `error` or `skip_reason`:
 * then there is no reason to show, the rest is the same.
 */
export type ClaimStatusInput = Pick<Claim, 'state' | 'action' | 'source'> &
  Partial<Pick<Claim, 'error' | 'skip_reason'>>;

/**
 * Where a claim stands for its person, by state (its error always in plain words, `claimErrorText`):
 *   waiting, working          Queued / In progress (or "Being removed"); the last attempt's error,
 *                             if any: it is retried on its own
 *   waiting_for_permission    neutral, why it waits, and "Enable <the permission of its source>"
 *   failed                    the error in red, and "Try again"; an addition also "Dismiss"
 *   ignored, dismissed        neutral "Dismissed", and "Add again" (like a removed claim)
 *   ignored                   "Skipped: <reason>", and "Try again"; already in the record from
 *                             another source: "In your ORCID record" with the reason, nothing to do
 *   done                      "Remove from ORCID record" (for an addition); with `no_longer_named`,
 *                             a neutral note that DataCite no longer names them
 *   deleted                   "Add again"
 *   removed_in_orcid          "You removed this from your ORCID record on …", and "Add again"
 *   pending_review            "Waiting for your approval"
 */
export function claimStatus(claim: ClaimStatusInput): ClaimStatus {
  const pill = claimPill(claim, 'person');
  // In plain words, keyed on the error's code: never the provider's status line (staff see that).
  const message = claimErrorText(claim);
  const only = (reason: ClaimReason | null, remedy: ClaimRemedy | null): ClaimStatus => ({
    pill,
    reason,
    remedy,
    secondary: null,
  });
  switch (claim.state) {
    case 'waiting':
    case 'working':
      return only(message ? { text: message, tone: 'muted' } : null, null);
    case 'waiting_for_permission': {
      const title = SOURCE_PERMISSION_TITLES[claim.source];
      return only(message ? { text: message, tone: 'muted' } : null, {
        kind: 'enable',
        label: `Enable ${title}`,
        permission: claim.source,
      });
    }
    case 'failed':
      return {
        pill,
        reason: message ? { text: message, tone: 'danger' } : null,
        remedy: retryRemedy(claim),
        secondary: canDismiss(claim) ? { kind: 'dismiss', label: 'Dismiss' } : null,
      };
    case 'ignored': {
      if (isDismissed(claim)) {
        return { pill: DISMISSED_PILL, reason: DISMISSED_REASON, remedy: ADD_AGAIN, secondary: null };
      }
      const skipped = claim.skip_reason;
      // Already there from another source: trying again would only be skipped again.
      if (isAlreadyInRecord(claim)) {
        return {
          pill: ALREADY_IN_RECORD_PILL,
          reason: skipped ? { text: skipped, tone: 'muted' } : null,
          remedy: null,
          secondary: null,
        };
      }
      return only(skipped ? { text: `${pill.label}: ${skipped}`, tone: 'muted' } : null, retryRemedy(claim));
    }
    case 'done': {
      const remove: ClaimRemedy | null = canRemove(claim) ? { kind: 'remove', label: 'Remove from ORCID record' } : null;
      // Not a failure: DataCite no longer names the person; the work stays until they remove it.
      if (claim.error?.code === NO_LONGER_NAMED) return only({ text: NO_LONGER_NAMED_TEXT, tone: 'muted' }, remove);
      return only(null, remove);
    }
    case 'deleted':
      return only(null, ADD_AGAIN);
    case 'removed_in_orcid':
      return only(
        { text: claim.skip_reason ?? 'You removed this from your ORCID record.', tone: 'muted' },
        ADD_AGAIN,
      );
    case 'pending_review':
      return only(null, null);
  }
}

/** The error code of a done claim whose DOI's DataCite record no longer names its person. */
export const NO_LONGER_NAMED = 'no_longer_named';
export const NO_LONGER_NAMED_TEXT =
  "DataCite's record of this DOI no longer names you. It stays in your ORCID record until you remove it.";

/** How a skip reason begins when the work was in the record already, added by another source. */
export const ALREADY_IN_RECORD_PREFIX = 'Already in your ORCID record (added by';

/** An `ignored` claim skipped because the record holds the work already, from another source. */
export const isAlreadyInRecord = (claim: Pick<Claim, 'state'> & Partial<Pick<Claim, 'skip_reason'>>): boolean =>
  claim.state === 'ignored' && (claim.skip_reason?.startsWith(ALREADY_IN_RECORD_PREFIX) ?? false);

/** Such a claim reads like one that is in the record (it is, by another source). */
export const ALREADY_IN_RECORD_PILL: ClaimPill = { label: 'In your ORCID record', tone: 'success' };

const ADD_AGAIN: ClaimRemedy = { kind: 'add_again', label: 'Add again' };

const retryRemedy = (claim: ClaimStatusInput): ClaimRemedy | null =>
  canRetry(claim.state) ? { kind: 'retry', label: 'Try again' } : null;
