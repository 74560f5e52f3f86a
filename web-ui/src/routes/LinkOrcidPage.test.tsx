import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { mockApi, problem } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { expectFlowPost } from '../test/flows';
import { providersResponse, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

const PENDING_ID = '5d1c7c1e-9b0e-4f7a-8a55-3f0c2b9d6e41';

describe('link-orcid page', () => {
  it('names the waiting identity and asks to confirm it with ORCID, posting the sign-up’s id', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () => ({
        id: PENDING_ID,
        provider: 'github',
        display_name: 'The Octocat',
        email: 'octocat@example.test',
        expires_at: '2025-03-01T10:00:00Z',
      }),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(screen.getByRole('heading', { level: 1, name: 'Link your ORCID iD' })).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', {
        level: 2,
        name: 'Connect the GitHub account “The Octocat” (octocat@example.test) to your ORCID iD?',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Link your ORCID iD to finish setting up your account. This is required for all accounts.'),
    ).toBeInTheDocument();
    // The confirmation is a form post naming this sign-up, never a plain ORCID sign-in link.
    expectFlowPost(screen.getByRole('button', { name: 'Yes, sign in with ORCID' }), '/auth/orcid/start', {
      pending_signup: PENDING_ID,
      return_to: '/settings',
    });
    expect(screen.queryByRole('link', { name: /Sign in with ORCID/ })).not.toBeInTheDocument();
    // A way out for someone who does not recognise the account.
    expect(screen.getByRole('link', { name: /This isn’t my account/ })).toHaveAttribute('href', '/sign-in');
    await expectNoAxeViolations();
  });

  it('names the identity by what the provider told, and shows the sandbox notice', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/providers': () => providersResponse({ orcid_sandbox: true }),
      'GET /api/v1/auth/pending-signup': () => ({
        id: PENDING_ID,
        provider: 'google',
        email: 'josiah@example.org',
        expires_at: '2025-03-01T10:00:00Z',
      }),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByText(/This service uses the ORCID sandbox/)).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', { level: 2, name: 'Connect the Google account josiah@example.org to your ORCID iD?' }),
    ).toBeInTheDocument();
  });

  it('asks about “the account you signed in with” when the provider told nothing', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () => ({ id: PENDING_ID, provider: 'github', expires_at: '2025-03-01T10:00:00Z' }),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(
      await screen.findByRole('heading', {
        level: 2,
        name: 'Connect the GitHub account you signed in with to your ORCID iD?',
      }),
    ).toBeInTheDocument();
  });

  it('says when nothing is pending, with a link to the sign-in page', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/pending-signup': () =>
        problem(404, 'no_pending_signup', 'No sign-up is waiting in this browser.'),
    });

    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByText(/Nothing is waiting to be linked in this browser/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toHaveAttribute('href', '/sign-in');
    expect(screen.queryByRole('button', { name: /sign in with ORCID/ })).not.toBeInTheDocument();
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
