import type { components } from '../../api/schema';
import { claimErrorText } from './errors';
import type { PillTone } from './labels';

/**
 * The activity log of an ORCID record (`GET /api/v1/accounts/me/activity`, staff's
 * `/api/v1/admin/activity`): every change Profiles made, or tried, there. Its person reads each
 * entry in sentences (`activityWords`), its error keyed on the code as a claim's row says it
 * (`claimErrorText`), never ORCID's status line; staff read the action, reason, code and ORCID's
 * status as they are (`ADMIN_ACTIVITY_ACTIONS`, `ADMIN_ACTIVITY_REASONS`).
 */
export type ActivityEntry = components['schemas']['ActivityEntry'];
export type ActivityList = components['schemas']['ActivityList'];

/** What happened in the record, as the API names it. */
export type ActivityAction = 'added' | 'updated' | 'removed' | 'adopted' | 'skipped' | 'failed';

/** Why: the flow that asked for it, or who. */
export type ActivityReason = 'search_and_link' | 'auto_update' | 'back_fill' | 'reconcile' | 'admin' | 'person';

/** The actions in the order a filter offers them, with the words the person reads for each. */
export const ACTIVITY_ACTION_OPTIONS: readonly { action: ActivityAction; label: string }[] = [
  { action: 'added', label: 'Added' },
  { action: 'updated', label: 'Updated' },
  { action: 'removed', label: 'Removed' },
  { action: 'adopted', label: 'Found in your record' },
  { action: 'skipped', label: 'Not added' },
  { action: 'failed', label: 'Failed' },
];

/** Whether `value` is one of the API's actions (a filter's value, an entry's action). */
export function isActivityAction(value: string): value is ActivityAction {
  return ACTIVITY_ACTION_OPTIONS.some((option) => option.action === value);
}

/** Why it happened, for the person: "Search & Link", "Checking your ORCID record", "You". */
const REASON_WORDS: Record<ActivityReason, string> = {
  search_and_link: 'Search & Link',
  auto_update: 'Auto-Update',
  back_fill: 'Auto-Update, for your earlier DOIs',
  reconcile: 'Checking your ORCID record',
  admin: 'An administrator',
  person: 'You',
};

/** The reason of an entry in words; one the web UI does not know yet, as the API writes it. */
export function activityReasonText(reason: string): string {
  return (REASON_WORDS as Partial<Record<string, string>>)[reason] ?? reason.replace(/_/g, ' ');
}

/** The action's and reason's own names, for staff (with the raw code beside them). */
export const ADMIN_ACTIVITY_ACTIONS: Readonly<Record<string, string>> = {
  added: 'Added',
  updated: 'Updated',
  removed: 'Removed',
  adopted: 'Adopted',
  skipped: 'Skipped',
  failed: 'Failed',
};

export const ADMIN_ACTIVITY_REASONS: Readonly<Record<string, string>> = {
  search_and_link: 'Search & Link',
  auto_update: 'Auto-Update',
  back_fill: 'Back-fill',
  reconcile: 'Reconcile',
  admin: 'Administrator',
  person: 'The person',
};

/** An entry as its person reads it: what happened, in a sentence, and a second one if it helps. */
export interface ActivityWords {
  title: string;
  detail: string | null;
  /** `danger` for a failure given up on (its detail in red), `warning` for one tried again. */
  tone: PillTone;
}

/** The code of the entry the worker writes when a DataCite update finds the work removed on orcid.org. */
const WORK_REMOVED_CODE = 'orcid_work_removed';

/** What the worker appends to a failed attempt's message when it will try again on its own. */
const TRIED_AGAIN = 'Will try again at ';

/** `message` if it is a sentence written for people (a rule's or an administrator's reason), else null. */
const plainMessage = (entry: Pick<ActivityEntry, 'message'>) => entry.message?.trim() ?? null;

/**
 * What an entry says to its person, by action and reason:
 *   added, updated    "Added to your ORCID record", "Updated in your ORCID record"
 *   adopted           already there from Profiles: taken over, not added twice
 *   removed           by checking the record: "Removed on orcid.org — Profiles will not add it
 *                     again"; else "Removed from your ORCID record"
 *   skipped           "Not added again — you removed it on orcid.org" (a DataCite update of a work
 *                     removed there), already there from another source ("Already in your ORCID
 *                     record (added by …)"), dismissed by the person, set aside by an
 *                     administrator (their reason) or by a rule (its reason)
 *   failed            its error in plain words by code, as a claim's row says it ("ORCID refused
 *                     this work: …", "ORCID did not answer. We will try again on our own.")
 */
export function activityWords(entry: Pick<ActivityEntry, 'action' | 'reason' | 'error_code' | 'message'>): ActivityWords {
  switch (entry.action) {
    case 'added':
      return { title: 'Added to your ORCID record', detail: null, tone: 'success' };
    case 'updated':
      return {
        title: 'Updated in your ORCID record',
        detail: 'Brought up to date with the DOI’s metadata in DataCite.',
        tone: 'success',
      };
    case 'adopted':
      return {
        title: 'Found in your ORCID record already',
        detail: 'Profiles had added it before: it was taken over, not added twice.',
        tone: 'success',
      };
    case 'removed':
      return entry.reason === 'reconcile'
        ? {
            title: 'Removed on orcid.org — Profiles will not add it again',
            detail: 'You can add it again from your list of claims.',
            tone: 'neutral',
          }
        : { title: 'Removed from your ORCID record', detail: null, tone: 'neutral' };
    case 'skipped':
      return skipped(entry);
    case 'failed':
      return failed(entry);
    default:
      return { title: 'Changed in your ORCID record', detail: null, tone: 'neutral' };
  }
}

function skipped(entry: Pick<ActivityEntry, 'reason' | 'error_code' | 'message'>): ActivityWords {
  if (entry.error_code === WORK_REMOVED_CODE) {
    return {
      title: 'Not added again — you removed it on orcid.org',
      detail: 'DataCite updated this DOI, but Profiles leaves it out of your record as you chose.',
      tone: 'neutral',
    };
  }
  switch (entry.reason) {
    case 'reconcile':
      // "Already in your ORCID record (added by …)."
      return { title: 'Not added twice', detail: plainMessage(entry), tone: 'neutral' };
    case 'person':
      return { title: 'Dismissed', detail: 'You chose not to add it to your ORCID record.', tone: 'neutral' };
    case 'admin':
      return { title: 'Set aside by an administrator', detail: plainMessage(entry), tone: 'neutral' };
    default:
      return { title: 'Not added to your ORCID record', detail: plainMessage(entry), tone: 'neutral' };
  }
}

function failed(entry: Pick<ActivityEntry, 'error_code' | 'message'>): ActivityWords {
  const retried = (entry.message ?? '').includes(TRIED_AGAIN);
  const detail = entry.error_code
    ? claimErrorText({
        state: retried ? 'waiting' : 'failed',
        action: 'create',
        error: { code: entry.error_code, message: entry.message ?? '' },
      })
    : null;
  return { title: 'Failed', detail, tone: retried ? 'warning' : 'danger' };
}

/**
 * The `page[before]` of the next (older) page, from the list's `links.next`
 * (`/api/v1/accounts/me/activity?page[size]=25&page[before]=42`), or undefined on the last page.
 */
export function nextActivityPage(list: Pick<ActivityList, 'links'>): number | undefined {
  const next = list.links.next;
  if (!next) return undefined;
  const before = Number(new URL(next, 'http://profiles.invalid').searchParams.get('page[before]'));
  return Number.isSafeInteger(before) && before > 0 ? before : undefined;
}

/** Where a DOI resolves: an entry carries the bare DOI only. */
export function doiUrl(doi: string): string {
  return `https://doi.org/${doi.split('/').map(encodeURIComponent).join('/')}`;
}
