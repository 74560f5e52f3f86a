import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import { CLAIM_POLL_MS } from '../../lib/claims';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost } from '../../test/flows';
import {
  claim,
  claimList,
  claimStates,
  claimStats,
  permission,
  signedInHandlers,
  work,
  workList,
} from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

const region = (name: string) => screen.findByRole('region', { name });

/** Lets the fake clock run `ms` and the fetches it starts settle. */
const elapse = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('ORCID claims overview', () => {
  it('keeps the permission boxes and the counts, and links to the search page and the full list', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/claims/stats': () =>
        claimStats({
          total: 3,
          states: claimStates({ done: 3 }),
          sources: [
            { source: 'search_and_link', label: 'ORCID Search & Link', total: 2, states: claimStates({ done: 2 }) },
            { source: 'auto_update', label: 'ORCID Auto-Update', total: 1, states: claimStates({ done: 1 }) },
          ],
        }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });

    expect(await screen.findByRole('heading', { level: 2, name: 'ORCID claims' })).toBeInTheDocument();
    const searchAndLink = await region('Search & Link');
    expect(within(searchAndLink).getByRole('link', { name: 'Find works' })).toHaveAttribute(
      'href',
      '/settings/claims/search',
    );
    expect(await region('Auto-Update')).toBeInTheDocument();
    expect(await region('ORCID Search & Link')).toHaveTextContent('2 claims');
    expect(await region('ORCID Auto-Update')).toHaveTextContent('1 claim');
    const moreInfo = within(await region('Claim summary')).getByRole('link', { name: 'More info' });
    expect(moreInfo).toHaveAttribute('href', '/settings/claims/list');
    // The lists have their own pages now.
    expect(screen.queryByRole('region', { name: 'Your DOIs in DataCite' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Your claims' })).not.toBeInTheDocument();
    await expectNoAxeViolations();

    await user.click(moreInfo);
    expect(await screen.findByRole('heading', { level: 2, name: 'All claims' })).toBeInTheDocument();
    // Still in the ORCID claims section of the side menu: the list is the page shown, under it.
    const menu = screen.getByRole('navigation', { name: 'Settings' });
    expect(within(menu).getByRole('link', { name: 'All claims' })).toHaveAttribute('aria-current', 'page');
    expect(within(menu).getByRole('link', { name: 'ORCID claims' })).not.toHaveAttribute('aria-current');
    expect(within(menu).getByRole('link', { name: 'ORCID claims' })).toHaveClass('is-open');
    expect(document.title).toBe('All claims · ORCID claims · Profiles');
  });

  it('says in plain words that Search & Link or Auto-Update is not enabled, with the button to enable it', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'revoked', revoked_at: '2025-02-10T10:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await region('Search & Link');
    expect(searchAndLink).toHaveTextContent('Search & Link is not enabled yet. Works you add wait until you enable it.');
    expectFlowPost(within(searchAndLink).getByRole('button', { name: 'Enable Search & Link' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims?granted=search_and_link',
    });
    expect(await region('Auto-Update')).toHaveTextContent(
      'Auto-Update is disabled. DataCite is not adding works to your ORCID record automatically.',
    );
    // Not enabled is a choice, not a fault: no alert.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Search & Link page', () => {
  it('renders at /settings/claims/search with the DOIs, a search box and a way back', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update'),
      ],
      'GET /api/v1/works': () => workList([work(), work({ doi: '10.5555/x'.padEnd(120, 'x'), title: 'Long' })]),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/search' });

    expect(await screen.findByRole('heading', { level: 2, name: 'Search & Link' })).toBeInTheDocument();
    const dois = await region('Your DOIs in DataCite');
    expect(within(dois).getByRole('searchbox', { name: 'Search DataCite' })).toBeInTheDocument();
    expect(await within(dois).findAllByRole('button', { name: 'Add to ORCID record' })).toHaveLength(2);
    // Search & Link is enabled: nothing to warn about.
    expect(screen.queryByText(/Enable Search & Link/)).not.toBeInTheDocument();
    expect(document.title).toBe('Search & Link · ORCID claims · Profiles');
    await expectNoAxeViolations();

    await user.click(screen.getByRole('link', { name: 'Back to ORCID claims' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'ORCID claims' })).toBeInTheDocument();
  });

  it('says above the search that ORCID no longer accepts Search & Link, with a button to enable it again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'invalid', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update', { status: 'active' }),
      ],
      'GET /api/v1/works': () => workList([work()]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      "ORCID no longer accepts DataCite's access for Search & Link: it was probably revoked on orcid.org.",
    );
    expectFlowPost(within(alert).getByRole('button', { name: 'Enable Search & Link again' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims/search?granted=search_and_link',
    });
    // Above the search, where it is read first.
    const search = await screen.findByRole('searchbox', { name: 'Search DataCite' });
    expect(alert.compareDocumentPosition(search) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await expectNoAxeViolations();
  });

  it('says when Search & Link was never enabled, without an alert', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    expect(await screen.findByText('Search & Link is not enabled yet. Works you add wait until you enable it.')).toBeInTheDocument();
    expectFlowPost(screen.getByRole('button', { name: 'Enable Search & Link' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims/search?granted=search_and_link',
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('full claims list page', () => {
  it('renders at /settings/claims/list and filters by source', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': ({ url }) => {
        const source = url.searchParams.get('source');
        return claimList([
          claim({
            id: source ?? 'all',
            title: `${source ?? 'all'} claim`,
            source: source === 'auto_update' ? 'auto_update' : 'search_and_link',
          }),
        ]);
      },
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims/list' });

    expect(await screen.findByRole('heading', { level: 2, name: 'All claims' })).toBeInTheDocument();
    const claims = await region('Your claims');
    expect(await within(claims).findByText('all claim')).toBeInTheDocument();
    await expectNoAxeViolations();

    await user.selectOptions(within(claims).getByRole('combobox', { name: 'Source' }), 'ORCID Auto-Update');
    expect(await within(claims).findByText('auto_update claim')).toBeInTheDocument();
    await user.selectOptions(within(claims).getByRole('combobox', { name: 'Show' }), 'Failed');
    // By value: user-event compares option labels by innerHTML, where & is &amp;.
    await user.selectOptions(within(claims).getByRole('combobox', { name: 'Source' }), 'search_and_link');
    expect(await within(claims).findByText('search_and_link claim')).toBeInTheDocument();

    expect(
      api.callsTo('GET', '/api/v1/claims').map((c) => {
        const params = new URLSearchParams(c.search);
        return [params.get('source'), params.get('state')];
      }),
    ).toEqual([
      [null, null],
      ['auto_update', null],
      ['auto_update', 'failed'],
      ['search_and_link', 'failed'],
    ]);
  });
});

describe('a claim in progress polls until it settles', () => {
  it('refetches the claims list every 2 s while a claim is in progress, and stops once it is done', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: 'waiting' | 'working' | 'done' = 'waiting';
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/claims': () => claimList([claim({ id: 'c-1', title: 'River flow', state, claimed_at: null })]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/list' });

    const claims = await region('Your claims');
    const pill = { selector: '.pill' };
    expect(await within(claims).findByText('Queued', pill)).toBeInTheDocument();
    const fetches = () => api.callsTo('GET', '/api/v1/claims').length;
    expect(fetches()).toBe(1);

    state = 'working';
    await elapse(CLAIM_POLL_MS);
    expect(fetches()).toBe(2);
    expect(await within(claims).findByText('In progress', pill)).toBeInTheDocument();

    state = 'done';
    await elapse(CLAIM_POLL_MS);
    expect(fetches()).toBe(3);
    expect(await within(claims).findByText('In your ORCID record', pill)).toHaveClass('pill--success');

    // Settled: no more requests.
    await elapse(CLAIM_POLL_MS * 5);
    expect(fetches()).toBe(3);
  });

  it('refetches the DOIs on the search page until the claim added settles', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: 'waiting' | 'done' = 'waiting';
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/works': () =>
        workList([
          work({
            title: 'Glacier melt',
            in_orcid_record: true,
            claim: { id: 'c-1', state, action: 'create', source: 'search_and_link' },
          }),
        ]),
    });
    renderWithProviders(<App />, { route: '/settings/claims/search' });

    const dois = await region('Your DOIs in DataCite');
    expect(await within(dois).findByText('Queued')).toBeInTheDocument();
    state = 'done';
    await elapse(CLAIM_POLL_MS);
    expect(await within(dois).findByText('In your ORCID record')).toBeInTheDocument();
    const settledAt = api.callsTo('GET', '/api/v1/works').length;
    expect(settledAt).toBe(2);
    await elapse(CLAIM_POLL_MS * 5);
    expect(api.callsTo('GET', '/api/v1/works')).toHaveLength(settledAt);
  });

  it('refetches the counts while claims are queued', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let queued = 1;
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/claims/stats': () =>
        claimStats({
          total: 1,
          states: claimStates({ waiting: queued, done: 1 - queued }),
          sources: [
            {
              source: 'search_and_link',
              label: 'ORCID Search & Link',
              total: 1,
              states: claimStates({ waiting: queued, done: 1 - queued }),
            },
            { source: 'auto_update', label: 'ORCID Auto-Update', total: 0, states: claimStates() },
          ],
        }),
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await region('ORCID Search & Link');
    expect(await within(searchAndLink).findByText('1 queued')).toBeInTheDocument();
    queued = 0;
    await elapse(CLAIM_POLL_MS);
    expect(await within(searchAndLink).findByText('1 in your record')).toBeInTheDocument();
    await elapse(CLAIM_POLL_MS * 5);
    expect(api.callsTo('GET', '/api/v1/accounts/me/claims/stats')).toHaveLength(2);
  });
});
