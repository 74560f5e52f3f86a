import { describe, expect, it } from 'vitest';
import { claimStatus, isDismissed, type ClaimState, type ClaimStatusInput } from '.';

const REFUSED = { code: 'orcid_rejected', message: 'ORCID refused the request (HTTP 400): bad request.' };
/** REFUSED, as its person reads it: in plain words, without the status line. */
const REFUSED_PLAIN = 'ORCID refused this work: bad request.';
const NOT_ENABLED = {
  code: 'permission_not_granted',
  message: 'ORCID Search & Link is not enabled for this ORCID record; the work goes out once it is.',
};

const status = (state: ClaimState, more: Partial<ClaimStatusInput> = {}) =>
  claimStatus({ state, action: 'create', source: 'search_and_link', ...more });

describe('claimStatus: what a claim row says and offers its person', () => {
  it('maps every state of an addition to a pill, a reason, one remedy and, if failed, Dismiss beside it', () => {
    const states = ['waiting', 'working', 'waiting_for_permission', 'failed', 'ignored', 'done', 'deleted'] as const;
    const rows = states.map((state) => {
      const { pill, remedy, secondary } = status(state);
      return [state, pill.label, pill.tone, remedy?.label ?? null, secondary?.label ?? null];
    });
    expect(rows).toEqual([
      ['waiting', 'Queued', 'info', null, null],
      ['working', 'In progress', 'info', null, null],
      ['waiting_for_permission', 'Waiting for your permission', 'neutral', 'Enable Search & Link', null],
      ['failed', 'Failed', 'danger', 'Try again', 'Dismiss'],
      ['ignored', 'Skipped', 'neutral', 'Try again', null],
      ['done', 'In your ORCID record', 'success', 'Remove from ORCID record', null],
      ['deleted', 'Removed', 'neutral', 'Add again', null],
    ]);
  });

  it('shows a failure with its error in plain words in red, Try again, and Dismiss beside it', () => {
    expect(status('failed', { error: REFUSED })).toEqual({
      pill: { label: 'Failed', tone: 'danger' },
      reason: { text: REFUSED_PLAIN, tone: 'danger' },
      remedy: { kind: 'retry', label: 'Try again' },
      secondary: { kind: 'dismiss', label: 'Dismiss' },
    });
    // A works-list claim carries no error: the state and the remedies all the same.
    expect(status('failed')).toMatchObject({ reason: null, remedy: { kind: 'retry' }, secondary: { kind: 'dismiss' } });
  });

  it('shows a dismissed claim in neutral words, with Add again like a removed one and nothing red', () => {
    const dismissed = status('ignored', { skip_reason: 'Dismissed: you chose not to add it.' });
    expect(dismissed).toEqual({
      pill: { label: 'Dismissed', tone: 'neutral' },
      reason: { text: 'You chose not to add it to your ORCID record.', tone: 'muted' },
      remedy: { kind: 'add_again', label: 'Add again' },
      secondary: null,
    });
    expect(status('ignored', { source: 'auto_update', skip_reason: 'Dismissed' }).remedy?.kind).toBe('add_again');
  });

  it('tells a dismissed claim from a skipped one only by its skip reason', () => {
    expect(isDismissed({ state: 'ignored', skip_reason: 'Dismissed: you chose not to add it.' })).toBe(true);
    expect(isDismissed({ state: 'ignored', skip_reason: 'A version of another DOI.' })).toBe(false);
    expect(isDismissed({ state: 'ignored', skip_reason: null })).toBe(false);
    // A works-list claim has no skip reason: not known to be dismissed.
    expect(isDismissed({ state: 'ignored' })).toBe(false);
    // Only an ignored claim is dismissed, whatever its reason says.
    expect(isDismissed({ state: 'failed', skip_reason: 'Dismissed' })).toBe(false);
  });

  it('shows waiting for permission as neutral, the reason in grey, and the grant its source needs', () => {
    expect(status('waiting_for_permission', { error: NOT_ENABLED })).toEqual({
      pill: { label: 'Waiting for your permission', tone: 'neutral' },
      reason: { text: NOT_ENABLED.message, tone: 'muted' },
      remedy: { kind: 'enable', label: 'Enable Search & Link', permission: 'search_and_link' },
      secondary: null,
    });
    expect(status('waiting_for_permission', { source: 'auto_update' }).remedy).toEqual({
      kind: 'enable',
      label: 'Enable Auto-Update',
      permission: 'auto_update',
    });
  });

  it('never offers Try again or Dismiss while a claim waits for permission or is on its way', () => {
    for (const state of ['waiting_for_permission', 'waiting', 'working'] as const) {
      expect(status(state, { error: REFUSED }).remedy?.kind).not.toBe('retry');
      expect(status(state, { error: REFUSED }).secondary).toBeNull();
    }
  });

  it('explains a claim queued again after a failed attempt, in grey: it is retried on its own', () => {
    const unavailable = { code: 'orcid_unavailable', message: 'ORCID is unavailable: HTTP 503: Service Unavailable' };
    expect(status('waiting', { error: unavailable })).toEqual({
      pill: { label: 'Queued', tone: 'info' },
      reason: { text: 'ORCID did not answer. We will try again on our own.', tone: 'muted' },
      remedy: null,
      secondary: null,
    });
  });

  it('gives a skipped claim its reason and Try again', () => {
    expect(status('ignored', { skip_reason: 'A version of another DOI.' })).toMatchObject({
      reason: { text: 'Skipped: A version of another DOI.', tone: 'muted' },
      remedy: { kind: 'retry' },
      secondary: null,
    });
  });

  it('follows a removal: being removed, removed with Add again, a failed removal with Try again', () => {
    const removal = (state: ClaimState) => status(state, { action: 'delete', error: REFUSED });
    expect(removal('waiting')).toMatchObject({ pill: { label: 'Being removed' }, remedy: null });
    expect(removal('deleted')).toEqual({
      pill: { label: 'Removed', tone: 'neutral' },
      reason: null,
      remedy: { kind: 'add_again', label: 'Add again' },
      secondary: null,
    });
    // A failed removal: the work is still in the record, so it is not offered Dismiss.
    expect(removal('failed')).toMatchObject({
      reason: { text: 'ORCID refused to remove this work: bad request.', tone: 'danger' },
      remedy: { kind: 'retry' },
      secondary: null,
    });
    // A removal that is done (not a state the API ends in, but never "Remove" twice).
    expect(removal('done').remedy).toBeNull();
  });
});

describe('claimStatus: in the record already, or no longer named', () => {
  it('offers no "Try again" for a claim skipped because another source added the work already', () => {
    const reason = 'Already in your ORCID record (added by Crossref Metadata Search).';
    expect(status('ignored', { skip_reason: reason })).toEqual({
      pill: { label: 'In your ORCID record', tone: 'success' },
      reason: { text: reason, tone: 'muted' },
      remedy: null,
      secondary: null,
    });
    // Any other skip may still be tried again.
    expect(status('ignored', { skip_reason: 'You excluded software DOIs from Auto-Update.' }).remedy?.label).toBe('Try again');
  });

  it('reads a done claim DataCite no longer names them for as a neutral note, with "Remove from ORCID record"', () => {
    const { pill, reason, remedy } = status('done', { error: { code: 'no_longer_named', message: 'whatever the API said' } });
    expect(pill).toEqual({ label: 'In your ORCID record', tone: 'success' });
    expect(reason).toEqual({
      text: "DataCite's record of this DOI no longer names you. It stays in your ORCID record until you remove it.",
      tone: 'muted',
    });
    expect(remedy).toEqual({ kind: 'remove', label: 'Remove from ORCID record' });
  });
});
