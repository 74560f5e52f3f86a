import { describe, expect, it } from 'vitest';
import { claim, claimList, claimStates, claimStats, work, workList } from '../../test/fixtures';
import { CLAIM_POLL_MS, pollClaims, pollStats, pollWorks } from '.';

const query = <T>(data: T | undefined, error: unknown = null) => ({ state: { data, error } });

describe('claim polling intervals', () => {
  it('polls the claims list while a claim shown is queued or in progress', () => {
    expect(pollClaims(query(claimList([claim({ state: 'done' }), claim({ state: 'working' })])))).toBe(CLAIM_POLL_MS);
    expect(pollClaims(query(claimList([claim({ state: 'waiting', action: 'delete' })])))).toBe(CLAIM_POLL_MS);
    expect(
      pollClaims(query(claimList([claim({ state: 'done' }), claim({ state: 'failed' }), claim({ state: 'waiting_for_permission' })]))),
    ).toBe(false);
    expect(pollClaims(query(undefined))).toBe(false);
  });

  it('stops after a failed fetch, even if the last data had a claim in progress', () => {
    expect(pollClaims(query(claimList([claim({ state: 'working' })]), new Error('401')))).toBe(false);
  });

  it('polls the works list while a work has a claim in progress', () => {
    const claimed = (state: 'waiting' | 'done') =>
      work({ claim: { id: 'c', state, action: 'create', source: 'search_and_link' } });
    expect(pollWorks(query(workList([work(), claimed('waiting')])))).toBe(CLAIM_POLL_MS);
    expect(pollWorks(query(workList([work(), claimed('done')])))).toBe(false);
  });

  it('polls the counts while any claim is queued or in progress', () => {
    expect(pollStats(query(claimStats({ states: claimStates({ working: 1 }) })))).toBe(CLAIM_POLL_MS);
    expect(pollStats(query(claimStats({ states: claimStates({ waiting: 2, done: 4 }) })))).toBe(CLAIM_POLL_MS);
    expect(pollStats(query(claimStats({ states: claimStates({ done: 4, failed: 1 }) })))).toBe(false);
  });
});
