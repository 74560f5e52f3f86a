import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { mockApi, problem } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { providersResponse, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

describe('link-orcid page', () => {
  it('asks a first-time Google or GitHub user to sign in with ORCID', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () => ({
        provider: 'google',
        display_name: 'Josiah Carberry',
        email: 'josiah@example.org',
        expires_at: '2025-03-01T10:00:00Z',
      }),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(screen.getByRole('heading', { level: 1, name: 'Link your ORCID iD' })).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Link your ORCID iD to finish setting up your account. This is required for all accounts.',
      ),
    ).toBeInTheDocument();
    const main = screen.getByRole('main');
    expect(main).toHaveTextContent('You signed in with Google as Josiah Carberry (josiah@example.org).');
    expect(screen.getByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings',
    );
    await expectNoAxeViolations();
  });

  it('shows the sandbox notice when ORCID is the sandbox', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/providers': () => providersResponse({ orcid_sandbox: true }),
      'GET /api/v1/auth/pending-signup': () => ({ provider: 'github', expires_at: '2025-03-01T10:00:00Z' }),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByText(/This service uses the ORCID sandbox/)).toBeInTheDocument();
    expect(await screen.findByText(/You signed in with/)).toHaveTextContent('You signed in with GitHub.');
  });

  it('says when nothing is pending, with a link to the sign-in page', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () =>
        problem(404, 'no_pending_signup', 'No sign-up is waiting in this browser.'),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByText(/Nothing is waiting to be linked in this browser/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toHaveAttribute('href', '/sign-in');
    expect(screen.queryByRole('link', { name: 'Sign in with ORCID' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('shows other errors in plain words', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () => problem(503, 'database_unavailable', 'The database is down.'),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load your sign-up. The database is down.',
    );
  });
});
