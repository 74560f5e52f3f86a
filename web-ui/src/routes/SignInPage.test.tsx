import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { mockApi } from '../test/api';
import { expectNoAxeViolations } from '../test/axe';
import { providersResponse, signedOutHandlers } from '../test/fixtures';
import { renderWithProviders } from '../test/render';

function providerLinks() {
  return within(screen.getByRole('main')).getAllByRole('link', { name: /^Sign in with / });
}

describe('sign-in page', () => {
  it('shows one button per enabled provider, ORCID first, returning to /settings', async () => {
    mockApi(signedOutHandlers(), {
      // Whatever order the server sends, ORCID comes first.
      'GET /api/v1/auth/providers': () =>
        providersResponse({
          providers: [
            { id: 'github', name: 'GitHub', sign_in_url: '/auth/github/start' },
            { id: 'orcid', name: 'ORCID', sign_in_url: '/auth/orcid/start' },
            { id: 'google', name: 'Google', sign_in_url: '/auth/google/start' },
          ],
        }),
    });

    renderWithProviders(<App />, { route: '/sign-in' });

    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    await screen.findByRole('link', { name: 'Sign in with ORCID' });
    const links = providerLinks();
    expect(links).toEqual([
      screen.getByRole('link', { name: 'Sign in with ORCID' }),
      screen.getByRole('link', { name: 'Sign in with Google' }),
      screen.getByRole('link', { name: 'Sign in with GitHub' }),
    ]);
    expect(links.map((l) => l.getAttribute('href'))).toEqual([
      '/auth/orcid/start?return_to=%2Fsettings',
      '/auth/google/start?return_to=%2Fsettings',
      '/auth/github/start?return_to=%2Fsettings',
    ]);
    expect(screen.queryByText(/ORCID sandbox/)).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('offers only the providers the server has enabled', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/providers': () =>
        providersResponse({ providers: [{ id: 'orcid', name: 'ORCID', sign_in_url: '/auth/orcid/start' }] }),
    });

    renderWithProviders(<App />, { route: '/sign-in' });

    await screen.findByRole('link', { name: 'Sign in with ORCID' });
    expect(providerLinks()).toHaveLength(1);
  });

  it('warns that the ORCID sandbox needs its own sandbox account', async () => {
    mockApi(signedOutHandlers(), {
      'GET /api/v1/auth/providers': () =>
        providersResponse({ orcid_sandbox: true, orcid_url: 'https://sandbox.orcid.org' }),
    });

    renderWithProviders(<App />, { route: '/sign-in' });

    const notice = await screen.findByText(/This service uses the ORCID sandbox/);
    expect(notice.closest('div')).toHaveTextContent(
      'Your usual ORCID account will not work here: sign in with a separate sandbox account from sandbox.orcid.org.',
    );
    expect(screen.getByRole('link', { name: 'sandbox.orcid.org' })).toHaveAttribute(
      'href',
      'https://sandbox.orcid.org/register',
    );
    await expectNoAxeViolations();
  });

  it('passes a same-origin return_to on to the providers, and ignores any other', async () => {
    mockApi(signedOutHandlers());
    const { unmount } = renderWithProviders(<App />, { route: '/sign-in?return_to=%2Fsettings%2Fclaims' });
    expect(await screen.findByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings%2Fclaims',
    );
    unmount();

    renderWithProviders(<App />, { route: '/sign-in?return_to=%2F%2Fevil.example' });
    expect(await screen.findByRole('link', { name: 'Sign in with ORCID' })).toHaveAttribute(
      'href',
      '/auth/orcid/start?return_to=%2Fsettings',
    );
  });

  it.each([
    ['access_denied', 'Sign-in was cancelled. You are not signed in; choose a way to sign in to try again.'],
    ['provider_error', 'The provider could not complete the sign-in, so you are not signed in. Please try again.'],
    ['something_else', 'Something went wrong at the provider, so you are not signed in. Please try again.'],
  ])('explains ?error=%s in plain words, and can dismiss it', async (code, message) => {
    mockApi(signedOutHandlers());
    const { user } = renderWithProviders(<App />, { route: `/sign-in?error=${code}` });

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(message);
    await screen.findByRole('link', { name: 'Sign in with ORCID' });
    await expectNoAxeViolations();

    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
