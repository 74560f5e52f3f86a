import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { permission, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

async function box(name: string): Promise<HTMLElement> {
  return screen.findByRole('region', { name });
}

describe('settings: ORCID claims', () => {
  it('shows Enabled with Disable, and Disabled with an Enable link that comes back here', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update', { status: 'revoked', revoked_at: '2025-02-10T10:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await box('Search & Link');
    expect(within(searchAndLink).getByText('Enabled')).toHaveClass('pill');
    expect(within(searchAndLink).getByRole('button', { name: 'Disable Search & Link' })).toBeInTheDocument();
    expect(within(searchAndLink).queryByRole('link', { name: /Enable/ })).not.toBeInTheDocument();

    const autoUpdate = await box('Auto-Update');
    expect(within(autoUpdate).getByText('Disabled')).toHaveClass('pill');
    expect(within(autoUpdate).getByRole('link', { name: 'Enable Auto-Update' })).toHaveAttribute(
      'href',
      '/auth/orcid/grant?kind=auto_update&return_to=%2Fsettings%2Fclaims',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('explains an invalid grant (revoked on ORCID) and offers to enable it again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'invalid', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update', { status: 'expired', granted_at: '2005-01-10T10:00:00Z' }),
      ],
    });
    renderWithProviders(<App />, { route: '/settings/claims' });

    const searchAndLink = await box('Search & Link');
    expect(within(searchAndLink).getByText('Access revoked on ORCID — enable again')).toHaveClass('pill');
    const alert = within(searchAndLink).getByRole('alert');
    expect(alert).toHaveTextContent('it was probably revoked on orcid.org');
    expect(within(alert).getByRole('link', { name: 'Enable Search & Link again' })).toHaveAttribute(
      'href',
      '/auth/orcid/grant?kind=search_and_link&return_to=%2Fsettings%2Fclaims',
    );
    expect(within(searchAndLink).queryByRole('button')).not.toBeInTheDocument();

    const autoUpdate = await box('Auto-Update');
    expect(within(autoUpdate).getByText('Expired')).toHaveClass('pill');
    expect(within(autoUpdate).getByRole('alert')).toHaveTextContent('has expired');
    expect(within(autoUpdate).getByRole('link', { name: 'Enable Auto-Update again' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('disables a permission with DELETE only after confirmation', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link'),
        permission('auto_update', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () =>
        permission('auto_update', { status: 'revoked', revoked_at: '2025-03-02T10:00:00Z' }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    await user.click(within(await box('Auto-Update')).getByRole('button', { name: 'Disable Auto-Update' }));

    const dialog = screen.getByRole('dialog', { name: 'Disable Auto-Update?' });
    expect(dialog).toHaveTextContent('DataCite will stop adding new works to your ORCID record automatically.');
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    api.set('GET /api/v1/accounts/me/permissions', () => [
      permission('search_and_link'),
      permission('auto_update', { status: 'revoked', revoked_at: '2025-03-02T10:00:00Z' }),
    ]);
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));

    expect(await screen.findByText('Auto-Update is disabled.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/permissions/auto_update')).toHaveLength(1);
    expect(await within(await box('Auto-Update')).findByRole('link', { name: 'Enable Auto-Update' })).toBeInTheDocument();
  });

  it('shows why disabling failed (ORCID unreachable) and changes nothing', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/permissions': () => [
        permission('search_and_link', { status: 'active', granted_at: '2025-01-10T10:00:00Z' }),
        permission('auto_update'),
      ],
      'DELETE /api/v1/accounts/me/permissions/{kind}': () =>
        problem(502, 'orcid_unavailable', 'ORCID could not be reached; nothing changed.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/claims' });
    await user.click(within(await box('Search & Link')).getByRole('button', { name: 'Disable Search & Link' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('ORCID could not be reached; nothing changed.');
  });

  it('holds places for claim statistics and the claims list, with no numbers', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims' });

    const stats = await box('Claim statistics');
    expect(stats).toHaveTextContent('Claim statistics appear here once the claims service is available.');
    expect(stats.textContent).not.toMatch(/\d/);
    const list = await box('Your claimed works');
    expect(list).toHaveTextContent('will be listed here once the claims service is available');
    expect(list.textContent).not.toMatch(/\d/);
    expect(within(list).getByRole('link', { name: 'find your works in DataCite Search' })).toHaveAttribute(
      'href',
      expect.stringContaining('https://search.datacite.org/doi.org?query=') as string,
    );
  });

  it('explains a refused grant (?error=access_denied)', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims?error=access_denied' });

    expect(await screen.findByRole('alert')).toHaveTextContent('Access was not granted at the provider');
  });
});
