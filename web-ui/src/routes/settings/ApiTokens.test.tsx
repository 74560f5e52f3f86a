import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { formatDateTime } from '../../lib/format';
import { mockApi, problem, reauthenticationRequired } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectReauthentication } from '../../test/flows';
import { account, apiToken, createdApiToken, signedInHandlers, TOKEN_SECRET } from '../../test/fixtures';
import { jsonResponse, renderWithProviders } from '../../test/render';

type Role = components['schemas']['Role'];

async function tokensBox() {
  return screen.findByRole('region', { name: 'API tokens' });
}

/** The scope checkboxes offered, by their scope names. */
function offeredScopes(box: HTMLElement): string[] {
  const group = within(box).getByRole('group', { name: 'Scopes' });
  return within(group)
    .getAllByRole('checkbox')
    .map((checkbox) => /\((.+)\)$/.exec((checkbox as HTMLInputElement).labels?.[0]?.textContent ?? '')?.[1] ?? '');
}

describe('settings: API tokens', () => {
  it('lists tokens with their scopes and last use, and offers Revoke only for live ones', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/tokens': () => [
        apiToken(),
        apiToken({ id: 't2', name: 'Old script', last_used_at: null, revoked_at: '2025-02-01T00:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();

    const list = await within(box).findByRole('list', { name: 'Your API tokens' });
    const [live, revoked] = within(list).getAllByRole('listitem') as [HTMLElement, HTMLElement];
    expect(live).toHaveTextContent('Repository sync');
    expect(live).toHaveTextContent('prf_Lu1ppEul_…');
    expect(live).toHaveTextContent('claims:read');
    expect(live).toHaveTextContent(formatDateTime('2025-03-01T07:15:00Z'));
    expect(live).toHaveTextContent('Active');
    expect(within(live).getByRole('button', { name: 'Revoke Repository sync' })).toBeInTheDocument();
    expect(revoked).toHaveTextContent('Never used');
    expect(revoked).toHaveTextContent('Revoked');
    expect(within(revoked).queryByRole('button')).not.toBeInTheDocument();
  });

  it.each<[Role, string[]]>([
    ['user', ['claims:read', 'claims:write']],
    ['provider_admin', ['claims:read', 'claims:write', 'accounts:read']],
    ['staff_user', ['claims:read', 'claims:write', 'accounts:read']],
    ['staff_admin', ['claims:read', 'claims:write', 'accounts:read', 'events:write']],
  ])('offers a %s only the scopes the role may use', async (role, scopes) => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => account({ role }) });
    renderWithProviders(<App />, { route: '/settings/tokens' });

    expect(offeredScopes(await tokensBox())).toEqual(scopes);
  });

  it('creates a token and shows its secret once, with a copy button and a warning', async () => {
    const api = mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/tokens': () => jsonResponse(createdApiToken(), { status: 201 }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();
    expect(box).not.toHaveTextContent(TOKEN_SECRET);

    await user.type(within(box).getByLabelText('Name'), '  Event feed ');
    await user.click(within(box).getByRole('checkbox', { name: 'Write claims (claims:write)' }));
    await user.click(within(box).getByRole('checkbox', { name: 'Read claims (claims:read)' }));
    const days = within(box).getByLabelText('Expires after (days)');
    expect(days).toHaveValue(90);
    await user.clear(days);
    await user.type(days, '30');
    api.set('GET /api/v1/accounts/me/tokens', () => [
      apiToken({ ...createdApiToken(), scopes: ['claims:write', 'claims:read'] }),
      apiToken(),
    ]);
    await user.click(within(box).getByRole('button', { name: 'Create token' }));

    const secretBox = await within(box).findByRole('region', { name: 'Your new token “Event feed”' });
    expect(api.callsTo('POST', '/api/v1/accounts/me/tokens').map((c) => c.body)).toEqual([
      { name: 'Event feed', scopes: ['claims:write', 'claims:read'], expires_in_days: 30 },
    ]);
    const secret = within(secretBox).getByLabelText('Token');
    expect(secret).toHaveValue(TOKEN_SECRET);
    expect(secret).toHaveAttribute('readonly');
    expect(secret).toHaveAccessibleDescription(/it will not be shown again/);
    expect(within(secretBox).getByRole('heading', { name: 'Your new token “Event feed”' })).toHaveFocus();
    // The form is empty again, ready for another.
    expect(within(box).getByLabelText('Name')).toHaveValue('');
    await expectNoAxeViolations();

    await user.click(within(secretBox).getByRole('button', { name: 'Copy token' }));
    expect(await within(secretBox).findByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(TOKEN_SECRET);

    // The list shows the new token by its hint, never its secret.
    const list = within(box).getByRole('list', { name: 'Your API tokens' });
    await waitFor(() => {
      expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    });
    expect(list).toHaveTextContent('prf_N3wT0ken_…');
    expect(list).not.toHaveTextContent(TOKEN_SECRET);

    await user.click(within(secretBox).getByRole('button', { name: 'Done' }));

    expect(within(box).queryByRole('region', { name: /Your new token/ })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(TOKEN_SECRET);
    expect(screen.queryByDisplayValue(TOKEN_SECRET)).not.toBeInTheDocument();
  });

  it('does not show the secret again after leaving the page and coming back', async () => {
    mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/tokens': () => jsonResponse(createdApiToken(), { status: 201 }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();
    await user.type(within(box).getByLabelText('Name'), 'Event feed');
    await user.click(within(box).getByRole('checkbox', { name: 'Read claims (claims:read)' }));
    await user.click(within(box).getByRole('button', { name: 'Create token' }));
    expect(await screen.findByDisplayValue(TOKEN_SECRET)).toBeInTheDocument();

    const nav = screen.getByRole('navigation', { name: 'Settings' });
    await user.click(within(nav).getByRole('link', { name: 'Social login' }));
    await user.click(within(nav).getByRole('link', { name: 'API tokens' }));

    await tokensBox();
    expect(document.body.innerHTML).not.toContain(TOKEN_SECRET);
  });

  it('asks for a name and a scope before sending anything', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();

    await user.click(within(box).getByRole('button', { name: 'Create token' }));

    expect(within(box).getByLabelText('Name')).toHaveAccessibleDescription(/Give the token a name\./);
    expect(within(box).getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    expect(within(box).getByRole('group', { name: 'Scopes' })).toHaveAccessibleDescription('Choose at least one scope.');
    expect(api.callsTo('POST', '/api/v1/accounts/me/tokens')).toHaveLength(0);
  });

  it('shows the API’s refusal of a scope in plain words', async () => {
    mockApi(signedInHandlers(), {
      'POST /api/v1/accounts/me/tokens': () =>
        problem(403, 'scope_not_allowed', 'Your role cannot use the scope accounts:read.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();
    await user.type(within(box).getByLabelText('Name'), 'Sync');
    await user.click(within(box).getByRole('checkbox', { name: 'Read claims (claims:read)' }));

    await user.click(within(box).getByRole('button', { name: 'Create token' }));

    expect(await within(box).findByRole('alert')).toHaveTextContent(
      'The token was not created. Your role cannot use the scope accounts:read.',
    );
    expect(within(box).queryByRole('region', { name: /Your new token/ })).not.toBeInTheDocument();
  });

  it('asks to sign in again when creating a token needs a recent sign-in', async () => {
    mockApi(signedInHandlers(), { 'POST /api/v1/accounts/me/tokens': () => reauthenticationRequired() });
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();
    await user.type(within(box).getByLabelText('Name'), 'Sync');
    await user.click(within(box).getByRole('checkbox', { name: 'Read claims (claims:read)' }));

    await user.click(within(box).getByRole('button', { name: 'Create token' }));

    expectReauthentication(await within(box).findByRole('alert'), '/settings/tokens', 'The token was not created.');
    // What was typed stays, to repeat after signing in again.
    expect(within(box).getByLabelText('Name')).toHaveValue('Sync');
    expect(within(box).queryByRole('region', { name: /Your new token/ })).not.toBeInTheDocument();
  });

  it('revokes a token only after confirmation', async () => {
    const api = mockApi(signedInHandlers(), { 'DELETE /api/v1/accounts/me/tokens/{id}': () => undefined });
    const { user } = renderWithProviders(<App />, { route: '/settings/tokens' });
    const box = await tokensBox();
    const revoke = await within(box).findByRole('button', { name: 'Revoke Repository sync' });

    await user.click(revoke);
    let dialog = screen.getByRole('dialog', { name: 'Revoke this token?' });
    expect(dialog).toHaveTextContent('“Repository sync” (prf_Lu1ppEul_…) stops working at once.');
    await expectNoAxeViolations();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    api.set('GET /api/v1/accounts/me/tokens', () => [apiToken({ revoked_at: '2025-03-02T12:00:00Z' })]);
    await user.click(revoke);
    dialog = screen.getByRole('dialog', { name: 'Revoke this token?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));

    expect(await within(box).findByText('The token “Repository sync” was revoked.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', `/api/v1/accounts/me/tokens/${apiToken().id}`)).toHaveLength(1);
    await waitFor(() => {
      expect(within(box).queryByRole('button', { name: 'Revoke Repository sync' })).not.toBeInTheDocument();
    });
  });
});
