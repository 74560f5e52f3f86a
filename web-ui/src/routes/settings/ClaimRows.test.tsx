import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { CLAIM_POLL_MS } from '../../lib/claims';
import { accepted, mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost } from '../../test/flows';
import { claim, claimList, signedInHandlers, work, workList } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// What a claim's row says and offers on the Search & Link page and the list of claims: its live
// state, its reason, the action that helps, and notices that go once they are stale.

type ClaimState = components['schemas']['ClaimState'];
type WorkClaim = components['schemas']['WorkClaim'];

const REFUSED = {
  code: 'orcid_rejected',
  message: 'ORCID refused the request (HTTP 400): The client application sent a bad request to ORCID.',
};
/** REFUSED as its person reads it: in plain words, without ORCID's status line (staff see that). */
const REFUSED_WORDS = 'ORCID refused this work: The client application sent a bad request to ORCID.';
const NOT_ENABLED = {
  code: 'permission_not_granted',
  message: 'ORCID Search & Link is not enabled for this ORCID record; the work goes out once it is.',
};
/** What the API leaves as a dismissed claim's skip reason. */
const DISMISSED = 'Dismissed: you chose not to add it.';
const AUTO_NOT_ENABLED = {
  code: 'permission_not_granted',
  message: 'ORCID Auto-Update is not enabled for this ORCID record; the work goes out once it is.',
};

const region = (name: string) => screen.findByRole('region', { name });

async function row(regionName: string, text: string): Promise<HTMLElement> {
  const item = (await within(await region(regionName)).findByText(text)).closest('li');
  if (!item) throw new Error(`No list item holds ${text}`);
  return item;
}

/** The region's live region, empty (and hidden) most of the time. */
async function statusOf(regionName: string): Promise<HTMLElement> {
  return within(await region(regionName)).getByRole('status', { hidden: true });
}

const workClaim = (state: ClaimState, more: Partial<WorkClaim> = {}): WorkClaim => ({
  id: 'c-1',
  state,
  action: 'create',
  source: 'search_and_link',
  ...more,
});

/** Lets the fake clock run `ms` and the fetches it starts settle. */
const elapse = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('Search & Link: each DOI row shows its claim as it is', () => {
  it('shows a failed claim with its error in red and Try again, which retries it and follows the claim', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: ClaimState = 'failed';
    const glacier = () => work({ title: 'Glacier melt', claim: workClaim(state) });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([glacier()]),
      'GET /api/v1/claims/{id}': ({ params }) =>
        claim({ id: params.id ?? '', state, claimed_at: null, error: state === 'failed' ? REFUSED : null }),
      'POST /api/v1/claims/{id}/retry': ({ params }) => {
        state = 'waiting';
        return accepted(claim({ id: params.id ?? '', doi: '10.5555/k4s2-v7q8', state, error: null }));
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const failed = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(within(failed).getByText('Failed')).toHaveClass('pill', 'pill--danger');
    expect(await within(failed).findByText(REFUSED_WORDS)).toHaveClass('text-danger');
    expect(api.callsTo('GET', '/api/v1/claims/c-1')).toHaveLength(1);
    expect(within(failed).queryByRole('button', { name: 'Add to ORCID record' })).not.toBeInTheDocument();
    expect(within(failed).queryByRole('button', { name: /^Enable/ })).not.toBeInTheDocument();
    await expectNoAxeViolations();

    await user.click(within(failed).getByRole('button', { name: 'Try again' }));
    expect(api.callsTo('POST', '/api/v1/claims/c-1/retry')).toHaveLength(1);
    const queued = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(queued).findByText('Queued')).toHaveClass('pill', 'pill--info');
    expect(queued).not.toHaveTextContent(REFUSED_WORDS);
    expect(within(queued).queryByRole('button')).not.toBeInTheDocument();
    expect(await statusOf('Your DOIs in DataCite')).toHaveTextContent('10.5555/k4s2-v7q8 is queued again.');

    // Polled while queued: once it is in the record the notice has said its piece.
    state = 'done';
    await elapse(CLAIM_POLL_MS);
    expect(await within(queued).findByText('In your ORCID record')).toHaveClass('pill--success');
    expect(await statusOf('Your DOIs in DataCite')).toBeEmptyDOMElement();
  });

  it('shows waiting for permission as a neutral state with the grant its source needs, not Try again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () =>
        workList([
          work({ doi: '10.5555/a', title: 'Held for Search & Link', claim: workClaim('waiting_for_permission') }),
          work({
            doi: '10.5555/b',
            title: 'Held for Auto-Update',
            claim: workClaim('waiting_for_permission', { id: 'c-2', source: 'auto_update' }),
          }),
        ]),
      'GET /api/v1/claims/{id}': ({ params }) =>
        params.id === 'c-2'
          ? claim({ id: 'c-2', source: 'auto_update', state: 'waiting_for_permission', error: AUTO_NOT_ENABLED })
          : claim({ id: 'c-1', state: 'waiting_for_permission', error: NOT_ENABLED }),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const linked = await row('Your DOIs in DataCite', 'Held for Search & Link');
    expect(within(linked).getByText('Waiting for your permission')).toHaveClass('pill', 'pill--neutral');
    const reason = await within(linked).findByText(NOT_ENABLED.message);
    expect(reason).toHaveClass('muted');
    expect(reason).not.toHaveClass('text-danger');
    expectFlowPost(within(linked).getByRole('button', { name: 'Enable Search & Link' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims/search?granted=search_and_link',
    });
    expect(within(linked).getByRole('button', { name: 'Enable Search & Link' })).toHaveAccessibleDescription(
      'Held for Search & Link',
    );
    expect(within(linked).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();

    const auto = await row('Your DOIs in DataCite', 'Held for Auto-Update');
    expect(await within(auto).findByText(AUTO_NOT_ENABLED.message)).toHaveClass('muted');
    expectFlowPost(within(auto).getByRole('button', { name: 'Enable Auto-Update' }), '/auth/orcid/grant', {
      kind: 'auto_update',
      return_to: '/settings/claims/search?granted=auto_update',
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(document.querySelector('.text-danger')).toBeNull();
    await expectNoAxeViolations();
  });

  it('asks for a claim only when its row has something to explain', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () =>
        workList([
          work({ doi: '10.5555/a', title: 'A done work', claim: workClaim('done', { id: 'c-done' }) }),
          work({ doi: '10.5555/b', title: 'A queued work', claim: workClaim('waiting', { id: 'c-queued' }) }),
          work({ doi: '10.5555/c', title: 'A skipped work', claim: workClaim('ignored', { id: 'c-skip' }) }),
          work({
            doi: '10.5555/d',
            title: 'A removed work',
            claim: workClaim('deleted', { id: 'c-gone', action: 'delete' }),
          }),
        ]),
      'GET /api/v1/claims/{id}': ({ params }) =>
        claim({ id: params.id ?? '', state: 'ignored', skip_reason: 'A version of another DOI.' }),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const skipped = await row('Your DOIs in DataCite', 'A skipped work');
    expect(await within(skipped).findByText('Skipped: A version of another DOI.')).toHaveClass('muted');
    expect(within(skipped).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    // A removed claim is as good as none here: the DOI can be added again.
    const removed = await row('Your DOIs in DataCite', 'A removed work');
    expect(within(removed).getByRole('button', { name: 'Add to ORCID record' })).toBeInTheDocument();
    // A done one too: DataCite may no longer name the person (`no_longer_named`).
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/claims/')).map((c) => c.path).sort()).toEqual([
      '/api/v1/claims/c-done',
      '/api/v1/claims/c-skip',
    ]);
  });

  it('does not show a reason fetched for another state than the row shows', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: workClaim('failed') })]),
      // Already queued again elsewhere: its error belongs to the past.
      'GET /api/v1/claims/{id}': () => claim({ id: 'c-1', state: 'waiting', error: REFUSED }),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(within(glacier).getByText('Failed')).toBeInTheDocument();
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(glacier).not.toHaveTextContent(REFUSED_WORDS);
    expect(within(glacier).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('Search & Link: a failed claim can be dismissed', () => {
  it('dismisses a failed claim from its row, which then reads Dismissed with Add again', async () => {
    let state: ClaimState = 'failed';
    const detail = () =>
      claim({
        id: 'c-1',
        doi: '10.5555/k4s2-v7q8',
        state,
        claimed_at: null,
        put_code: null,
        error: state === 'failed' ? REFUSED : null,
        skip_reason: state === 'ignored' ? DISMISSED : null,
      });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: workClaim(state) })]),
      'GET /api/v1/claims/{id}': () => detail(),
      'POST /api/v1/claims/{id}/dismiss': () => {
        state = 'ignored';
        return detail();
      },
      'POST /api/v1/claims': () => {
        state = 'waiting';
        return accepted(detail());
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const failed = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(failed).findByText(REFUSED_WORDS)).toHaveClass('text-danger');
    expect(within(failed).getAllByRole('button').map((b) => b.textContent)).toEqual(['Try again', 'Dismiss']);

    await user.click(within(failed).getByRole('button', { name: 'Dismiss' }));
    expect(api.callsTo('POST', '/api/v1/claims/c-1/dismiss')).toHaveLength(1);
    const dismissed = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(dismissed).findByText('Dismissed')).toHaveClass('pill', 'pill--neutral');
    expect(within(dismissed).getByText('You chose not to add it to your ORCID record.')).toHaveClass('muted');
    expect(dismissed).not.toHaveTextContent('Skipped');
    expect(within(dismissed).getAllByRole('button').map((b) => b.textContent)).toEqual(['Add again']);
    expect(await statusOf('Your DOIs in DataCite')).toHaveTextContent(
      '10.5555/k4s2-v7q8 was dismissed. You can add it again at any time.',
    );
    expect(document.querySelector('.text-danger')).toBeNull();
    await expectNoAxeViolations();

    await user.click(within(dismissed).getByRole('button', { name: 'Add again' }));
    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([
      { doi: '10.5555/k4s2-v7q8', source: 'search_and_link' },
    ]);
    expect(await within(await row('Your DOIs in DataCite', 'Glacier melt')).findByText('Queued')).toHaveClass(
      'pill--info',
    );
    expect(await statusOf('Your DOIs in DataCite')).toHaveTextContent('10.5555/k4s2-v7q8 is queued again.');
  });

  it('says neither Skipped nor Dismissed, and offers nothing, until it knows which', async () => {
    let answer: (body: ReturnType<typeof claim>) => void = () => undefined;
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: workClaim('ignored') })]),
      'GET /api/v1/claims/{id}': () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(glacier).not.toHaveTextContent('Skipped');
    expect(within(glacier).queryByRole('button')).not.toBeInTheDocument();
    act(() => {
      answer(claim({ id: 'c-1', state: 'ignored', skip_reason: DISMISSED }));
    });
    expect(await within(glacier).findByText('Dismissed')).toBeInTheDocument();
    expect(glacier).not.toHaveTextContent('Skipped');
    expect(within(glacier).getByRole('button', { name: 'Add again' })).toBeInTheDocument();
  });
});

describe('Search & Link: notices go once they are stale', () => {
  it('drops "queued for your ORCID record" once the claim has failed, and shows why instead', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let current: WorkClaim | null = null;
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: current })]),
      'POST /api/v1/claims': ({ body }) => {
        current = workClaim('waiting');
        return accepted(claim({ id: 'c-1', doi: (body as { doi: string }).doi, state: 'waiting', claimed_at: null }));
      },
      'GET /api/v1/claims/{id}': () => claim({ id: 'c-1', state: 'failed', error: REFUSED }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt');
    await user.click(within(glacier).getByRole('button', { name: 'Add to ORCID record' }));
    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([{ doi: '10.5555/k4s2-v7q8' }]);
    expect(await statusOf('Your DOIs in DataCite')).toHaveTextContent(
      '10.5555/k4s2-v7q8 is queued for your ORCID record.',
    );
    expect(await within(glacier).findByText('Queued')).toBeInTheDocument();

    current = workClaim('failed');
    await elapse(CLAIM_POLL_MS);
    expect(await within(glacier).findByText(REFUSED_WORDS)).toBeInTheDocument();
    expect(within(glacier).getByText('Failed')).toHaveClass('pill--danger');
    expect(await statusOf('Your DOIs in DataCite')).toBeEmptyDOMElement();
    // Settled: no more polling.
    const fetches = api.callsTo('GET', '/api/v1/works').length;
    await elapse(CLAIM_POLL_MS * 3);
    expect(api.callsTo('GET', '/api/v1/works')).toHaveLength(fetches);
  });

  it('keeps the notice while the claim waits for permission, and drops it on a new search', async () => {
    let current: WorkClaim | null = null;
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: current })]),
      'POST /api/v1/claims': () => {
        current = workClaim('waiting_for_permission');
        return accepted(
          claim({ id: 'c-1', doi: '10.5555/k4s2-v7q8', state: 'waiting_for_permission', error: NOT_ENABLED }),
        );
      },
      'GET /api/v1/claims/{id}': () => claim({ id: 'c-1', state: 'waiting_for_permission', error: NOT_ENABLED }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    await user.click(
      within(await row('Your DOIs in DataCite', 'Glacier melt')).getByRole('button', { name: 'Add to ORCID record' }),
    );
    const notice = '10.5555/k4s2-v7q8 will be added to your ORCID record once you enable Search & Link.';
    expect(await statusOf('Your DOIs in DataCite')).toHaveTextContent(notice);
    const glacier = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(glacier).findByText('Waiting for your permission')).toBeInTheDocument();
    expect(await within(glacier).findByText(NOT_ENABLED.message)).toBeInTheDocument();

    await user.type(screen.getByRole('searchbox', { name: 'Search DataCite' }), 'glacier');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await statusOf('Your DOIs in DataCite')).toBeEmptyDOMElement();
    // The row still says where the claim stands.
    const after = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(after).findByText('Waiting for your permission')).toBeInTheDocument();
  });
});

describe('the list of claims: the action that helps', () => {
  it('shows waiting for permission as neutral, with Enable for its permission and no Try again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () =>
        claimList([
          claim({ id: 'a', title: 'Held A', state: 'waiting_for_permission', claimed_at: null, error: NOT_ENABLED }),
          claim({
            id: 'b',
            doi: '10.5555/b',
            title: 'Held B',
            source: 'auto_update',
            state: 'waiting_for_permission',
            claimed_at: null,
            error: AUTO_NOT_ENABLED,
          }),
        ]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/list' });

    const a = await row('Your claims', 'Held A');
    expect(within(a).getByText('Waiting for your permission')).toHaveClass('pill', 'pill--neutral');
    expect(within(a).getByText(NOT_ENABLED.message)).toHaveClass('muted');
    expect(within(a).getByText(NOT_ENABLED.message)).not.toHaveClass('text-danger');
    expectFlowPost(within(a).getByRole('button', { name: 'Enable Search & Link' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims/list?granted=search_and_link',
    });
    expect(within(a).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();

    const b = await row('Your claims', 'Held B');
    expectFlowPost(within(b).getByRole('button', { name: 'Enable Auto-Update' }), '/auth/orcid/grant', {
      kind: 'auto_update',
      return_to: '/settings/claims/list?granted=auto_update',
    });
    expect(within(b).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(document.querySelector('.text-danger')).toBeNull();
    await expectNoAxeViolations();
  });

  it('offers Add again for a removed claim, posting its DOI and source', async () => {
    const removed = claim({
      id: 'c-gone',
      doi: '10.5555/gone',
      title: 'Removed work',
      source: 'auto_update',
      action: 'delete',
      state: 'deleted',
      put_code: null,
    });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([removed]),
      'POST /api/v1/claims': () => accepted({ ...removed, action: 'create', state: 'waiting' }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const gone = await row('Your claims', 'Removed work');
    expect(within(gone).getByText('Removed')).toHaveClass('pill', 'pill--neutral');
    expect(within(gone).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(within(gone).queryByRole('button', { name: 'Remove from ORCID record' })).not.toBeInTheDocument();
    await expectNoAxeViolations();

    api.set('GET /api/v1/claims', () => claimList([{ ...removed, action: 'create', state: 'waiting' }]));
    await user.click(within(gone).getByRole('button', { name: 'Add again' }));

    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([
      { doi: '10.5555/gone', source: 'auto_update' },
    ]);
    expect(await statusOf('Your claims')).toHaveTextContent('10.5555/gone is queued again.');
    expect(await within(await row('Your claims', 'Removed work')).findByText('Queued')).toHaveClass('pill');
  });

  it('offers Dismiss beside Try again for a failed claim; dismissed, it reads Dismissed with Add again', async () => {
    let state: ClaimState = 'failed';
    const refused = () =>
      claim({
        id: 'f',
        doi: '10.5555/f',
        title: 'Refused',
        source: 'auto_update',
        state,
        claimed_at: null,
        put_code: null,
        error: state === 'failed' ? REFUSED : null,
        skip_reason: state === 'ignored' ? DISMISSED : null,
      });
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([refused()]),
      'POST /api/v1/claims/{id}/dismiss': () => {
        state = 'ignored';
        return refused();
      },
      'POST /api/v1/claims': () => {
        state = 'waiting';
        return accepted(refused());
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    const failed = await row('Your claims', 'Refused');
    expect(within(failed).getByText(REFUSED_WORDS)).toHaveClass('text-danger');
    expect(within(failed).getAllByRole('button').map((b) => b.textContent)).toEqual(['Try again', 'Dismiss']);
    expect(within(failed).getByRole('button', { name: 'Dismiss' })).toHaveAccessibleDescription('Refused');
    expect(within(failed).getByRole('button', { name: 'Dismiss' })).toHaveClass('button--secondary');
    await expectNoAxeViolations();

    // No confirmation: nothing is asked of ORCID, and it can be added again.
    await user.click(within(failed).getByRole('button', { name: 'Dismiss' }));
    expect(api.callsTo('POST', '/api/v1/claims/f/dismiss')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const dismissed = await row('Your claims', 'Refused');
    expect(await within(dismissed).findByText('Dismissed')).toHaveClass('pill', 'pill--neutral');
    expect(within(dismissed).getByText('You chose not to add it to your ORCID record.')).toHaveClass('muted');
    expect(dismissed).not.toHaveTextContent(REFUSED_WORDS);
    expect(dismissed).not.toHaveTextContent('Skipped');
    expect(within(dismissed).getAllByRole('button').map((b) => b.textContent)).toEqual(['Add again']);
    expect(await statusOf('Your claims')).toHaveTextContent('10.5555/f was dismissed. You can add it again at any time.');
    expect(document.querySelector('.text-danger')).toBeNull();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/claims/f/retry')).toHaveLength(0);
    await expectNoAxeViolations();

    // Add again: the same DOI and source, queued afresh; the dismissal's notice gives way.
    await user.click(within(dismissed).getByRole('button', { name: 'Add again' }));
    expect(api.callsTo('POST', '/api/v1/claims').map((c) => c.body)).toEqual([
      { doi: '10.5555/f', source: 'auto_update' },
    ]);
    expect(await within(await row('Your claims', 'Refused')).findByText('Queued')).toHaveClass('pill--info');
    expect(await statusOf('Your claims')).toHaveTextContent('10.5555/f is queued again.');
  });

  it('offers a failed removal only Try again: the work is still in the record', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () =>
        claimList([claim({ id: 'r', title: 'Stuck removal', action: 'delete', state: 'failed', error: REFUSED })]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/list' });

    const stuck = await row('Your claims', 'Stuck removal');
    expect(within(stuck).getAllByRole('button').map((b) => b.textContent)).toEqual(['Try again']);
  });

  it('says so when the dismissal is refused (409), and the row stays as it was', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () =>
        claimList([claim({ id: 'f', title: 'Refused', state: 'failed', claimed_at: null, error: REFUSED })]),
      'POST /api/v1/claims/{id}/dismiss': () =>
        problem(409, 'claim_not_ignorable', 'The claim is waiting; only a failed claim can be dismissed.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    await user.click(within(await row('Your claims', 'Refused')).getByRole('button', { name: 'Dismiss' }));
    expect(await within(await region('Your claims')).findByRole('alert')).toHaveTextContent(
      'Could not dismiss the claim. The claim is waiting; only a failed claim can be dismissed.',
    );
    expect(await statusOf('Your claims')).toBeEmptyDOMElement();
    const still = await row('Your claims', 'Refused');
    expect(within(still).getByText('Failed')).toBeInTheDocument();
    expect(within(still).getByRole('button', { name: 'Dismiss' })).toBeEnabled();
  });

  it('drops "queued again" once the claim has moved on, and on another filter', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: ClaimState = 'failed';
    const refused = () =>
      claim({
        id: 'f',
        doi: '10.5555/f',
        title: 'Refused',
        state,
        claimed_at: null,
        error: state === 'failed' ? REFUSED : null,
      });
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([refused()]),
      'POST /api/v1/claims/{id}/retry': () => {
        state = 'waiting';
        return accepted(refused());
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    await user.click(within(await row('Your claims', 'Refused')).getByRole('button', { name: 'Try again' }));
    expect(await statusOf('Your claims')).toHaveTextContent('10.5555/f is queued again.');

    state = 'failed';
    await elapse(CLAIM_POLL_MS);
    const again = await row('Your claims', 'Refused');
    expect(await within(again).findByText(REFUSED_WORDS)).toBeInTheDocument();
    expect(await statusOf('Your claims')).toBeEmptyDOMElement();

    await user.click(within(again).getByRole('button', { name: 'Try again' }));
    expect(await statusOf('Your claims')).toHaveTextContent('10.5555/f is queued again.');
    await user.selectOptions(within(await region('Your claims')).getByRole('combobox', { name: 'Show' }), 'Queued');
    expect(await statusOf('Your claims')).toBeEmptyDOMElement();
  });

  it('says so when the grant started from a row was refused at ORCID', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims/list?error=access_denied' });

    expect(await screen.findByRole('alert')).toHaveTextContent('Access was not granted at the provider');
  });
});

describe('a claim’s error in plain words, for its person', () => {
  const UNAVAILABLE = { code: 'orcid_unavailable', message: 'ORCID is unavailable: HTTP 500: Something went wrong in ORCID.' };

  it('on the list: ORCID did not answer, said without ORCID’s status line, while queued and once failed', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () =>
        claimList([
          claim({ id: 'q', title: 'Queued again', state: 'waiting', claimed_at: null, error: UNAVAILABLE }),
          claim({
            id: 'f',
            title: 'Given up',
            state: 'failed',
            claimed_at: null,
            error: { ...UNAVAILABLE, message: `${UNAVAILABLE.message} (gave up after 12 attempts)` },
          }),
          claim({ id: 'r', title: 'Refused', state: 'failed', claimed_at: null, error: REFUSED }),
        ]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/list' });

    const queued = await row('Your claims', 'Queued again');
    expect(within(queued).getByText('ORCID did not answer. We will try again on our own.')).toHaveClass('muted');
    const failed = await row('Your claims', 'Given up');
    expect(within(failed).getByText('ORCID did not answer. Try again later.')).toHaveClass('text-danger');
    expect(within(await row('Your claims', 'Refused')).getByText(REFUSED_WORDS)).toHaveClass('text-danger');
    const list = await region('Your claims');
    expect(list).not.toHaveTextContent(/HTTP|\b[45]00\b/);
    await expectNoAxeViolations();
  });

  it('on the Search & Link page too, once the claim has failed', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/works': () => workList([work({ title: 'Glacier melt', claim: workClaim('failed') })]),
      'GET /api/v1/claims/{id}': () => claim({ id: 'c-1', state: 'failed', claimed_at: null, error: UNAVAILABLE }),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const glacier = await row('Your DOIs in DataCite', 'Glacier melt');
    expect(await within(glacier).findByText('ORCID did not answer. Try again later.')).toHaveClass('text-danger');
    expect(glacier).not.toHaveTextContent(/HTTP/);
  });
});
