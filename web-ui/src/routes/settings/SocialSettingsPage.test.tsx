import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, problem, reauthenticationRequired } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost, expectReauthentication } from '../../test/flows';
import { githubIdentity, googleIdentity, orcidIdentity, providersResponse, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

/** The row of one provider, found by its heading. */
async function row(name: string): Promise<HTMLElement> {
  const heading = await screen.findByRole('heading', { level: 3, name });
  const item = heading.closest('li');
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

describe('settings: social login', () => {
  it('shows one row per provider with its state and one action', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/social' });

    const orcid = await row('ORCID');
    expect(orcid).toHaveTextContent('Linked to ORCID iD 0000-0002-1825-0097.');
    expect(orcid).toHaveTextContent('ORCID is the anchor of your account and cannot be unlinked.');
    expect(within(orcid).getAllByRole('button')).toHaveLength(1);
    expect(within(orcid).getByRole('button', { name: 'Expire ORCID token' })).toHaveClass('button--success');

    const google = await row('Google');
    expect(google).toHaveTextContent('Not linked.');
    // Linking starts with a same-origin form post, never a link another site could start.
    expect(within(google).queryByRole('link', { name: 'Connect Google' })).not.toBeInTheDocument();
    const connect = within(google).getByRole('button', { name: 'Connect Google' });
    expectFlowPost(connect, '/auth/google/start', { intent: 'link', return_to: '/settings/social?connected=google' });
    expect(connect).toHaveClass('button--danger');

    const github = await row('GitHub');
    expect(github).toHaveTextContent('Linked as jcarberry');
    expect(within(github).getByRole('button', { name: 'Unlink GitHub' })).toHaveClass('button--dark');

    // Rows in DataCite's order.
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual([
      'ORCID',
      'Google',
      'GitHub',
    ]);
    await expectNoAxeViolations();
  });

  it('names which account each connection is: Google by its email, GitHub by its username', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [
        orcidIdentity(),
        googleIdentity({ email: 'alice@example.test', display_name: 'Alice Example', last_used_at: null }),
        // GitHub's display name is the person's name; the username is only in the profile URL.
        githubIdentity({
          display_name: 'Alice Example',
          email: 'alice@example.test',
          profile_url: 'https://github.com/alice-example',
          last_used_at: null,
        }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/social' });

    expect(await row('Google')).toHaveTextContent('Linked as alice@example.test (Alice Example).');
    const github = await row('GitHub');
    expect(github).toHaveTextContent('Linked as alice-example (Alice Example).');
    expect(within(github).getByRole('link', { name: 'alice-example' })).toHaveAttribute(
      'href',
      'https://github.com/alice-example',
    );
    await expectNoAxeViolations();
  });

  it('shows why an identity cannot be unlinked instead of a button', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/identities': () => [
        orcidIdentity(),
        githubIdentity({
          can_unlink: false,
          unlink_blocked_reason: 'This is your last way to sign in; connect another one first.',
        }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/social' });

    const github = await row('GitHub');
    expect(github).toHaveTextContent('This is your last way to sign in; connect another one first.');
    expect(within(github).queryByRole('button')).not.toBeInTheDocument();
  });

  it('unlinks with DELETE only after confirmation', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/identities/{provider}': ({ params }) => ({
        provider: params.provider === 'google' ? 'google' : 'github',
        revoked_at_provider: true,
      }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    const github = await row('GitHub');

    await user.click(within(github).getByRole('button', { name: 'Unlink GitHub' }));
    const dialog = screen.getByRole('dialog', { name: 'Unlink GitHub?' });
    expect(dialog).toHaveTextContent('You will no longer be able to sign in with GitHub.');
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/identities/github')).toHaveLength(0);
    await expectNoAxeViolations();

    api.set('GET /api/v1/accounts/me/identities', () => [orcidIdentity()]);
    await user.click(within(dialog).getByRole('button', { name: 'Unlink GitHub' }));

    expect(
      await screen.findByText('GitHub is no longer linked to your account, and its access was revoked at GitHub.'),
    ).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/identities/github')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expectFlowPost(
      await within(await row('GitHub')).findByRole('button', { name: 'Connect GitHub' }),
      '/auth/github/start',
      { intent: 'link', return_to: '/settings/social?connected=github' },
    );
  });

  it('does not unlink when the confirmation is cancelled', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    const unlink = within(await row('GitHub')).getByRole('button', { name: 'Unlink GitHub' });

    await user.click(unlink);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(unlink).toHaveFocus();
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });

  it('shows the 409 reason in the dialog when the server refuses', async () => {
    mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/identities/{provider}': () =>
        problem(409, 'last_sign_in_method', 'This is your last way to sign in; connect another one first.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    await user.click(within(await row('GitHub')).getByRole('button', { name: 'Unlink GitHub' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Unlink GitHub' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Nothing was changed. This is your last way to sign in; connect another one first.',
    );
  });

  it('asks to sign in again when unlinking needs a recent sign-in, and does not sign the person out', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/identities/{provider}': () => reauthenticationRequired(),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    await user.click(within(await row('GitHub')).getByRole('button', { name: 'Unlink GitHub' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Unlink GitHub' }));

    expectReauthentication(await within(dialog).findByRole('alert'), '/settings/social', 'Nothing was changed.');
    // Not "signed out": the account is not fetched again, and the page stays as it was.
    expect(api.callsTo('GET', '/api/v1/accounts/me')).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 2, name: 'Social login' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('asks to sign in again when expiring the ORCID token needs a recent sign-in', async () => {
    mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/identities/orcid/token': () => reauthenticationRequired(),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    await user.click(within(await row('ORCID')).getByRole('button', { name: 'Expire ORCID token' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Expire token' }));

    expectReauthentication(await within(dialog).findByRole('alert'), '/settings/social', 'Nothing was changed.');
  });

  it('expires the ORCID token after confirmation, then offers to refresh it', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/identities/orcid/token': () => orcidIdentity({ token_state: 'expired' }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/social' });
    await user.click(within(await row('ORCID')).getByRole('button', { name: 'Expire ORCID token' }));
    const dialog = screen.getByRole('dialog', { name: 'Expire your ORCID token?' });

    api.set('GET /api/v1/accounts/me/identities', () => [
      orcidIdentity({ token_state: 'expired', token_expires_at: '2025-03-02T10:00:00Z' }),
      githubIdentity(),
    ]);
    await user.click(within(dialog).getByRole('button', { name: 'Expire token' }));

    expect(api.callsTo('DELETE', '/api/v1/accounts/me/identities/orcid/token')).toHaveLength(1);
    const refresh = await within(await row('ORCID')).findByRole('link', { name: 'Refresh ORCID token' });
    expect(refresh).toHaveAttribute('href', '/auth/orcid/start?return_to=%2Fsettings%2Fsocial');
    expect(await row('ORCID')).toHaveTextContent('Token expired on');
  });

  it('keeps a linked identity whose provider is turned off, without offering to connect it', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/auth/providers': () =>
        providersResponse({
          providers: [
            { id: 'orcid', name: 'ORCID', sign_in_url: '/auth/orcid/start' },
            { id: 'google', name: 'Google', sign_in_url: '/auth/google/start' },
          ],
        }),
    });
    renderWithProviders(<App />, { route: '/settings/social' });

    const github = await row('GitHub');
    expect(github).toHaveTextContent('Signing in with GitHub is turned off on this service.');
    expect(within(github).getByRole('button', { name: 'Unlink GitHub' })).toBeInTheDocument();
  });

  it('leaves out providers that are neither enabled nor linked', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/auth/providers': () =>
        providersResponse({ providers: [{ id: 'orcid', name: 'ORCID', sign_in_url: '/auth/orcid/start' }] }),
      'GET /api/v1/accounts/me/identities': () => [orcidIdentity()],
    });
    renderWithProviders(<App />, { route: '/settings/social' });

    await row('ORCID');
    expect(screen.getAllByRole('heading', { level: 3 })).toHaveLength(1);
  });

  it('explains a refused link flow (?error=access_denied)', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/social?error=access_denied' });

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Access was not granted at the provider, so nothing was changed.',
    );
  });
});
