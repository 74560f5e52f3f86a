import { screen, within } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { mockApi, sessionExpired } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { expectFlowPost } from '../test/flows';
import { account, signedInHandlers, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

// /sign-out: where a link from another site to GET /sign_out leads. It asks before signing out.

/** Where the app is, for the tests to read. */
function WhereAmI() {
  const { pathname } = useLocation();
  return <output aria-label="Location">{pathname}</output>;
}

const main = () => within(screen.getByRole('main'));

describe('/sign-out, after a link from another site', () => {
  it('asks, with Sign out (a form post to /sign_out with back) and Stay signed in', async () => {
    const api = mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/sign-out?back=%2Fapi%2Fdocs' });

    expect(await main().findByRole('heading', { level: 1, name: 'Sign out of Profiles?' })).toBeInTheDocument();
    expect(document.title).toBe('Sign out · Profiles');
    expect(await main().findByText(/You are signed in as/)).toHaveTextContent(
      'You are signed in as Josiah Carberry (0000-0002-1825-0097).',
    );
    expect(screen.getByRole('main')).toHaveTextContent('A link on another site sent you here to sign out of Profiles.');
    expectFlowPost(main().getByRole('button', { name: 'Sign out' }), '/sign_out', { back: '/api/docs' });
    expect(main().getByRole('link', { name: 'Stay signed in' })).toHaveAttribute('href', '/settings');
    // Nothing is signed out by showing the question.
    expect(api.callsTo('POST', '/api/v1/auth/logout')).toHaveLength(0);
    await expectNoAxeViolations();
  });

  it('names the iD alone for an account without a name', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ name: null, given_names: null, family_name: null }),
    });
    renderWithProviders(<App />, { route: '/sign-out?back=%2F' });

    expect(await main().findByText(/You are signed in/)).toHaveTextContent(
      'You are signed in with the ORCID iD 0000-0002-1825-0097.',
    );
  });

  it('stays signed in on "Stay signed in", going to the settings', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(
      <>
        <App />
        <WhereAmI />
      </>,
      { route: '/sign-out?back=%2F' },
    );

    await user.click(await main().findByRole('link', { name: 'Stay signed in' }));

    expect(screen.getByRole('status', { name: 'Location' })).toHaveTextContent('/settings');
    expect(await main().findByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/auth/logout')).toHaveLength(0);
  });

  it('posts no back without one, or one longer than the server takes: the server goes to / then', async () => {
    mockApi(signedInHandlers());
    const { unmount } = renderWithProviders(<App />, { route: '/sign-out' });
    expectFlowPost(await main().findByRole('button', { name: 'Sign out' }), '/sign_out', {});
    unmount();

    renderWithProviders(<App />, { route: `/sign-out?back=/${'x'.repeat(2000)}` });
    expectFlowPost(await main().findByRole('button', { name: 'Sign out' }), '/sign_out', {});
  });

  it('says "You are not signed in" with a link home when nobody is', async () => {
    mockApi(signedOutHandlers());
    renderWithProviders(<App />, { route: '/sign-out?back=%2F' });

    expect(await main().findByRole('heading', { level: 1, name: 'You are not signed in' })).toBeInTheDocument();
    expect(document.title).toBe('Not signed in · Profiles');
    expect(main().getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
    expect(main().queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says the same after a session ended elsewhere', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => sessionExpired() });
    renderWithProviders(<App />, { route: '/sign-out' });

    expect(await main().findByRole('heading', { level: 1, name: 'You are not signed in' })).toBeInTheDocument();
  });

  it('still offers to sign out when the account cannot be loaded, saying why in words', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => new Response(null, { status: 503 }) });
    renderWithProviders(<App />, { route: '/sign-out?back=%2F' });

    expect(await main().findByRole('alert')).toHaveTextContent(
      'Could not load your account. The service is not answering as it should. Please try again in a moment.',
    );
    expectFlowPost(main().getByRole('button', { name: 'Sign out' }), '/sign_out', { back: '/' });
    expect(main().getByRole('link', { name: 'Stay signed in' })).toHaveAttribute('href', '/');
  });
});
