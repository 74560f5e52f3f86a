import { describe, expect, it } from 'vitest';
import { activityEntry } from '../../test/fixtures';
import { activityReasonText, activityWords, doiUrl, isActivityAction, nextActivityPage } from '.';

const words = (overrides: Parameters<typeof activityEntry>[0]) => activityWords(activityEntry(overrides));

describe('activityWords: an entry of the activity log, for its person', () => {
  it('says what happened in the record, in a sentence', () => {
    expect(words({ action: 'added' })).toEqual({ title: 'Added to your ORCID record', detail: null, tone: 'success' });
    expect(words({ action: 'updated', reason: 'auto_update' }).title).toBe('Updated in your ORCID record');
    expect(words({ action: 'adopted', reason: 'reconcile' })).toMatchObject({
      title: 'Found in your ORCID record already',
      detail: 'Profiles had added it before: it was taken over, not added twice.',
    });
    expect(words({ action: 'removed', reason: 'person' }).title).toBe('Removed from your ORCID record');
  });

  it('tells a work removed on orcid.org, found by checking the record, from one Profiles removed', () => {
    expect(words({ action: 'removed', reason: 'reconcile' })).toEqual({
      title: 'Removed on orcid.org — Profiles will not add it again',
      detail: 'You can add it again from your list of claims.',
      tone: 'neutral',
    });
    // A DataCite update of that DOI afterwards: left out, as the person chose.
    expect(
      words({
        action: 'skipped',
        reason: 'auto_update',
        error_code: 'orcid_work_removed',
        orcid_status: 404,
        message: 'ORCID no longer has this work: it was removed on orcid.org, so Profiles did not add it again.',
      }).title,
    ).toBe('Not added again — you removed it on orcid.org');
  });

  it('says why a work was not added, in the reasons the server writes for people', () => {
    expect(words({ action: 'skipped', reason: 'reconcile', message: 'Already in your ORCID record (added by Josiah Carberry).' })).toEqual({
      title: 'Not added twice',
      detail: 'Already in your ORCID record (added by Josiah Carberry).',
      tone: 'neutral',
    });
    expect(words({ action: 'skipped', reason: 'person', message: 'Dismissed: you chose not to add it.' })).toMatchObject({
      title: 'Dismissed',
      detail: 'You chose not to add it to your ORCID record.',
    });
    expect(words({ action: 'skipped', reason: 'admin', message: 'Duplicate of 10.5555/other.' })).toMatchObject({
      title: 'Set aside by an administrator',
      detail: 'Duplicate of 10.5555/other.',
    });
    expect(words({ action: 'skipped', reason: 'auto_update', message: 'Not a dataset.' })).toMatchObject({
      title: 'Not added to your ORCID record',
      detail: 'Not a dataset.',
    });
  });

  it('gives a failure in plain words by its code, never ORCID’s status line', () => {
    const refused = words({
      action: 'failed',
      error_code: 'orcid_rejected',
      orcid_status: 400,
      message: 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
    });
    expect(refused).toEqual({
      title: 'Failed',
      detail: 'ORCID refused this work: The client application sent a bad request to ORCID.',
      tone: 'danger',
    });
    // Tried again on its own afterwards: said so, and not in red.
    const retried = words({
      action: 'failed',
      error_code: 'orcid_unavailable',
      orcid_status: 500,
      message: 'ORCID is unavailable: HTTP 500: Internal Server Error Will try again at 2025-03-01 10:05 UTC.',
    });
    expect(retried).toEqual({ title: 'Failed', detail: 'ORCID did not answer. We will try again on our own.', tone: 'warning' });
    const gaveUp = words({
      action: 'failed',
      error_code: 'orcid_unavailable',
      message: 'ORCID is unavailable: HTTP 500: Internal Server Error Gave up.',
    });
    expect(gaveUp.detail).toBe('ORCID did not answer. Try again later.');
    for (const entry of [refused, retried, gaveUp]) expect(`${entry.title} ${entry.detail ?? ''}`).not.toMatch(/HTTP|500|400/);
  });

  it('names why it happened', () => {
    expect(
      (['search_and_link', 'auto_update', 'back_fill', 'reconcile', 'admin', 'person'] as const).map(activityReasonText),
    ).toEqual(['Search & Link', 'Auto-Update', 'Auto-Update, for your earlier DOIs', 'Checking your ORCID record', 'An administrator', 'You']);
    expect(activityReasonText('something_new')).toBe('something new');
  });
});

describe('the activity list', () => {
  it('reads the next page’s cursor from links.next', () => {
    expect(nextActivityPage({ links: { next: '/api/v1/accounts/me/activity?page%5Bsize%5D=25&page%5Bbefore%5D=42' } })).toBe(42);
    expect(nextActivityPage({ links: { next: '/api/v1/accounts/me/activity?page[size]=25&action=failed&page[before]=7' } })).toBe(7);
    expect(nextActivityPage({ links: { next: null } })).toBeUndefined();
    expect(nextActivityPage({ links: {} })).toBeUndefined();
    expect(nextActivityPage({ links: { next: '/api/v1/accounts/me/activity?page[before]=x' } })).toBeUndefined();
  });

  it('knows the actions, and links a DOI to its resolver', () => {
    expect(isActivityAction('removed')).toBe(true);
    expect(isActivityAction('deleted')).toBe(false);
    expect(doiUrl('10.5555/k4s2-v7q8')).toBe('https://doi.org/10.5555/k4s2-v7q8');
    expect(doiUrl('10.5555/a b#c')).toBe('https://doi.org/10.5555/a%20b%23c');
  });
});
