import { describe, expect, it } from 'vitest';
import { claimStatus, type ClaimState, type ClaimStatusInput } from '.';

const REFUSED = { code: 'orcid_rejected', message: 'ORCID refused the request (HTTP 400): bad request.' };
const NOT_ENABLED = {
  code: 'permission_not_granted',
  message: 'ORCID Search & Link is not enabled for this ORCID record; the work goes out once it is.',
};

const status = (state: ClaimState, more: Partial<ClaimStatusInput> = {}) =>
  claimStatus({ state, action: 'create', source: 'search_and_link', ...more });

describe('claimStatus: what a claim row says and offers its person', () => {
  it('maps every state of an addition to a pill, a reason and one remedy', () => {
    const states = ['waiting', 'working', 'waiting_for_permission', 'failed', 'ignored', 'done', 'deleted'] as const;
    const rows = states.map((state) => {
      const { pill, remedy } = status(state);
      return [state, pill.label, pill.tone, remedy?.label ?? null];
    });
    expect(rows).toEqual([
      ['waiting', 'Queued', 'info', null],
      ['working', 'In progress', 'info', null],
      ['waiting_for_permission', 'Waiting for your permission', 'neutral', 'Enable Search & Link'],
      ['failed', 'Failed', 'danger', 'Try again'],
      ['ignored', 'Skipped', 'neutral', 'Try again'],
      ['done', 'In your ORCID record', 'success', 'Remove from ORCID record'],
      ['deleted', 'Removed', 'neutral', 'Add again'],
    ]);
  });

  it('shows a failure with its error in red and Try again', () => {
    expect(status('failed', { error: REFUSED })).toEqual({
      pill: { label: 'Failed', tone: 'danger' },
      reason: { text: REFUSED.message, tone: 'danger' },
      remedy: { kind: 'retry', label: 'Try again' },
    });
    // A works-list claim carries no error: the state and the remedy all the same.
    expect(status('failed').reason).toBeNull();
  });

  it('shows waiting for permission as neutral, the reason in grey, and the grant its source needs', () => {
    expect(status('waiting_for_permission', { error: NOT_ENABLED })).toEqual({
      pill: { label: 'Waiting for your permission', tone: 'neutral' },
      reason: { text: NOT_ENABLED.message, tone: 'muted' },
      remedy: { kind: 'enable', label: 'Enable Search & Link', permission: 'search_and_link' },
    });
    expect(status('waiting_for_permission', { source: 'auto_update' }).remedy).toEqual({
      kind: 'enable',
      label: 'Enable Auto-Update',
      permission: 'auto_update',
    });
  });

  it('never offers Try again while a claim waits for permission or is on its way', () => {
    for (const state of ['waiting_for_permission', 'waiting', 'working'] as const) {
      expect(status(state, { error: REFUSED }).remedy?.kind).not.toBe('retry');
    }
  });

  it('explains a claim queued again after a failed attempt, in grey: it is retried on its own', () => {
    const unavailable = { code: 'orcid_unavailable', message: 'ORCID is unavailable: 503' };
    expect(status('waiting', { error: unavailable })).toEqual({
      pill: { label: 'Queued', tone: 'info' },
      reason: { text: unavailable.message, tone: 'muted' },
      remedy: null,
    });
  });

  it('gives a skipped claim its reason and Try again', () => {
    expect(status('ignored', { skip_reason: 'A version of another DOI.' })).toMatchObject({
      reason: { text: 'Skipped: A version of another DOI.', tone: 'muted' },
      remedy: { kind: 'retry' },
    });
  });

  it('follows a removal: being removed, removed with Add again, a failed removal with Try again', () => {
    const removal = (state: ClaimState) => status(state, { action: 'delete', error: REFUSED });
    expect(removal('waiting')).toMatchObject({ pill: { label: 'Being removed' }, remedy: null });
    expect(removal('deleted')).toEqual({
      pill: { label: 'Removed', tone: 'neutral' },
      reason: null,
      remedy: { kind: 'add_again', label: 'Add again' },
    });
    expect(removal('failed')).toMatchObject({ reason: { tone: 'danger' }, remedy: { kind: 'retry' } });
    // A removal that is done (not a state the API ends in, but never "Remove" twice).
    expect(removal('done').remedy).toBeNull();
  });
});
