import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { formatDate } from '../../lib/format';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { account, ORCID, OTHER_SESSION_ID, session, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

/** The value shown next to a term in the overview. */
function fact(term: string): HTMLElement {
  const dt = screen.getByText(term, { selector: 'dt' });
  const dd = dt.nextElementSibling;
  if (!(dd instanceof HTMLElement)) throw new Error(`no value for ${term}`);
  return dd;
}

describe('settings: your account', () => {
  it('shows the account overview', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () =>
        account({ role: 'staff_admin', provider_id: 'datacite', client_id: 'datacite.test', beta_tester: true }),
    });

    renderWithProviders(<App />, { route: '/settings' });

    const section = await screen.findByRole('region', { name: 'Your account' });
    expect(within(section).getByText('Name', { selector: 'dt' })).toBeInTheDocument();
    expect(fact('Name')).toHaveTextContent('Josiah Carberry');
    expect(fact('Given names')).toHaveTextContent('Josiah');
    expect(fact('Family name')).toHaveTextContent('Carberry');
    expect(fact('Other names')).toHaveTextContent('J. S. Carberry');
    expect(within(fact('ORCID iD')).getByRole('link', { name: ORCID })).toHaveAttribute(
      'href',
      `https://orcid.org/${ORCID}`,
    );
    expect(fact('Email')).toHaveTextContent('josiah@example.org');
    expect(fact('Role')).toHaveTextContent('Staff Admin');
    expect(fact('Provider')).toHaveTextContent('datacite');
    expect(fact('Client')).toHaveTextContent('datacite.test');
    expect(fact('Beta tester')).toHaveTextContent('Yes');
    expect(fact('Account created')).toHaveTextContent(formatDate('2024-01-15T10:00:00Z'));
    await expectNoAxeViolations();
  });

  it('leaves out provider and client when unset, and says which fields are empty', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ email: null, other_names: [], role: 'user' }),
    });

    renderWithProviders(<App />, { route: '/settings' });

    await screen.findByRole('region', { name: 'Your account' });
    expect(fact('Email')).toHaveTextContent('Not set');
    expect(fact('Other names')).toHaveTextContent('None');
    expect(fact('Role')).toHaveTextContent('User');
    expect(screen.queryByText('Provider', { selector: 'dt' })).not.toBeInTheDocument();
    expect(screen.queryByText('Client', { selector: 'dt' })).not.toBeInTheDocument();
  });

  it('saves edits with PATCH, clearing emptied fields with null', async () => {
    const api = mockApi(signedInHandlers(), {
      'PATCH /api/v1/accounts/me': () => account({ name: 'Josiah S. Carberry', email: null }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Edit' }));

    const form = screen.getByRole('form', { name: 'Edit your account' });
    const name = within(form).getByLabelText('Name');
    expect(name).toHaveValue('Josiah Carberry');
    await user.clear(name);
    await user.type(name, 'Josiah S. Carberry');
    await user.clear(within(form).getByLabelText('Email'));
    await user.type(within(form).getByLabelText('Other names'), '{Enter}Josiah Stinkney Carberry');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Your changes were saved.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')[0]?.body).toEqual({
      name: 'Josiah S. Carberry',
      given_names: 'Josiah',
      family_name: 'Carberry',
      email: null,
      other_names: ['J. S. Carberry', 'Josiah Stinkney Carberry'],
      is_public: true,
    });
    expect(fact('Name')).toHaveTextContent('Josiah S. Carberry');
    expect(screen.getByRole('button', { name: 'Edit' })).toHaveFocus();
  });

  it('shows the 422 field errors next to their fields', async () => {
    mockApi(signedInHandlers(), {
      'PATCH /api/v1/accounts/me': () =>
        problem(422, 'invalid_field', 'That email address is not valid.', [
          { field: 'email', message: 'expected an address like name@example.org' },
        ]),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Edit your account' });
    const email = within(form).getByLabelText('Email');
    await user.clear(email);
    await user.type(email, 'josiah-at-example');

    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'Your changes were not saved. That email address is not valid.',
    );
    expect(email).toHaveAttribute('aria-invalid', 'true');
    // The account's email came from GitHub (the fixture's): the hint says so, then the error.
    expect(email).toHaveAccessibleDescription(
      'Filled in from your GitHub account. You can change it to another address; Profiles then keeps yours. Expected an address like name@example.org',
    );
    expect(within(form).getByLabelText('Name')).not.toHaveAttribute('aria-invalid');
    // Still editing, with what was typed.
    expect(email).toHaveValue('josiah-at-example');
    await expectNoAxeViolations();
  });

  it('cancels editing without a request', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Edit' }));

    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')).toHaveLength(0);
  });
});

describe('settings: active sessions', () => {
  it('lists sessions with browser, IP and last seen, marking this browser', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/sessions' });

    const section = await screen.findByRole('region', { name: 'Active sessions' });
    const items = await within(section).findAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [current, other] = items as [HTMLElement, HTMLElement];
    expect(current).toHaveTextContent('Firefox on Linux');
    expect(current).toHaveTextContent('This browser');
    expect(current).toHaveTextContent('192.0.2.10');
    expect(within(current).queryByRole('button')).not.toBeInTheDocument();
    expect(other).toHaveTextContent('Safari on macOS');
    expect(other).toHaveTextContent('198.51.100.7');
    expect(other).not.toHaveTextContent('This browser');
    expect(within(other).getByRole('button', { name: /^Sign out Safari on macOS/ })).toBeInTheDocument();
  });

  it('names the apps each session signed in to, and says signing it out signs it out of them', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/sessions': () => [
        session({ apps: ['DataCite Commons'] }),
        session({
          id: OTHER_SESSION_ID,
          current: false,
          user_agent:
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
          apps: ['Repository of Examples', 'DataCite Fabrica'],
        }),
        session({ id: 'a3f1c2d4-0000-4000-8000-000000000003', current: false, apps: [] }),
      ],
      'DELETE /api/v1/accounts/me/sessions/{id}': () => undefined,
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/sessions' });
    const section = await screen.findByRole('region', { name: 'Active sessions' });
    const [current, other, plain] = (await within(section).findAllByRole('listitem')) as [
      HTMLElement,
      HTMLElement,
      HTMLElement,
    ];

    expect(current).toHaveTextContent('Signed in to: DataCite Commons');
    expect(other).toHaveTextContent('Signed in to: Repository of Examples, DataCite Fabrica');
    expect(plain).not.toHaveTextContent('Signed in to:');
    expect(section).toHaveTextContent('Signing a session out also signs it out of the apps it signed in to with Profiles');
    await expectNoAxeViolations();

    await user.click(within(other).getByRole('button', { name: /^Sign out Safari on macOS/ }));
    let dialog = screen.getByRole('dialog', { name: 'Sign out this session?' });
    expect(dialog).toHaveTextContent(
      'It is also signed out of the apps it signed in to with Profiles: Repository of Examples, DataCite Fabrica.',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.click(within(plain).getByRole('button', { name: /^Sign out/ }));
    dialog = screen.getByRole('dialog', { name: 'Sign out this session?' });
    expect(dialog).not.toHaveTextContent('also signed out of the apps');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    // All others: the apps of the other sessions, not this browser's.
    await user.click(within(section).getByRole('button', { name: 'Sign out all other sessions' }));
    dialog = screen.getByRole('dialog', { name: 'Sign out all other sessions?' });
    expect(dialog).toHaveTextContent(
      'They are also signed out of the apps they signed in to with Profiles: Repository of Examples, DataCite Fabrica.',
    );
    expect(dialog).not.toHaveTextContent('DataCite Commons');
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });

  it('says nothing about apps when no session signed in to one', async () => {
    mockApi(signedInHandlers());
    renderWithProviders(<App />, { route: '/settings/sessions' });
    const section = await screen.findByRole('region', { name: 'Active sessions' });
    await within(section).findAllByRole('listitem');

    expect(section).not.toHaveTextContent('Signed in to:');
    expect(section).not.toHaveTextContent('apps');
  });

  it('revokes a session only after confirmation', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/sessions/{id}': () => undefined,
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/sessions' });
    const section = await screen.findByRole('region', { name: 'Active sessions' });
    const revoke = await within(section).findByRole('button', { name: /^Sign out Safari on macOS/ });

    // Cancel first: nothing happens, focus goes back.
    await user.click(revoke);
    let dialog = screen.getByRole('dialog', { name: 'Sign out this session?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await expectNoAxeViolations();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(revoke).toHaveFocus();
    expect(api.callsTo('DELETE', `/api/v1/accounts/me/sessions/${OTHER_SESSION_ID}`)).toHaveLength(0);

    // Then confirm.
    api.set('GET /api/v1/accounts/me/sessions', () => [session()]);
    await user.click(revoke);
    dialog = screen.getByRole('dialog', { name: 'Sign out this session?' });
    await user.click(within(dialog).getByRole('button', { name: 'Sign out' }));

    expect(await within(section).findByText('Signed out Safari on macOS.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', `/api/v1/accounts/me/sessions/${OTHER_SESSION_ID}`)).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => {
      expect(within(section).getAllByRole('listitem')).toHaveLength(1);
    });
  });

  it('closes the confirmation on Escape', async () => {
    mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/sessions' });
    await user.click(await screen.findByRole('button', { name: /^Sign out Safari on macOS/ }));
    expect(screen.getByRole('dialog')).toBeInTheDocument();

    await user.keyboard('{Escape}');

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeps the dialog open with the reason when revoking fails', async () => {
    mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/sessions/{id}': () =>
        problem(404, 'not_found', 'No such active session of yours.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/sessions' });
    await user.click(await screen.findByRole('button', { name: /^Sign out Safari on macOS/ }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Sign out' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Nothing was signed out. No such active session of yours.',
    );
  });

  it('signs out all other sessions after confirmation', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me/sessions': () => ({ revoked: 1 }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/sessions' });
    await user.click(await screen.findByRole('button', { name: 'Sign out all other sessions' }));
    const dialog = screen.getByRole('dialog', { name: 'Sign out all other sessions?' });
    expect(dialog).toHaveTextContent('This browser stays signed in.');

    api.set('GET /api/v1/accounts/me/sessions', () => [session()]);
    await user.click(within(dialog).getByRole('button', { name: 'Sign out all others' }));

    expect(await screen.findByText('Signed out 1 other session.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me/sessions')).toHaveLength(1);
    await waitFor(() => {
      expect(screen.queryByRole('button', { name: 'Sign out all other sessions' })).not.toBeInTheDocument();
    });
  });
});
