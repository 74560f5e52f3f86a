import { describe, expect, it } from 'vitest';
import {
  claimCountLines,
  claimPill,
  claimStateLabel,
  claimStateOptions,
  claimStateTone,
  SOURCE_LABELS,
  SOURCE_PERMISSION_TITLES,
} from '.';
import { claimStates } from '../../test/fixtures';

describe('claim state words', () => {
  it('speaks to the person about their ORCID record', () => {
    expect(claimStateOptions('person')).toEqual([
      { state: 'done', label: 'In your ORCID record' },
      { state: 'pending_review', label: 'Waiting for your approval' },
      { state: 'waiting', label: 'Queued' },
      { state: 'working', label: 'In progress' },
      { state: 'waiting_for_permission', label: 'Waiting for your permission' },
      { state: 'failed', label: 'Failed' },
      // Dismissed claims are ignored too, so the filter names both.
      { state: 'ignored', label: 'Skipped or dismissed' },
      // Removed by the person on orcid.org: told apart from a removal asked of Profiles.
      { state: 'removed_in_orcid', label: 'Removed on orcid.org' },
      { state: 'deleted', label: 'Removed' },
    ]);
  });

  it('gives administrators the processing state, failed first', () => {
    expect(claimStateOptions('admin')).toEqual([
      { state: 'failed', label: 'Failed' },
      { state: 'waiting_for_permission', label: 'Waiting for permission' },
      { state: 'pending_review', label: 'Pending review' },
      { state: 'waiting', label: 'Queued' },
      { state: 'working', label: 'In progress' },
      { state: 'done', label: 'Done' },
      { state: 'ignored', label: 'Ignored' },
      { state: 'removed_in_orcid', label: 'Removed in ORCID' },
      { state: 'deleted', label: 'Deleted' },
    ]);
    expect(claimStateLabel('ignored', 'admin')).toBe('Ignored');
    expect(claimStateLabel('ignored', 'person')).toBe('Skipped');
  });

  it('uses one tone per state for both audiences', () => {
    expect(claimStateTone('done')).toBe('success');
    expect(claimStateTone('waiting')).toBe('info');
    expect(claimStateTone('working')).toBe('info');
    // Waiting for the person to grant a permission is not a fault.
    expect(claimStateTone('waiting_for_permission')).toBe('neutral');
    expect(claimStateTone('failed')).toBe('danger');
    expect(claimStateTone('ignored')).toBe('neutral');
    expect(claimStateTone('deleted')).toBe('neutral');
  });

  it('names the sources as DataCite does, and the permission each needs as its box is titled', () => {
    expect(SOURCE_LABELS).toEqual({ search_and_link: 'ORCID Search & Link', auto_update: 'ORCID Auto-Update' });
    expect(SOURCE_PERMISSION_TITLES).toEqual({ search_and_link: 'Search & Link', auto_update: 'Auto-Update' });
  });
});

describe('claimPill', () => {
  it('shows the state of an addition as is', () => {
    expect(claimPill({ state: 'done', action: 'create' }, 'person')).toEqual({ label: 'In your ORCID record', tone: 'success' });
    expect(claimPill({ state: 'working', action: 'create' }, 'admin')).toEqual({ label: 'In progress', tone: 'info' });
  });

  it('tells the person a removal under way from an addition', () => {
    expect(claimPill({ state: 'waiting', action: 'delete' }, 'person')).toEqual({ label: 'Being removed', tone: 'info' });
    expect(claimPill({ state: 'working', action: 'delete' }, 'person')).toEqual({ label: 'Being removed', tone: 'info' });
    expect(claimPill({ state: 'deleted', action: 'delete' }, 'person')).toEqual({ label: 'Removed', tone: 'neutral' });
    expect(claimPill({ state: 'failed', action: 'delete' }, 'person')).toEqual({ label: 'Failed', tone: 'danger' });
  });

  it('marks every removal for administrators', () => {
    expect(claimPill({ state: 'waiting', action: 'delete' }, 'admin')).toEqual({ label: 'Queued (removal)', tone: 'info' });
    expect(claimPill({ state: 'failed', action: 'delete' }, 'admin')).toEqual({ label: 'Failed (removal)', tone: 'danger' });
  });
});

describe('claimCountLines', () => {
  it('always has the first four lines, counting waiting and working as queued', () => {
    expect(claimCountLines(claimStates({ done: 3, waiting: 1, working: 2, failed: 1 }))).toEqual([
      '3 in your record',
      '3 queued',
      '0 waiting for permission',
      '1 failed',
    ]);
    expect(claimCountLines({})).toEqual(['0 in your record', '0 queued', '0 waiting for permission', '0 failed']);
  });

  it('adds skipped or dismissed and removed only when there are some', () => {
    expect(claimCountLines(claimStates({ ignored: 1, deleted: 2 }))).toEqual([
      '0 in your record',
      '0 queued',
      '0 waiting for permission',
      '0 failed',
      '1 skipped or dismissed',
      '2 removed',
    ]);
  });

  it('adds the works removed on orcid.org and those waiting for approval only when there are some', () => {
    expect(claimCountLines(claimStates({ done: 2, removed_in_orcid: 1, pending_review: 3 }))).toEqual([
      '2 in your record',
      '0 queued',
      '0 waiting for permission',
      '0 failed',
      '3 waiting for your approval',
      '1 removed on orcid.org',
    ]);
  });
});
