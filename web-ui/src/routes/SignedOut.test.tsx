import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { ME_KEY } from '../api/query-keys';
import { type Handlers, mockApi, problem, sessionExpired, unauthenticated } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { expectFlowPost } from '../test/flows';
import { signedInHandlers, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

// Without a session, the settings tell apart a visitor who is not signed in, a session that really
// ended, and a sign-in that came back cancelled; a Google/GitHub sign-up waiting for its ORCID iD
// is never interrupted by any of it.

const PENDING_ID = '5d1c7c1e-9b0e-4f7a-8a55-3f0c2b9d6e41';

const nothingPending = (): Handlers => ({
  'GET /api/v1/auth/pending-signup': () => problem(404, 'no_pending_signup', 'No sign-up is waiting in this browser.'),
});

const githubPending = (): Handlers => ({
  'GET /api/v1/auth/pending-signup': () => ({
    id: PENDING_ID,
    provider: 'github',
    display_name: 'The Octocat',
    email: 'octocat@example.test',
    expires_at: '2025-03-01T10:00:00Z',
  }),
});

const main = () => within(screen.getByRole('main'));
const banner = () => within(screen.getByRole('banner'));

describe('a first visit to a settings page', () => {
  it('says "Please sign in", not that a session ended, and signs in back to that page', async () => {
    mockApi(signedOutHandlers(), nothingPending());
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });

    expect(await main().findByRole('heading', { level: 2, name: 'Please sign in' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
    expect(screen.queryByText(/session has ended/i)).not.toBeInTheDocument();
    // Nothing went wrong: no alert.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    const signIn = main().getByRole('link', { name: 'Sign in' });
    expect(signIn).toHaveAttribute('href', '/sign-in?return_to=%2Fsettings%2Fsocial');
    // The header's "Sign in" comes back here too.
    expect(await banner().findByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      '/sign-in?return_to=%2Fsettings%2Fsocial',
    );
    await expectNoAxeViolations();

    await user.click(signIn);

    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings%2Fsocial',
    );
    expect(screen.getByRole('link', { name: 'Sign in with GitHub' })).toHaveAttribute(
      'href',
      '/auth/github/start?return_to=%2Fsettings%2Fsocial',
    );
  });

  it('keeps the query of the page it comes back to', async () => {
    mockApi(signedOutHandlers(), nothingPending());
    renderWithProviders(<App />, { route: '/settings/claims/list?state=failed' });

    expect(await main().findByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      `/sign-in?return_to=${encodeURIComponent('/settings/claims/list?state=failed')}`,
    );
  });
});

describe('a session that really ended', () => {
  it.each([
    ['session_expired', sessionExpired],
    ['session_revoked', () => problem(401, 'session_revoked', 'The session has ended.')],
  ])('says "Your session has ended" when the server says %s', async (_code, answer) => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': answer });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your session has ended. Sign in again.');
    expect(within(alert).getByRole('link', { name: 'Sign in again' })).toHaveAttribute(
      'href',
      `/sign-in?return_to=${encodeURIComponent('/settings/claims')}`,
    );
    expect(screen.queryByRole('heading', { name: 'Please sign in' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says so when this page had the account, even if the server now only says unauthenticated', async () => {
    const api = mockApi(signedInHandlers());
    const { queryClient } = renderWithProviders(<App />, { route: '/settings' });
    await screen.findByRole('heading', { level: 2, name: 'Your account' });

    // The cookie is gone (cleared in another tab, say): the server does not know this browser.
    api.set('GET /api/v1/accounts/me', () => unauthenticated());
    await queryClient.invalidateQueries({ queryKey: ME_KEY, exact: true });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your session has ended. Sign in again.');
    expect(screen.queryByRole('heading', { name: 'Please sign in' })).not.toBeInTheDocument();
  });

  it('stays "ended" when a later request finds no session at all', async () => {
    const api = mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => sessionExpired() });
    const { queryClient } = renderWithProviders(<App />, { route: '/settings' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Your session has ended.');

    // The server cleared the dead cookie with its first answer; the next one is a plain 401.
    api.set('GET /api/v1/accounts/me', () => unauthenticated());
    await queryClient.refetchQueries({ queryKey: ME_KEY, exact: true });

    await waitFor(() => {
      expect(api.callsTo('GET', '/api/v1/accounts/me').length).toBeGreaterThanOrEqual(2);
    });
    expect(screen.getByRole('alert')).toHaveTextContent('Your session has ended.');
    expect(screen.queryByRole('heading', { name: 'Please sign in' })).not.toBeInTheDocument();
  });
});

describe('back from a sign-in that did not sign in', () => {
  it.each([
    ['unauthenticated', unauthenticated],
    // An old cookie of this browser: cancelling a new sign-in is still no session that ended.
    ['session_expired', sessionExpired],
  ])('cancelled at the provider (me: %s): the sign-in page says "Sign-in was cancelled"', async (_code, me) => {
    const api = mockApi(signedOutHandlers(), nothingPending(), { 'GET /api/v1/accounts/me': me });
    const { user } = renderWithProviders(<App />, { route: '/settings/social?error=access_denied' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(
      'Sign-in was cancelled. You are not signed in; choose a way to sign in to try again.',
    );
    expect(screen.queryByText(/session has ended/i)).not.toBeInTheDocument();
    // Signing in from here still comes back to the page the person wanted, without the error.
    expect(await screen.findByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings%2Fsocial',
    );
    expect(api.callsTo('GET', '/api/v1/auth/pending-signup')).toHaveLength(1);
    await expectNoAxeViolations();

    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings%2Fsocial',
    );
  });

  it('failed at the provider: the sign-in page says so', async () => {
    mockApi(signedOutHandlers(), nothingPending());
    renderWithProviders(<App />, { route: '/settings?error=provider_error' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The provider could not complete the sign-in, so you are not signed in. Please try again.',
    );
    expect(await screen.findByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings',
    );
  });

  it('a signed-in person back from a flow stays on the page', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/social?error=access_denied' });

    expect(await screen.findByRole('heading', { level: 2, name: 'Social login' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Access was not granted at the provider');
    expect(screen.queryByRole('heading', { level: 1, name: 'Sign in' })).not.toBeInTheDocument();
  });
});

describe('a Google/GitHub sign-up waiting for its ORCID iD', () => {
  it('cancelling at ORCID comes back to /link-orcid, the sign-up still waiting', async () => {
    mockApi(signedOutHandlers(), githubPending());
    renderWithProviders(<App />, { route: '/settings?error=access_denied' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Link your ORCID iD' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Signing in with ORCID was cancelled, so nothing was linked yet. You can confirm again below.',
    );
    expect(
      await screen.findByRole('heading', {
        level: 2,
        name: 'Connect the GitHub account “The Octocat” (octocat@example.test) to your ORCID iD?',
      }),
    ).toBeInTheDocument();
    expectFlowPost(screen.getByRole('button', { name: 'Yes, sign in with ORCID' }), '/auth/orcid/start', {
      pending_signup: PENDING_ID,
      return_to: '/settings',
    });
    expect(screen.queryByText(/session has ended/i)).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Please sign in' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('/link-orcid does not ask for the account, so an old cookie’s 401 cannot interrupt it', async () => {
    const api = mockApi(signedOutHandlers(), githubPending(), { 'GET /api/v1/accounts/me': () => sessionExpired() });
    renderWithProviders(<App />, { route: '/link-orcid' });

    expect(await screen.findByRole('button', { name: 'Yes, sign in with ORCID' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText(/session has ended/i)).not.toBeInTheDocument();
    expect(banner().queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/accounts/me')).toHaveLength(0);
    await expectNoAxeViolations();
  });
});
