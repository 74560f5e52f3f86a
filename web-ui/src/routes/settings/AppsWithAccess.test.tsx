import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { formatDateTime } from '../../lib/format';
import { oidcScopeWords, sortedScopes } from '../../lib/oidc-scopes';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { appAccess, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

const route = '/settings/apps';

const COMMONS = appAccess({
  client_id: 'pc_DataC1teC0mm0ns',
  name: 'DataCite Commons',
  first_party: true,
  scopes: ['openid', 'datacite', 'offline_access', 'orcid'],
  consented_at: null,
  last_signed_in_at: '2025-03-02T07:00:00Z',
  active_sign_ins: 2,
});

const box = () => screen.findByRole('region', { name: 'Apps with access' });

/** The value shown next to a term in a row. */
function fact(row: HTMLElement, term: string): HTMLElement {
  const dd = within(row).getByText(term, { selector: 'dt' }).nextElementSibling;
  if (!(dd instanceof HTMLElement)) throw new Error(`no value for ${term}`);
  return dd;
}

async function rows(section: HTMLElement): Promise<HTMLElement[]> {
  const list = await within(section).findByRole('list', { name: 'Your apps with access' });
  return within(list)
    .getAllByRole('listitem')
    .filter((li) => li.parentElement === list);
}

describe('settings: apps with access', () => {
  it('is a page under Your account, in the menu after Active sessions', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    const nav = await screen.findByRole('navigation', { name: 'Settings' });

    await user.click(within(nav).getByRole('link', { name: 'Apps with access' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Apps with access' })).toBeInTheDocument();
    expect(document.title).toBe('Apps with access · Your account · Profiles');
    expect(within(nav).getByRole('link', { name: 'Apps with access' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('link', { name: 'Your account' })).toHaveClass('is-open');
  });

  it('lists each app with what it may have in words, whose service it is, when you agreed and your sign-ins', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/apps': () => ({ data: [appAccess(), COMMONS] }) });
    renderWithProviders(<App />, { route });

    const [repository, commons] = (await rows(await box())) as [HTMLElement, HTMLElement];

    expect(repository).toHaveTextContent('Repository of Examples');
    expect(within(repository).getByText('Third-party service', { selector: '.pill' })).toBeInTheDocument();
    expect(repository).toHaveTextContent('Not run by DataCite');
    const may = within(repository).getByRole('list', { name: 'What it may have' });
    expect(within(may).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Know that it is you',
      'Your name',
      'Your email address',
    ]);
    expect(fact(repository, 'You agreed')).toHaveTextContent(formatDateTime('2025-02-20T10:00:00Z'));
    expect(fact(repository, 'You agreed').querySelector('time')).toHaveAttribute('dateTime', '2025-02-20T10:00:00Z');
    expect(fact(repository, 'Last sign-in')).toHaveTextContent(formatDateTime('2025-03-01T08:30:00Z'));
    expect(fact(repository, 'Active sign-ins')).toHaveTextContent('1');
    expect(within(repository).getByRole('button', { name: 'Revoke access for Repository of Examples' })).toHaveTextContent(
      'Revoke access',
    );

    expect(within(commons).getByText('DataCite service', { selector: '.pill' })).toBeInTheDocument();
    expect(commons).toHaveTextContent('One of DataCite’s own services: it signs you in without asking.');
    expect(
      within(within(commons).getByRole('list', { name: 'What it may have' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'Know that it is you',
      'Your ORCID iD',
      'Your ORCID iD, role and whether Profiles holds an ORCID permission (for DataCite’s services)',
      'Stay signed in for up to 30 days',
    ]);
    expect(fact(commons, 'You agreed')).toHaveTextContent('Not asked: a DataCite service');
    expect(fact(commons, 'Active sign-ins')).toHaveTextContent('2');
    await expectNoAxeViolations();
  });

  it('says what the page is for when no app has access', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route });

    const section = await box();
    expect(
      await within(section).findByText(/When you sign in to another service with Profiles, it appears here/),
    ).toBeInTheDocument();
    expect(within(section).queryByRole('list')).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('revokes access only after a confirmation that says what it does, then says so', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/apps': () => ({ data: [appAccess({ active_sign_ins: 2 }), COMMONS] }),
      'DELETE /api/v1/accounts/me/apps/{client_id}': () => undefined,
    });
    const { user } = renderWithProviders(<App />, { route });
    const section = await box();
    await rows(section);
    const revoke = within(section).getByRole('button', { name: 'Revoke access for Repository of Examples' });

    // Cancel first: nothing happens, focus goes back.
    await user.click(revoke);
    let dialog = screen.getByRole('dialog', { name: 'Revoke access for Repository of Examples?' });
    expect(dialog).toHaveTextContent('It stops working for you now');
    expect(dialog).toHaveTextContent('You are signed out of it everywhere you are signed in to it (2 sign-ins)');
    expect(dialog).toHaveTextContent('Profiles tells it so');
    expect(dialog).toHaveTextContent('Next time you sign in to it with Profiles, it asks for your agreement again.');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await expectNoAxeViolations();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(revoke).toHaveFocus();
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    // Then confirm.
    api.set('GET /api/v1/accounts/me/apps', () => ({ data: [COMMONS] }));
    await user.click(revoke);
    dialog = screen.getByRole('dialog', { name: 'Revoke access for Repository of Examples?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke access' }));

    const notice = await within(section).findByRole('status');
    await waitFor(() => {
      expect(notice).toHaveTextContent(
        'Repository of Examples no longer has access to your Profiles account, and you are signed out of it.',
      );
    });
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/apps/pc_R3p0sit0ryOfExampl3s')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(async () => {
      expect(await rows(section)).toHaveLength(1);
    });
    expect(within(section).queryByRole('button', { name: /Repository of Examples/ })).not.toBeInTheDocument();

    await user.click(within(section).getByRole('button', { name: 'Dismiss' }));
    expect(notice).toBeEmptyDOMElement();
  });

  it('tells a DataCite service’s revocation apart: next time you sign in to it again', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/apps': () => ({ data: [COMMONS] }) });
    const { user } = renderWithProviders(<App />, { route });
    const section = await box();
    await rows(section);

    await user.click(within(section).getByRole('button', { name: 'Revoke access for DataCite Commons' }));

    const dialog = screen.getByRole('dialog', { name: 'Revoke access for DataCite Commons?' });
    expect(dialog).toHaveTextContent('Next time you use it, you sign in to it again.');
    expect(dialog).not.toHaveTextContent('agreement');
  });

  it('keeps the dialog open with the reason in plain words when revoking fails', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/apps': () => ({ data: [appAccess()] }),
      'DELETE /api/v1/accounts/me/apps/{client_id}': () => problem(404, 'not_found', 'You have not signed in to that app.'),
    });
    const { user } = renderWithProviders(<App />, { route });
    const section = await box();
    await rows(section);
    await user.click(within(section).getByRole('button', { name: 'Revoke access for Repository of Examples' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Revoke access' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Access was not revoked. You have not signed in to that app.',
    );
    expect(within(section).getByRole('status')).toBeEmptyDOMElement();
  });

  it('puts a failure to load in words, with a way to try again', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/apps': () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    renderWithProviders(<App />, { route });

    const alert = await within(await box()).findByRole('alert');
    expect(alert).toHaveTextContent(
      'Could not load the apps with access. The service is not answering as it should. Please try again in a moment.',
    );
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('OpenID scopes in words', () => {
  it('says each scope in words, openid first, and an unknown one as it is', () => {
    expect(oidcScopeWords('email')).toBe('Your email address');
    expect(oidcScopeWords('made_up')).toBe('made_up');
    expect(sortedScopes(['made_up', 'offline_access', 'profile', 'openid', 'profile'])).toEqual([
      'openid',
      'profile',
      'offline_access',
      'made_up',
    ]);
  });
});
