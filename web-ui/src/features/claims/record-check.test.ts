import { describe, expect, it } from 'vitest';
import { recordCheckSummary } from './record-check';

const report = (counts: Partial<Parameters<typeof recordCheckSummary>[0]> = {}) => ({
  checked_at: '2025-03-01T10:00:00Z',
  works_in_record: 12,
  removed_in_orcid: 0,
  already_in_record: 0,
  adopted: 0,
  ...counts,
});

describe('recordCheckSummary: what checking the ORCID record found, in sentences', () => {
  it('counts the works in the record and says what changed', () => {
    expect(recordCheckSummary(report({ removed_in_orcid: 1, already_in_record: 1 }))).toBe(
      'Your ORCID record holds 12 works. 1 you removed on orcid.org is marked so; 1 already there from another source was not added twice.',
    );
    expect(recordCheckSummary(report({ works_in_record: 1, removed_in_orcid: 2, already_in_record: 3, adopted: 2 }))).toBe(
      'Your ORCID record holds 1 work. 2 you removed on orcid.org are marked so; 3 already there from other sources were not added twice; 2 that Profiles had added before were found there.',
    );
    expect(recordCheckSummary(report({ adopted: 1 }))).toBe(
      'Your ORCID record holds 12 works. 1 that Profiles had added before was found there.',
    );
  });

  it('says so when nothing needed changing, or the record is empty', () => {
    expect(recordCheckSummary(report())).toBe('Your ORCID record holds 12 works. Your claims match it: nothing needed changing.');
    expect(recordCheckSummary(report({ works_in_record: 0 }))).toBe(
      'Your ORCID record holds no works. Your claims match it: nothing needed changing.',
    );
  });
});
