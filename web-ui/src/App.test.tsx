import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { mockApi, problem, sessionExpired } from './test/api';
import { expectNoAxeViolations } from './test/axe';
import {
  account,
  adminAccountList,
  adminAccountSummary,
  auditEntry,
  ORCID,
  signedInHandlers,
  signedOutHandlers,
} from './test/fixtures';
import { renderWithProviders } from './test/render';

describe('header when signed out', () => {
  it('links to the sign-in page', async () => {
    mockApi(signedOutHandlers());
    const { user } = renderWithProviders(<App />);

    const banner = screen.getByRole('banner');
    expect(within(banner).getByRole('link', { name: 'Profiles' })).toHaveAttribute('href', '/');
    const signIn = await within(banner).findByRole('link', { name: 'Sign in' });
    expect(signIn).toHaveAttribute('href', '/sign-in');

    await user.click(signIn);

    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    // Not offered twice on the sign-in page itself.
    expect(within(banner).queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
  });
});

describe('user menu', () => {
  it('is a disclosure button with the name, opening Personal Settings, DataCite Search, ORCID record and Sign out', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });

    const banner = screen.getByRole('banner');
    const button = await within(banner).findByRole('button', { name: 'Josiah Carberry' });
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(within(banner).queryByRole('link', { name: 'Personal Settings' })).not.toBeInTheDocument();

    await user.click(button);

    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(within(banner).getByRole('link', { name: 'Personal Settings' })).toHaveAttribute('href', '/settings');
    const query = `creators_and_contributors.nameIdentifiers.nameIdentifier:(${ORCID} OR "https://orcid.org/${ORCID}")`;
    expect(within(banner).getByRole('link', { name: 'Your DOIs in DataCite Search' })).toHaveAttribute(
      'href',
      `https://search.datacite.org/doi.org?query=${encodeURIComponent(query)}`,
    );
    expect(within(banner).getByRole('link', { name: 'ORCID record' })).toHaveAttribute(
      'href',
      `https://orcid.org/${ORCID}`,
    );
    expect(within(banner).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    // The page itself (loaded on first use) is in place, with its title, before axe checks it.
    expect(await screen.findByRole('heading', { level: 2, name: 'Social login' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('works from the keyboard and closes on Escape, returning focus to the button', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    const button = await screen.findByRole('button', { name: 'Josiah Carberry' });

    button.focus();
    await user.keyboard('{Enter}');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    await user.tab();
    expect(screen.getByRole('link', { name: 'Personal Settings' })).toHaveFocus();

    await user.keyboard('{Escape}');

    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveFocus();
    expect(screen.queryByRole('link', { name: 'Personal Settings' })).not.toBeInTheDocument();
  });

  it('signs out: POSTs logout, forgets the account and goes to the sign-in page', async () => {
    const api = mockApi(signedInHandlers());
    const { user, queryClient } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Josiah Carberry' }));

    // From now on the server no longer knows this browser.
    api.set('GET /api/v1/accounts/me', () => sessionExpired());
    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auth/logout')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Josiah Carberry' })).not.toBeInTheDocument();
    expect(queryClient.getQueryData(['me', 'sessions'])).toBeUndefined();
  });

  it('says so when signing out fails', async () => {
    mockApi(signedInHandlers(), {
      'POST /api/v1/auth/logout': () => problem(503, 'database_unavailable', 'The database is down.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Josiah Carberry' }));

    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByText('Could not sign out. The database is down.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
  });
});

describe('settings frame', () => {
  it('has a side menu marking the current section, without Admin for ordinary users', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings' });

    const nav = await screen.findByRole('navigation', { name: 'Settings' });
    expect(within(nav).getByRole('link', { name: 'Your account' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();

    await user.click(within(nav).getByRole('link', { name: 'Social login' }));

    expect(within(nav).getByRole('link', { name: 'Social login' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Your account' })).not.toHaveAttribute('aria-current');
    expect(await screen.findByRole('heading', { level: 2, name: 'Social login' })).toBeInTheDocument();
    // Focus moves to the new page, as after a page load.
    expect(screen.getByRole('main')).toHaveFocus();
  });

  it('shows Admin to staff, with the account search and the latest changes', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ role: 'staff_admin' }),
      'GET /api/v1/admin/accounts': () => adminAccountList([adminAccountSummary()]),
      'GET /api/v1/admin/audit': () => [auditEntry()],
    });
    const { user } = renderWithProviders(<App />, { route: '/settings' });

    const nav = await screen.findByRole('navigation', { name: 'Settings' });
    await user.click(within(nav).getByRole('link', { name: 'Admin' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Admin' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Laure Haak' })).toBeInTheDocument();
    expect(await screen.findByText('Account changed')).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it.each(['provider_admin', 'client_user'] as const)(
    'shows Admin to a %s, with the account search but not the staff-only audit',
    async (role) => {
      const api = mockApi(signedInHandlers(), {
        'GET /api/v1/accounts/me': () => account({ role, provider_id: 'datacite' }),
        'GET /api/v1/admin/accounts': () => adminAccountList([adminAccountSummary({ provider_id: 'datacite' })]),
      });
      const { user } = renderWithProviders(<App />, { route: '/settings' });

      const nav = await screen.findByRole('navigation', { name: 'Settings' });
      await user.click(within(nav).getByRole('link', { name: 'Admin' }));

      expect(await screen.findByRole('link', { name: 'Laure Haak' })).toBeInTheDocument();
      expect(screen.queryByRole('link', { name: 'Search all claims' })).not.toBeInTheDocument();
      expect(api.callsTo('GET', '/api/v1/admin/audit')).toHaveLength(0);
    },
  );

  it('does not show the admin section to a plain user who types its address', async () => {
    const api = mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/admin' });

    expect(
      await screen.findByText('This section is for DataCite staff and for provider and client administrators.'),
    ).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Settings' });
    expect(within(nav).queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    expect(screen.queryByRole('searchbox', { name: 'Search accounts' })).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/admin/'))).toHaveLength(0);
  });

  it('does not open an account page for a plain user either', async () => {
    const api = mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/admin/accounts/0000-0001-5109-3700' });

    expect(
      await screen.findByText('This section is for DataCite staff and for provider and client administrators.'),
    ).toBeInTheDocument();
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/admin/'))).toHaveLength(0);
  });
});

describe('session expiry', () => {
  it('shows "Your session has ended" with a way back when the settings are opened without a session', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => sessionExpired() });

    renderWithProviders(<App />, { route: '/settings/claims' });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your session has ended. Sign in again.');
    expect(within(alert).getByRole('link', { name: 'Sign in again' })).toHaveAttribute(
      'href',
      `/sign-in?return_to=${encodeURIComponent('/settings/claims')}`,
    );
    expect(within(screen.getByRole('banner')).getByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('switches the whole page to "session ended" when any request gets a 401', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await screen.findByRole('heading', { level: 2, name: 'Your account' });

    // The session is revoked from another browser; the next request finds out.
    api.set('GET /api/v1/accounts/me', () => sessionExpired());
    api.set('GET /api/v1/accounts/me/permissions', () => sessionExpired());
    await user.click(screen.getByRole('link', { name: 'ORCID claims' }));

    const alert = await screen.findByRole('alert');
    await waitFor(() => {
      expect(alert).toHaveTextContent('Your session has ended. Sign in again.');
    });
    expect(screen.queryByRole('navigation', { name: 'Settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Josiah Carberry' })).not.toBeInTheDocument();
  });
});

describe('not found', () => {
  it('shows a not-found page for unknown addresses', async () => {
    mockApi(signedOutHandlers());
    renderWithProviders(<App />, { route: '/no-such-page' });

    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });
});
