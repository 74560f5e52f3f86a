import { describe, expect, it } from 'vitest';
import { claimNotice, dismissedNotice, noticeHolds, queuedNotice } from '.';

const claim = { id: 'c-1', doi: '10.5555/x', state: 'waiting', action: 'create', source: 'search_and_link' } as const;

describe('claim notices', () => {
  it('says where an addition was left', () => {
    expect(queuedNotice(claim).text).toBe('10.5555/x is queued for your ORCID record.');
    expect(queuedNotice(claim, true).text).toBe('10.5555/x is queued again.');
    expect(queuedNotice({ ...claim, state: 'waiting_for_permission' }).text).toBe(
      '10.5555/x will be added to your ORCID record once you enable Search & Link.',
    );
    expect(queuedNotice({ ...claim, state: 'waiting_for_permission', source: 'auto_update' }, true).text).toBe(
      '10.5555/x will be added to your ORCID record once you enable Auto-Update.',
    );
    expect(queuedNotice({ ...claim, state: 'done' }).text).toBe('10.5555/x is in your ORCID record.');
  });

  it('says a failed claim was dismissed, for as long as it stays so', () => {
    const dismissed = { ...claim, state: 'ignored' } as const;
    const notice = dismissedNotice(dismissed);
    expect(notice.text).toBe('10.5555/x was dismissed. You can add it again at any time.');
    expect(noticeHolds(notice, dismissed)).toBe(true);
    // Added again: queued, so the notice has said its piece.
    expect(noticeHolds(notice, { ...dismissed, state: 'waiting' })).toBe(false);
  });

  it('holds only while the claim is as the action left it', () => {
    const notice = claimNotice(claim, 'queued');
    expect(noticeHolds(notice, claim)).toBe(true);
    expect(noticeHolds(notice, { ...claim, state: 'working' })).toBe(false);
    expect(noticeHolds(notice, { ...claim, state: 'failed' })).toBe(false);
    expect(noticeHolds(notice, { ...claim, action: 'delete' })).toBe(false);
    expect(noticeHolds(notice, { ...claim, id: 'c-2' })).toBe(false);
    // No longer shown (another search, filter or page).
    expect(noticeHolds(notice, undefined)).toBe(false);
    expect(noticeHolds(notice, null)).toBe(false);
  });
});
