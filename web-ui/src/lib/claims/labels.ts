import { countStates, IN_PROGRESS_STATES, isInProgress } from './rules';
import type { Claim, ClaimSource, ClaimState, ClaimStateCounts } from './types';

/**
 * Who reads the words: the person whose claims they are ("In your ORCID record", "Skipped"), or an
 * administrator, who reads the processing state ("Done", "Ignored").
 */
export type ClaimAudience = 'person' | 'admin';

/** The `pill--<tone>` classes in styles.css. */
export type PillTone = 'success' | 'info' | 'warning' | 'danger' | 'neutral';

export interface ClaimPill {
  label: string;
  tone: PillTone;
}

interface StateWords {
  tone: PillTone;
  person: string;
  admin: string;
}

/** Every claim state in words, for each audience, and its pill tone (the same for both). */
const STATES: Record<ClaimState, StateWords> = {
  waiting: { tone: 'info', person: 'Queued', admin: 'Queued' },
  working: { tone: 'info', person: 'In progress', admin: 'In progress' },
  // Not a fault: it waits for the person to grant a permission, which its row offers.
  waiting_for_permission: { tone: 'neutral', person: 'Waiting for your permission', admin: 'Waiting for permission' },
  done: { tone: 'success', person: 'In your ORCID record', admin: 'Done' },
  failed: { tone: 'danger', person: 'Failed', admin: 'Failed' },
  ignored: { tone: 'neutral', person: 'Skipped', admin: 'Ignored' },
  deleted: { tone: 'neutral', person: 'Removed', admin: 'Deleted' },
  // The person removed our work on orcid.org: their choice, never undone on its own.
  removed_in_orcid: { tone: 'neutral', person: 'Removed on orcid.org', admin: 'Removed in ORCID' },
  pending_review: { tone: 'info', person: 'Waiting for your approval', admin: 'Pending review' },
};

/**
 * The order states are offered in (filters, counts): for the person, what is in the record first;
 * for an administrator, failed first, since that is what they look for.
 */
export const CLAIM_STATE_ORDER: Record<ClaimAudience, readonly ClaimState[]> = {
  person: [
    'done',
    'pending_review',
    'waiting',
    'working',
    'waiting_for_permission',
    'failed',
    'ignored',
    'removed_in_orcid',
    'deleted',
  ],
  admin: [
    'failed',
    'waiting_for_permission',
    'pending_review',
    'waiting',
    'working',
    'done',
    'ignored',
    'removed_in_orcid',
    'deleted',
  ],
};

/** A claim state in words, e.g. `ignored` → "Skipped" (person) or "Ignored" (admin). */
export function claimStateLabel(state: ClaimState, audience: ClaimAudience): string {
  return STATES[state][audience];
}

export function claimStateTone(state: ClaimState): PillTone {
  return STATES[state].tone;
}

/**
 * Every state, in the audience's order, with its words: the options of a state filter. For the
 * person, `ignored` is "Skipped or dismissed": the claims they dismissed are `ignored` too.
 */
export function claimStateOptions(audience: ClaimAudience): { state: ClaimState; label: string }[] {
  return CLAIM_STATE_ORDER[audience].map((state) => ({
    state,
    label: audience === 'person' && state === 'ignored' ? 'Skipped or dismissed' : claimStateLabel(state, audience),
  }));
}

/**
 * The words and pill tone for a claim, telling a removal from an addition: the person reads a queued
 * or running removal as "Being removed"; an administrator sees "(removal)" after any state.
 */
export function claimPill(claim: Pick<Claim, 'state' | 'action'>, audience: ClaimAudience): ClaimPill {
  const tone = claimStateTone(claim.state);
  const label = claimStateLabel(claim.state, audience);
  if (claim.action !== 'delete') return { label, tone };
  if (audience === 'admin') return { label: `${label} (removal)`, tone };
  return isInProgress(claim.state) ? { label: 'Being removed', tone } : { label, tone };
}

/** The two ways a claim comes about, as DataCite names them. */
export const SOURCE_LABELS: Record<ClaimSource, string> = {
  search_and_link: 'ORCID Search & Link',
  auto_update: 'ORCID Auto-Update',
};

/** The ORCID permission each source needs, as its box on the ORCID claims page is titled. */
export const SOURCE_PERMISSION_TITLES: Record<ClaimSource, string> = {
  search_and_link: 'Search & Link',
  auto_update: 'Auto-Update',
};

/** The person's claim summary, line by line: the first four always, the rest only when there are any. */
const COUNT_LINES: { words: string; states: readonly ClaimState[]; always: boolean }[] = [
  { words: 'in your record', states: ['done'], always: true },
  { words: 'queued', states: IN_PROGRESS_STATES, always: true },
  { words: 'waiting for permission', states: ['waiting_for_permission'], always: true },
  { words: 'failed', states: ['failed'], always: true },
  { words: 'waiting for your approval', states: ['pending_review'], always: false },
  // Skipped by Auto-Update, or dismissed by the person: the counts do not tell them apart.
  { words: 'skipped or dismissed', states: ['ignored'], always: false },
  { words: 'removed', states: ['deleted'], always: false },
  // The person removed them on orcid.org: not added again unless they add them.
  { words: 'removed on orcid.org', states: ['removed_in_orcid'], always: false },
];

/** "N in your record", "N queued" (waiting or in progress), ..., for one source's counts. */
export function claimCountLines(counts: ClaimStateCounts): string[] {
  return COUNT_LINES.flatMap(({ words, states, always }) => {
    const n = countStates(counts, states);
    return always || n > 0 ? [`${n} ${words}`] : [];
  });
}
