import { screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { githubIdentity, googleIdentity, orcidIdentity, permission, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Back from connecting Google or GitHub, or from granting Search & Link or Auto-Update: the page
// the flow returns to (`return_to` with `?connected=` / `?granted=`) says it worked, if the account
// shows that it did.

const GOOGLE_NOW =
  'Your Google account josiah.carberry@gmail.example is now connected. You can sign in with it from now on.';
const SEARCH_AND_LINK_NOW = 'Search & Link is enabled: DataCite can now add the works you choose to your ORCID record.';

/** A minute ago, when the flow finished at the server. */
const justNow = () => new Date(Date.now() - 60_000).toISOString();

/** Where the app is, for the tests to read. */
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

const location = () => screen.getByRole('status', { name: 'Location' });

/** The page's success notice: its live region, empty while there is nothing to say. */
function notice(): HTMLElement {
  const found = screen.getAllByRole('status').find((el) => el.classList.contains('notice__text'));
  if (!found) throw new Error('no success notice on the page');
  return found;
}

describe('back from connecting a service', () => {
  it('says the Google account, named by its email, is now connected, and takes the marker out of the address', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), googleIdentity({ linked_at: justNow() })],
    });
    render('/settings/social?connected=google');

    expect(await screen.findByText(GOOGLE_NOW)).toBeInTheDocument();
    expect(notice()).toHaveTextContent(GOOGLE_NOW);
    expect(notice().closest('.notice')).toHaveClass('notice--success');
    // Polite, not an alert.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/social$/);
    });
    await expectNoAxeViolations();
  });

  it('names a GitHub account by its username', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), githubIdentity({ linked_at: justNow() })],
    });
    render('/settings/social?connected=github');

    expect(
      await screen.findByText('Your GitHub account jcarberry is now connected. You can sign in with it from now on.'),
    ).toBeInTheDocument();
  });

  it('says nothing for a marker the account does not bear out', async () => {
    // Not linked at all: a link crafted to say so.
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/identities': () => [orcidIdentity()] });
    const { unmount } = render('/settings/social?connected=google');
    expect(await screen.findByRole('heading', { level: 3, name: 'Google' })).toBeInTheDocument();
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/social$/);
    });
    expect(notice()).toBeEmptyDOMElement();
    unmount();

    // Linked long ago: nothing was connected now.
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), googleIdentity()] });
    render('/settings/social?connected=google');
    expect(await screen.findByText(/Linked as/, { selector: 'p' }, { timeout: 2000 })).toBeInTheDocument();
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/social$/);
    });
    expect(notice()).toBeEmptyDOMElement();
  });

  it('says nothing when the flow came back with an error, whose alert shows instead', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), googleIdentity({ linked_at: justNow() })],
    });
    render('/settings/social?connected=google&error=access_denied');

    expect(await screen.findByRole('alert')).toHaveTextContent('Access was not granted at the provider');
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/social\?error=access_denied$/);
    });
    expect(notice()).toBeEmptyDOMElement();
  });

  it('can be dismissed, and goes on navigation', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), googleIdentity({ linked_at: justNow() })],
    });
    const { user } = render('/settings/social?connected=google');

    const text = await screen.findByText(GOOGLE_NOW);
    const box = text.closest<HTMLElement>('.notice');
    if (!box) throw new Error('the notice has no box');
    const dismiss = within(box).getByRole('button', { name: 'Dismiss' });
    expect(dismiss).toHaveAccessibleDescription(GOOGLE_NOW);
    await user.click(dismiss);
    expect(screen.queryByText(GOOGLE_NOW)).not.toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveFocus();
    expect(notice()).toBeEmptyDOMElement();
    await expectNoAxeViolations();
  });

  it('goes when the person goes to another page and comes back', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity(), googleIdentity({ linked_at: justNow() })],
    });
    const { user } = render('/settings/social?connected=google');
    await screen.findByText(GOOGLE_NOW);

    const nav = screen.getByRole('navigation', { name: 'Settings' });
    await user.click(within(nav).getByRole('link', { name: 'Your account' }));
    await user.click(within(nav).getByRole('link', { name: 'Social login' }));

    expect(await screen.findByRole('heading', { level: 3, name: 'Google' })).toBeInTheDocument();
    expect(screen.queryByText(GOOGLE_NOW)).not.toBeInTheDocument();
  });
});

describe('back from granting a permission', () => {
  it('says Search & Link is enabled on the ORCID claims page, once the permission shows it', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: justNow() }),
        permission('auto_update'),
      ],
    });
    render('/settings/claims?granted=search_and_link');

    expect(await screen.findByText(SEARCH_AND_LINK_NOW)).toBeInTheDocument();
    expect(notice()).toHaveTextContent(SEARCH_AND_LINK_NOW);
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/claims$/);
    });
    await expectNoAxeViolations();
  });

  it('says Auto-Update is enabled on the list of claims, where a claim row’s grant comes back to', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'active', granted_at: justNow() }),
      ],
    });
    render('/settings/claims/list?granted=auto_update');

    expect(
      await screen.findByText(
        'Auto-Update is enabled: DataCite will now add works to your ORCID record whenever your ORCID iD is in a DOI’s metadata.',
      ),
    ).toBeInTheDocument();
  });

  it('says it on the Search & Link page too', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: justNow() }),
        permission('auto_update'),
      ],
    });
    render('/settings/claims/search?granted=search_and_link');

    expect(await screen.findByText(SEARCH_AND_LINK_NOW)).toBeInTheDocument();
  });

  it('says nothing when the permission is not active, or was granted long ago', async () => {
    mockApi(signedInHandlers());
    const { unmount } = render('/settings/claims?granted=search_and_link');
    expect(
      await screen.findByText('Search & Link is not enabled yet. Works you add wait until you enable it.'),
    ).toBeInTheDocument();
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/claims$/);
    });
    expect(notice()).toBeEmptyDOMElement();
    unmount();

    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2024-05-01T10:00:00Z' }),
        permission('auto_update'),
      ],
    });
    render('/settings/claims?granted=search_and_link');
    expect(await screen.findByRole('button', { name: 'Disable Search & Link' })).toBeInTheDocument();
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/claims$/);
    });
    expect(notice()).toBeEmptyDOMElement();
  });

  it('says nothing for a grant made as another ORCID iD: that notice explains instead', async () => {
    mockApi(signedInHandlers());
    render('/settings/claims?granted=search_and_link&error=grant_wrong_orcid&kind=search_and_link');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('You granted access while signed in to orcid.org as another ORCID iD.');
    await waitFor(() => {
      expect(location()).toHaveTextContent(/^\/settings\/claims\?error=grant_wrong_orcid&kind=search_and_link$/);
    });
    expect(notice()).toBeEmptyDOMElement();
  });

  it('goes once the permission is disabled', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: justNow() }),
        permission('auto_update'),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () =>
        permission('search_and_link', { status: 'revoked', revoked_at: justNow() }),
    });
    const { user } = render('/settings/claims?granted=search_and_link');
    await screen.findByText(SEARCH_AND_LINK_NOW);

    api.set('GET /api/v1/accounts/me/permissions', () => [
      permission('search_and_link', { status: 'revoked', revoked_at: justNow() }),
      permission('auto_update'),
    ]);
    await user.click(screen.getByRole('button', { name: 'Disable Search & Link' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Disable' }));

    expect(await screen.findByText('Search & Link is disabled.')).toBeInTheDocument();
    expect(screen.queryByText(SEARCH_AND_LINK_NOW)).not.toBeInTheDocument();
  });
});
