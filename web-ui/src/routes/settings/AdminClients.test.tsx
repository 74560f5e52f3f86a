import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { clientFieldErrors, clientKindWords, uriLines } from '../../features/admin/client-words';
import { formatDate } from '../../lib/format';
import { mockApi, problem, reauthenticationRequired, type Handlers } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectReauthentication } from '../../test/flows';
import {
  account,
  auditEntry,
  CLIENT_SECRET,
  clientView,
  registeredClient,
  signedInHandlers,
} from '../../test/fixtures';
import { jsonResponse, renderWithProviders } from '../../test/render';

type Role = components['schemas']['Role'];

const route = '/settings/admin/clients';

const PUBLIC_APP = clientView({
  client_id: 'pc_Publ1cSp4Cl13nt',
  name: 'Fabrica in the browser',
  kind: 'public',
  first_party: true,
  redirect_uris: [
    'https://fabrica.example.org/auth/callback',
    'http://localhost:4200/a/very/long/path/that/must/wrap/on/a/phone/instead/of/widening/the/page/callback',
  ],
  post_logout_redirect_uris: ['https://fabrica.example.org/signed-out'],
  backchannel_logout_uri: 'https://fabrica.example.org/auth/backchannel-logout',
  allowed_scopes: ['offline_access', 'openid', 'datacite'],
});

function adminHandlers(role: Role = 'staff_admin'): Handlers {
  return {
    ...signedInHandlers(),
    'GET /api/v1/accounts/me': () => account({ role }),
    'GET /api/v1/admin/accounts': () => ({
      data: [],
      meta: { total: 0, page: 1, page_size: 25, total_pages: 0, roles: {}, created_years: {} },
    }),
    'GET /api/v1/admin/audit': () => [auditEntry()],
    'GET /api/v1/admin/clients': () => ({ data: [clientView(), PUBLIC_APP] }),
  };
}

const listBox = () => screen.findByRole('region', { name: 'Registered applications' });

async function clientRows(box: HTMLElement): Promise<HTMLElement[]> {
  const list = await within(box).findByRole('list', { name: 'Registered applications' });
  return within(list)
    .getAllByRole('listitem')
    .filter((li) => li.parentElement === list);
}

const factOf = (row: HTMLElement, term: string) => within(row).getByText(term, { selector: 'dt' }).nextElementSibling;

type User = ReturnType<typeof renderWithProviders>['user'];

/** Puts `text` in a field as a paste: long URIs typed key by key would make the tests slow. */
async function enter(user: User, field: HTMLElement, text: string) {
  await user.click(field);
  await user.paste(text);
}

/** Fills the register form with a confidential DataCite service and submits it. */
async function fillAndRegister(user: User, form: HTMLElement) {
  await enter(user, within(form).getByLabelText('Name'), '  DataCite Commons ');
  await enter(
    user,
    within(form).getByLabelText('Redirect URIs'),
    ' https://commons.example.org/callback \n\nhttp://localhost:3000/callback',
  );
  await user.click(within(form).getByRole('checkbox', { name: 'email' }));
  await user.click(within(form).getByRole('checkbox', { name: 'datacite' }));
  await user.click(within(form).getByRole('checkbox', { name: 'DataCite service: no consent page' }));
  await enter(user, within(form).getByLabelText('Post-logout redirect URIs (optional)'), 'https://commons.example.org/bye');
  await enter(
    user,
    within(form).getByLabelText('Back-channel logout URI (optional)'),
    'https://commons.example.org/backchannel',
  );
  await user.click(within(form).getByRole('button', { name: 'Register application' }));
}

describe('admin: client applications', () => {
  it('is linked from Admin for staff admins, and lists each client with its URIs, kind and scopes', async () => {
    mockApi(adminHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/admin' });
    await user.click(await screen.findByRole('link', { name: 'Client applications' }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Client applications' })).toBeInTheDocument();
    expect(document.title).toBe('Client applications · Admin · Profiles');
    const [confidential, pub] = (await clientRows(await listBox())) as [HTMLElement, HTMLElement];

    expect(confidential).toHaveTextContent('Repository of Examples');
    expect(confidential).toHaveTextContent('Client ID pc_R3p0sit0ryOfExampl3s');
    expect(within(confidential).getByText('Confidential: with a secret', { selector: '.pill' })).toBeInTheDocument();
    expect(within(confidential).queryByText(/DataCite service/)).not.toBeInTheDocument();
    expect(factOf(confidential, 'Redirect URIs')).toHaveTextContent('https://repository.example.org/auth/profiles/callback');
    expect(factOf(confidential, 'Post-logout redirect URIs')).toHaveTextContent('None');
    expect(factOf(confidential, 'Back-channel logout URI')).toHaveTextContent('None');
    expect(factOf(confidential, 'Scopes')).toHaveTextContent('openid profile email');
    expect(factOf(confidential, 'Registered')).toHaveTextContent(formatDate('2025-02-01T09:00:00Z'));

    expect(within(pub).getByText('Public: PKCE, no secret', { selector: '.pill' })).toBeInTheDocument();
    expect(within(pub).getByText('DataCite service: no consent page', { selector: '.pill' })).toBeInTheDocument();
    const redirects = within(factOf(pub, 'Redirect URIs') as HTMLElement).getAllByRole('listitem');
    expect(redirects.map((li) => li.textContent)).toEqual(PUBLIC_APP.redirect_uris);
    // Long URIs are code that wraps (styles.css: .uri-list code), never a horizontal scroll.
    expect(redirects[1]?.querySelector('code')).not.toBeNull();
    expect(factOf(pub, 'Post-logout redirect URIs')).toHaveTextContent('https://fabrica.example.org/signed-out');
    expect(factOf(pub, 'Back-channel logout URI')).toHaveTextContent('https://fabrica.example.org/auth/backchannel-logout');
    expect(factOf(pub, 'Scopes')).toHaveTextContent('openid datacite offline_access');
    expect(within(pub).getByRole('button', { name: 'Remove Fabrica in the browser' })).toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('says when none is registered yet, and offers the form', async () => {
    mockApi(adminHandlers(), { 'GET /api/v1/admin/clients': () => ({ data: [] }) });
    renderWithProviders(<App />, { route });

    const box = await listBox();
    expect(await within(box).findByText(/No client application is registered yet/)).toBeInTheDocument();
    expect(within(box).getByRole('form', { name: 'Register a client application' })).toBeInTheDocument();
  });

  it.each<[Role]>([['staff_user'], ['provider_admin']])(
    'is for staff admins only: a %s is not linked there, is told so, and nothing is asked',
    async (role) => {
      const api = mockApi(adminHandlers(role));
      const { unmount } = renderWithProviders(<App />, { route: '/settings/admin' });
      expect(await screen.findByRole('heading', { level: 2, name: 'Admin' })).toBeInTheDocument();
      expect(screen.queryByRole('link', { name: 'Client applications' })).not.toBeInTheDocument();
      unmount();

      renderWithProviders(<App />, { route });
      expect(await screen.findByText('Client applications are for DataCite staff admins.')).toBeInTheDocument();
      expect(screen.queryByRole('form')).not.toBeInTheDocument();
      expect(api.callsTo('GET', '/api/v1/admin/clients')).toHaveLength(0);
    },
  );

  it('asks to sign in again when the list needs a recent sign-in (403 reauthentication_required), with no form', async () => {
    mockApi(adminHandlers(), { 'GET /api/v1/admin/clients': () => reauthenticationRequired(403) });
    renderWithProviders(<App />, { route });

    const box = await listBox();
    expectReauthentication(await within(box).findByRole('alert'), route, 'Could not load the client applications.');
    expect(within(box).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(within(box).queryByRole('form')).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('registers a client and shows its secret once, with the client ID, the discovery URL and copy buttons', async () => {
    const api = mockApi(adminHandlers(), {
      'POST /api/v1/admin/clients': () => jsonResponse(registeredClient(), { status: 201 }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const box = await listBox();
    const form = await within(box).findByRole('form', { name: 'Register a client application' });
    expect(within(form).getByRole('checkbox', { name: 'profile' })).toBeChecked();
    expect(within(form).getByRole('checkbox', { name: 'profile' })).toHaveAccessibleDescription('“Your name”');
    expect(within(form).getByRole('group', { name: 'Scopes it may ask for' })).toHaveAccessibleDescription(
      /openid is always included: “Know that it is you”/,
    );
    expect(box).not.toHaveTextContent(CLIENT_SECRET);

    api.set('GET /api/v1/admin/clients', () => ({ data: [clientView(), PUBLIC_APP, registeredClient().client] }));
    await fillAndRegister(user, form);

    const secretBox = await within(box).findByRole('region', { name: '“DataCite Commons” is registered' });
    expect(api.callsTo('POST', '/api/v1/admin/clients').map((c) => c.body)).toEqual([
      {
        name: 'DataCite Commons',
        redirect_uris: ['https://commons.example.org/callback', 'http://localhost:3000/callback'],
        allowed_scopes: ['openid', 'profile', 'email', 'datacite'],
        public: false,
        first_party: true,
        post_logout_redirect_uris: ['https://commons.example.org/bye'],
        backchannel_logout_uri: 'https://commons.example.org/backchannel',
      },
    ]);
    expect(within(secretBox).getByRole('heading', { name: '“DataCite Commons” is registered' })).toHaveFocus();
    const secret = within(secretBox).getByLabelText('Client secret');
    expect(secret).toHaveValue(CLIENT_SECRET);
    expect(secret).toHaveAttribute('readonly');
    expect(secret).toHaveAccessibleDescription(/Copy the client secret now: it will not be shown again\./);
    expect(within(secretBox).getByLabelText('Client ID')).toHaveValue('pc_N3wCl13ntF0rC0mmons');
    expect(within(secretBox).getByLabelText('Discovery URL')).toHaveValue(
      `${window.location.origin}/.well-known/openid-configuration`,
    );
    // The form is empty again, ready for another.
    expect(within(form).getByLabelText('Name')).toHaveValue('');
    expect(within(form).getByLabelText('Redirect URIs')).toHaveValue('');
    await expectNoAxeViolations();

    await user.click(within(secretBox).getByRole('button', { name: 'Copy client secret' }));
    expect(await within(secretBox).findByText('The client secret is copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(CLIENT_SECRET);
    await user.click(within(secretBox).getByRole('button', { name: 'Copy client ID' }));
    expect(await navigator.clipboard.readText()).toBe('pc_N3wCl13ntF0rC0mmons');

    // The list shows the new client, never its secret.
    await waitFor(async () => {
      expect(await clientRows(box)).toHaveLength(3);
    });
    expect(within(box).getByRole('list', { name: 'Registered applications' })).not.toHaveTextContent(CLIENT_SECRET);

    await user.click(within(secretBox).getByRole('button', { name: 'Done' }));
    expect(within(box).queryByRole('region', { name: /is registered/ })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(CLIENT_SECRET);
  });

  it('does not show the secret again after leaving the page and coming back', async () => {
    mockApi(adminHandlers(), {
      'POST /api/v1/admin/clients': () => jsonResponse(registeredClient(), { status: 201 }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const form = await within(await listBox()).findByRole('form', { name: 'Register a client application' });
    await fillAndRegister(user, form);
    expect(await screen.findByDisplayValue(CLIENT_SECRET)).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'Back to Admin' }));
    await user.click(await screen.findByRole('link', { name: 'Client applications' }));

    await clientRows(await listBox());
    expect(document.body.innerHTML).not.toContain(CLIENT_SECRET);
  });

  it('says a public client has no secret', async () => {
    const api = mockApi(adminHandlers(), {
      'POST /api/v1/admin/clients': () =>
        jsonResponse(registeredClient({ client: PUBLIC_APP, client_secret: null }), { status: 201 }),
    });
    const { user } = renderWithProviders(<App />, { route });
    const form = await within(await listBox()).findByRole('form', { name: 'Register a client application' });
    await enter(user, within(form).getByLabelText('Name'), 'Fabrica in the browser');
    await enter(user, within(form).getByLabelText('Redirect URIs'), 'https://fabrica.example.org/auth/callback');
    await user.click(within(form).getByRole('checkbox', { name: 'profile' }));
    await user.click(within(form).getByRole('checkbox', { name: 'Public client: single-page or native app, no secret' }));
    await user.click(within(form).getByRole('button', { name: 'Register application' }));

    const box = await screen.findByRole('region', { name: '“Fabrica in the browser” is registered' });
    expect(box).toHaveTextContent('A public client has no secret: it proves itself with PKCE');
    expect(within(box).queryByLabelText('Client secret')).not.toBeInTheDocument();
    expect(within(box).getByLabelText('Client ID')).toHaveValue('pc_Publ1cSp4Cl13nt');
    expect(api.callsTo('POST', '/api/v1/admin/clients')[0]?.body).toMatchObject({
      allowed_scopes: ['openid'],
      public: true,
      first_party: false,
      post_logout_redirect_uris: [],
      backchannel_logout_uri: null,
    });
  });

  it('asks for a name and a redirect URI before sending anything', async () => {
    const api = mockApi(adminHandlers());
    const { user } = renderWithProviders(<App />, { route });
    const form = await within(await listBox()).findByRole('form', { name: 'Register a client application' });

    await user.click(within(form).getByRole('button', { name: 'Register application' }));

    expect(within(form).getByLabelText('Name')).toHaveAccessibleDescription(/Give the application a name\./);
    expect(within(form).getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('Redirect URIs')).toHaveAccessibleDescription(/Give at least one redirect URI\./);
    expect(api.callsTo('POST', '/api/v1/admin/clients')).toHaveLength(0);
  });

  it('shows the API’s 422 in plain words beside the field it names', async () => {
    mockApi(adminHandlers(), {
      'POST /api/v1/admin/clients': () =>
        problem(
          422,
          'invalid_parameter',
          'redirect_uris: "ftp://commons.example.org/callback" must be https (http only for localhost).',
          [{ field: 'redirect_uris', message: 'must be https (http only for localhost)' }],
        ),
    });
    const { user } = renderWithProviders(<App />, { route });
    const form = await within(await listBox()).findByRole('form', { name: 'Register a client application' });
    await enter(user, within(form).getByLabelText('Name'), 'DataCite Commons');
    await enter(user, within(form).getByLabelText('Redirect URIs'), 'ftp://commons.example.org/callback');

    await user.click(within(form).getByRole('button', { name: 'Register application' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The application was not registered. Check what is marked below.',
    );
    const redirects = within(form).getByLabelText('Redirect URIs');
    expect(redirects).toHaveAttribute('aria-invalid', 'true');
    expect(redirects).toHaveAccessibleDescription(
      /“ftp:\/\/commons\.example\.org\/callback” must start with https:\/\/ \(http:\/\/ only for localhost or 127\.0\.0\.1\)\./,
    );
    expect(within(form).getByLabelText('Name')).not.toHaveAttribute('aria-invalid');
    // What was typed stays, to correct.
    expect(redirects).toHaveValue('ftp://commons.example.org/callback');
    expect(screen.queryByRole('region', { name: /is registered/ })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('asks to sign in again when registering needs a recent sign-in', async () => {
    mockApi(adminHandlers(), { 'POST /api/v1/admin/clients': () => reauthenticationRequired() });
    const { user } = renderWithProviders(<App />, { route });
    const form = await within(await listBox()).findByRole('form', { name: 'Register a client application' });
    await enter(user, within(form).getByLabelText('Name'), 'DataCite Commons');
    await enter(user, within(form).getByLabelText('Redirect URIs'), 'https://commons.example.org/callback');

    await user.click(within(form).getByRole('button', { name: 'Register application' }));

    expectReauthentication(await within(form).findByRole('alert'), route, 'The application was not registered.');
    expect(within(form).getByLabelText('Name')).toHaveValue('DataCite Commons');
  });

  it('removes a client only after a confirmation that says everyone signed in through it is signed out of it', async () => {
    const api = mockApi(adminHandlers(), { 'DELETE /api/v1/admin/clients/{client_id}': () => undefined });
    const { user } = renderWithProviders(<App />, { route });
    const box = await listBox();
    await clientRows(box);
    const remove = within(box).getByRole('button', { name: 'Remove Fabrica in the browser' });

    await user.click(remove);
    let dialog = screen.getByRole('dialog', { name: 'Remove this client application?' });
    expect(dialog).toHaveTextContent('“Fabrica in the browser” (pc_Publ1cSp4Cl13nt) can no longer sign anyone in');
    expect(dialog).toHaveTextContent('Every person signed in through it is signed out of it');
    expect(dialog).toHaveTextContent('every token it holds stops working at once');
    expect(dialog).toHaveTextContent('Profiles tells it so at its back-channel logout URI');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await expectNoAxeViolations();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    api.set('GET /api/v1/admin/clients', () => ({ data: [clientView()] }));
    await user.click(remove);
    dialog = screen.getByRole('dialog', { name: 'Remove this client application?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove application' }));

    expect(
      await within(box).findByText(
        '“Fabrica in the browser” was removed. Everyone signed in through it is signed out of it.',
      ),
    ).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/admin/clients/pc_Publ1cSp4Cl13nt')).toHaveLength(1);
    await waitFor(async () => {
      expect(await clientRows(box)).toHaveLength(1);
    });
  });

  it('keeps the dialog open with the reason when removing fails, and asks to sign in again when it must', async () => {
    const api = mockApi(adminHandlers(), {
      'DELETE /api/v1/admin/clients/{client_id}': () => problem(404, 'not_found', 'No such client application.'),
    });
    const { user } = renderWithProviders(<App />, { route });
    const box = await listBox();
    await clientRows(box);
    await user.click(within(box).getByRole('button', { name: 'Remove Repository of Examples' }));
    const dialog = screen.getByRole('dialog');

    await user.click(within(dialog).getByRole('button', { name: 'Remove application' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The application was not removed. No such client application.',
    );

    api.set('DELETE /api/v1/admin/clients/{client_id}', () => reauthenticationRequired(403));
    await user.click(within(dialog).getByRole('button', { name: 'Remove application' }));
    await waitFor(() => {
      expect(within(dialog).getByRole('alert')).toHaveTextContent('For your security, sign in again to do this.');
    });
    expectReauthentication(within(dialog).getByRole('alert'), route, 'The application was not removed.');
  });
});

describe('client application words', () => {
  const refused = (detail: string, field: string, message: string) =>
    new ApiError(422, detail, 'invalid_parameter', [{ field, message }]);

  it('puts each field error in words, naming the URI the API names', () => {
    expect(
      clientFieldErrors(
        refused('post_logout_redirect_uris: "https://a.example/#x" must not have a fragment.', 'post_logout_redirect_uris', 'must not have a fragment'),
      ).get('post_logout_redirect_uris'),
    ).toBe('“https://a.example/#x” must not have a fragment (a # and what follows it).');
    expect(
      clientFieldErrors(refused('backchannel_logout_uri: "nope" is not an absolute URL.', 'backchannel_logout_uri', 'is not an absolute URL')).get(
        'backchannel_logout_uri',
      ),
    ).toBe('“nope” is not a full address: it must start with https://.');
    expect(clientFieldErrors(refused('Give 1–10 redirect URIs (and at most 10 logout URIs).', 'redirect_uris', 'count')).get('redirect_uris')).toBe(
      'Give 1 to 10 redirect URIs, one per line (and at most 10 post-logout redirect URIs).',
    );
    expect(clientFieldErrors(refused('name is 1–100 characters.', 'name', 'length')).get('name')).toBe(
      'Give the application a name of 1 to 100 characters.',
    );
    expect(
      clientFieldErrors(refused('Unknown scope "x"; the scopes are openid, profile.', 'allowed_scopes', 'unknown scope')).get(
        'allowed_scopes',
      ),
    ).toBe('Unknown scope "x"; the scopes are openid, profile.');
    // Without the URI in the detail, the words alone.
    expect(clientFieldErrors(refused('Bad.', 'redirect_uris', 'is longer than 500 characters')).get('redirect_uris')).toBe(
      'This address is longer than 500 characters.',
    );
  });

  it('has nothing to say beside fields for other errors', () => {
    expect(clientFieldErrors(new ApiError(403, 'x', 'forbidden', [{ field: 'name', message: 'x' }])).size).toBe(0);
    expect(clientFieldErrors(new TypeError('fetch failed')).size).toBe(0);
  });

  it('reads one URI per line and names the kinds', () => {
    expect(uriLines(' https://a.example/cb \r\n\n  http://localhost:3000/cb\n')).toEqual([
      'https://a.example/cb',
      'http://localhost:3000/cb',
    ]);
    expect(clientKindWords('public')).toBe('Public: PKCE, no secret');
    expect(clientKindWords('confidential')).toBe('Confidential: with a secret');
  });
});
