import { describe, expect, it } from 'vitest';
import { canDismiss, canIgnore, canRemove, canRequeue, canRetry, countStates, IN_PROGRESS_STATES, isInProgress, type ClaimState } from '.';

const ALL: ClaimState[] = ['waiting', 'working', 'waiting_for_permission', 'done', 'failed', 'ignored', 'deleted'];
const where = (rule: (state: ClaimState) => boolean) => ALL.filter(rule);

describe('claim rules', () => {
  it('counts queued and running claims as in progress', () => {
    expect(where(isInProgress)).toEqual(['waiting', 'working']);
    expect(countStates({ waiting: 2, working: 1, done: 5 }, IN_PROGRESS_STATES)).toBe(3);
    expect(countStates({}, IN_PROGRESS_STATES)).toBe(0);
  });

  it('lets the person retry what failed or was skipped, not what waits for permission (granting it helps)', () => {
    expect(where(canRetry)).toEqual(['failed', 'ignored']);
  });

  it('lets the person remove only a work that was added to the record', () => {
    expect(canRemove({ state: 'done', action: 'create' })).toBe(true);
    expect(canRemove({ state: 'done', action: 'delete' })).toBe(false);
    expect(canRemove({ state: 'failed', action: 'create' })).toBe(false);
  });

  it('lets the person dismiss only an addition that failed', () => {
    expect(ALL.filter((state) => canDismiss({ state, action: 'create' }))).toEqual(['failed']);
    expect(canDismiss({ state: 'failed', action: 'delete' })).toBe(false);
  });

  it('lets staff requeue anything not in progress, and ignore what has not settled', () => {
    expect(where(canRequeue)).toEqual(['waiting_for_permission', 'done', 'failed', 'ignored', 'deleted']);
    expect(where(canIgnore)).toEqual(['waiting', 'waiting_for_permission', 'failed']);
  });
});
