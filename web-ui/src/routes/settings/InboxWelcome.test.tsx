import { act, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import { CLAIM_POLL_MS } from '../../lib/claims';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { claim, claimList, permission, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// "Grant permission" in a permission request in the ORCID inbox: the server stores Auto-Update
// (often for an account it made just then), resumes the claims that waited for it, signs the
// person in and lands them on /settings/claims?granted=auto_update&via=inbox.

const LANDING = '/settings/claims?granted=auto_update&via=inbox';
const WELCOME =
  'Auto-Update is on: the works from the request in your ORCID inbox are being added to your ORCID record now. They are listed below.';
const ENABLED =
  'Auto-Update is enabled: DataCite will now add works to your ORCID record whenever your ORCID iD is in a DOI’s metadata.';

/** A minute ago, when the grant was stored. */
const justNow = () => new Date(Date.now() - 60_000).toISOString();

const granted = () => [
  permission('search_and_link'),
  permission('auto_update', { status: 'active', granted_at: justNow(), scope: '/read-limited /activities/update' }),
];

/** Lets the fake clock run `ms` and the fetches it starts settle. */
const elapse = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

function WhereAmI() {
  const { pathname, search } = useLocation();
  return <output aria-label="Location">{pathname + search}</output>;
}

function render(route: string) {
  return renderWithProviders(
    <>
      <App />
      <WhereAmI />
    </>,
    { route },
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('landing after “Grant permission” in the ORCID inbox', () => {
  it('welcomes the person, says where to change it, and lists the works as they go from queued to added', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let state: 'waiting' | 'done' = 'waiting';
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': granted,
      'GET /api/v1/claims': () =>
        claimList([
          claim({
            id: 'c-2',
            doi: '10.5555/river-flow',
            title: 'River flow 2024',
            source: 'auto_update',
            state,
            put_code: state === 'done' ? 9002 : null,
            claimed_at: state === 'done' ? justNow() : null,
          }),
          claim({
            id: 'c-1',
            doi: '10.5555/sea-ice',
            title: 'Sea ice thickness',
            source: 'auto_update',
            state,
            put_code: state === 'done' ? 9001 : null,
            claimed_at: state === 'done' ? justNow() : null,
          }),
        ]),
    });
    render(LANDING);

    const welcome = await screen.findByRole('region', { name: 'Welcome to Profiles' });
    expect(within(welcome).getByRole('status')).toHaveTextContent(WELCOME);
    expect(welcome).toHaveTextContent('From now on, new DOIs that name you are added to your ORCID record automatically.');
    expect(welcome).toHaveTextContent('ask you first (review mode), leave some DOIs out, or stop requests in your ORCID inbox');
    expect(within(welcome).getByRole('link', { name: 'Auto-Update settings' })).toHaveAttribute(
      'href',
      '/settings/claims/auto-update',
    );
    // Not the plain "enabled" sentence: the welcome says it.
    expect(screen.queryByText(ENABLED)).not.toBeInTheDocument();
    // Both markers leave the address.
    await waitFor(() => {
      expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent(/^\/settings\/claims$/);
    });

    const works = await screen.findByRole('region', { name: 'Works from Auto-Update' });
    const list = await within(works).findByRole('list', { name: 'Works from Auto-Update' });
    const [river, ice] = within(list).getAllByRole('listitem') as [HTMLElement, HTMLElement];
    expect(river).toHaveTextContent('River flow 2024');
    expect(within(river).getByRole('link', { name: '10.5555/river-flow' })).toHaveAttribute(
      'href',
      'https://doi.org/10.5555/river-flow',
    );
    expect(within(river).getByText('Queued', { selector: '.pill' })).toBeInTheDocument();
    expect(ice).toHaveTextContent('Sea ice thickness');
    const fetches = () => api.callsTo('GET', '/api/v1/claims');
    expect(new URLSearchParams(fetches()[0]?.search).get('source')).toBe('auto_update');
    await expectNoAxeViolations();

    // They settle within seconds: asked again until none is queued, then no more.
    state = 'done';
    await elapse(CLAIM_POLL_MS);
    expect(await within(list).findAllByText('In your ORCID record', { selector: '.pill' })).toHaveLength(2);
    const settled = fetches().length;
    await elapse(CLAIM_POLL_MS * 5);
    expect(fetches()).toHaveLength(settled);
  });

  it('goes, with the works, on Dismiss', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': granted,
      'GET /api/v1/claims': () => claimList([claim({ source: 'auto_update' })]),
    });
    const { user } = render(LANDING);

    const welcome = await screen.findByRole('region', { name: 'Welcome to Profiles' });
    await screen.findByRole('region', { name: 'Works from Auto-Update' });
    await user.click(within(welcome).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('region', { name: 'Welcome to Profiles' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Works from Auto-Update' })).not.toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it('says there is nothing yet while Profiles is still looking for the DOIs', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/permissions': granted });
    render(LANDING);

    const works = await screen.findByRole('region', { name: 'Works from Auto-Update' });
    expect(await within(works).findByText(/Nothing yet: Profiles is looking for the DOIs that name you/)).toBeInTheDocument();
  });

  it('says nothing when Auto-Update is not active, or was granted long ago', async () => {
    const api = mockApi(signedInHandlers());
    const { unmount } = render(LANDING);
    expect(await screen.findByText(/Auto-Update is not enabled yet/)).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent(/^\/settings\/claims$/);
    });
    expect(screen.queryByRole('region', { name: 'Welcome to Profiles' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Works from Auto-Update' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/claims')).toHaveLength(0);
    unmount();

    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'active', granted_at: '2024-05-01T10:00:00Z' }),
      ],
    });
    render(LANDING);
    expect(await screen.findByRole('button', { name: 'Disable Auto-Update' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Welcome to Profiles' })).not.toBeInTheDocument();
  });

  it('tells a grant from the page itself as before, without the welcome', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/permissions': granted });
    render('/settings/claims?granted=auto_update');

    expect(await screen.findByText(ENABLED)).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Welcome to Profiles' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Works from Auto-Update' })).not.toBeInTheDocument();
  });
});
