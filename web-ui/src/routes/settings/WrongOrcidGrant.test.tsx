import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectFlowPost } from '../../test/flows';
import { ORCID, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Issue 14, item 5: a grant made at ORCID as another ORCID iD comes back to its page with
// `?error=grant_wrong_orcid&kind=…`; the page explains and offers one button that grants again,
// ORCID asking for the password afresh.

describe('a grant made as another ORCID iD', () => {
  it('explains, and grants again with a fresh ORCID sign-in, back to this page', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims?error=grant_wrong_orcid&kind=search_and_link' });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      `You granted access while signed in to orcid.org as another ORCID iD. Search & Link was not enabled: it can only be granted by the ORCID iD of this account, ${ORCID}.`,
    );
    expect(alert).toHaveTextContent(`Sign in to ORCID again as ${ORCID} — ORCID asks for your password this time`);
    // Not the generic "something went wrong at the provider".
    expect(alert).not.toHaveTextContent('Something went wrong');
    // One remedy: a same-origin form post, never a link.
    expect(within(alert).queryByRole('link')).not.toBeInTheDocument();
    expectFlowPost(within(alert).getByRole('button', { name: 'Sign in to ORCID again and grant' }), '/auth/orcid/grant', {
      kind: 'search_and_link',
      return_to: '/settings/claims?granted=search_and_link',
      fresh_login: 'true',
    });
    // The box's own Enable button still grants without forcing a login.
    expectFlowPost(
      await within(await screen.findByRole('region', { name: 'Search & Link' })).findByRole('button', {
        name: 'Enable Search & Link',
      }),
      '/auth/orcid/grant',
      { kind: 'search_and_link', return_to: '/settings/claims?granted=search_and_link' },
    );
    await expectNoAxeViolations();
  });

  it('names Auto-Update and keeps the rest of the page’s query in return_to', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, {
      route: '/settings/claims/list?page=2&error=grant_wrong_orcid&kind=auto_update',
    });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Auto-Update was not enabled');
    expectFlowPost(within(alert).getByRole('button', { name: 'Sign in to ORCID again and grant' }), '/auth/orcid/grant', {
      kind: 'auto_update',
      return_to: '/settings/claims/list?page=2&granted=auto_update',
      fresh_login: 'true',
    });
  });

  it('can be dismissed', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, {
      route: '/settings/claims?error=grant_wrong_orcid&kind=search_and_link',
    });

    await user.click(within(await screen.findByRole('alert')).getByRole('button', { name: 'Dismiss' }));

    await waitFor(() => {
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });
    expect(screen.queryByRole('button', { name: 'Sign in to ORCID again and grant' })).not.toBeInTheDocument();
  });

  it('without a known permission, says what happened in words, with no button', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/claims?error=grant_wrong_orcid&kind=bogus' });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'You granted access while signed in to orcid.org as another ORCID iD, so nothing was enabled.',
    );
    expect(within(alert).queryByRole('button', { name: 'Sign in to ORCID again and grant' })).not.toBeInTheDocument();
  });
});
