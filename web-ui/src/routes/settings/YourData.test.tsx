import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../App';
import type { components } from '../../api/schema';
import { mockApi, problem, reauthenticationRequired, unauthenticated } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { expectReauthentication } from '../../test/flows';
import { account, apiToken, claim, ORCID, session, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

function exportBody(): components['schemas']['AccountExport'] {
  return {
    account: account(),
    api_tokens: [apiToken()],
    audit: [],
    claims: [claim()],
    orcid_activity: [],
    orcid_notifications: [],
    sessions: [session()],
    exported_at: '2025-03-02T12:00:00Z',
  };
}

async function dataBox() {
  return screen.findByRole('region', { name: 'Your data' });
}

describe('settings: download your data', () => {
  let saved: { href: string; download: string }[];
  let blobs: Blob[];
  let revoked: string[];

  beforeEach(() => {
    saved = [];
    blobs = [];
    revoked = [];
    // jsdom has neither object URLs nor downloads: record what would be saved.
    Object.assign(URL, {
      createObjectURL: vi.fn((blob: Blob) => {
        blobs.push(blob);
        return `blob:http://localhost/${blobs.length}`;
      }),
      revokeObjectURL: vi.fn((url: string) => {
        revoked.push(url);
      }),
    });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
  });

  afterEach(() => {
    Reflect.deleteProperty(URL, 'createObjectURL');
    Reflect.deleteProperty(URL, 'revokeObjectURL');
  });

  it('fetches the export and saves it as a JSON file', async () => {
    const api = mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me/export': () => exportBody() });
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    const box = await dataBox();
    expect(api.callsTo('GET', '/api/v1/accounts/me/export')).toHaveLength(0);

    await user.click(within(box).getByRole('button', { name: 'Download your data' }));

    expect(await within(box).findByText('Your data was downloaded.')).toBeInTheDocument();
    expect(api.callsTo('GET', '/api/v1/accounts/me/export')).toHaveLength(1);
    expect(saved).toEqual([{ href: 'blob:http://localhost/1', download: `profiles-${ORCID}.json` }]);
    const [blob] = blobs;
    expect(blob?.type).toBe('application/json');
    expect(JSON.parse((await blob?.text()) ?? '')).toEqual(exportBody());
    await waitFor(() => {
      expect(revoked).toEqual(['blob:http://localhost/1']);
    });
  });

  it('says why when the export fails, and saves nothing', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me/export': () => problem(503, 'database_unavailable', 'The database is down.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    const box = await dataBox();

    await user.click(within(box).getByRole('button', { name: 'Download your data' }));

    expect(await within(box).findByRole('alert')).toHaveTextContent(
      'Your data could not be downloaded. The database is down.',
    );
    expect(saved).toEqual([]);
  });
});

describe('settings: delete your account', () => {
  it('asks for the ORCID iD to be typed, sends it as confirm, and signs out with a message', async () => {
    const api = mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me': () => ({
        revoked_at_providers: { orcid: true, github: true, 'orcid:search_and_link': false },
        deleted: { identities: 2, sessions: 2, claims: 1 },
      }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    const box = await dataBox();

    await user.click(within(box).getByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    const typed = within(dialog).getByLabelText(`Type your ORCID iD, ${ORCID}, to confirm`);
    expect(typed).toHaveFocus();
    const confirm = within(dialog).getByRole('button', { name: 'Delete account' });
    expect(confirm).toBeDisabled();
    await expectNoAxeViolations();

    await user.type(typed, '0000-0002-1825-0098');
    expect(confirm).toBeDisabled();
    await user.keyboard('{Enter}');
    expect(api.callsTo('DELETE', '/api/v1/accounts/me')).toHaveLength(0);

    await user.clear(typed);
    await user.type(typed, ` ${ORCID} `);
    expect(confirm).toBeEnabled();
    // Once the account is gone, nobody is signed in.
    api.set('GET /api/v1/accounts/me', () => unauthenticated());
    await user.click(confirm);

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me').map((c) => c.body)).toEqual([{ confirm: ORCID }]);
    const notice = screen.getByText(/Your account has been deleted and you are signed out\./).closest('[role="status"]');
    expect(notice).toHaveTextContent('did not confirm that DataCite’s access was revoked: ORCID Search & Link.');
    expect(screen.queryByRole('heading', { name: 'Personal settings' })).not.toBeInTheDocument();
    await expectNoAxeViolations();
  });

  it('does nothing on Cancel', async () => {
    const api = mockApi(signedInHandlers());
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    const box = await dataBox();
    await user.click(within(box).getByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    await user.type(within(dialog).getByRole('textbox'), ORCID);

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/v1/accounts/me')).toHaveLength(0);
    expect(screen.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
  });

  it('keeps the dialog open with the API’s reason when deletion is refused', async () => {
    mockApi(signedInHandlers(), {
      'DELETE /api/v1/accounts/me': () => problem(422, 'confirmation_required', '`confirm` is not your ORCID iD.'),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    await user.click(within(await dataBox()).getByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    await user.type(within(dialog).getByRole('textbox'), ORCID);

    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Your account was not deleted. `confirm` is not your ORCID iD.',
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
  });

  it('asks to sign in again when deleting needs a recent sign-in, and keeps the person signed in', async () => {
    const api = mockApi(signedInHandlers(), { 'DELETE /api/v1/accounts/me': () => reauthenticationRequired() });
    const { user } = renderWithProviders(<App />, { route: '/settings/data' });
    await user.click(within(await dataBox()).getByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account?' });
    await user.type(within(dialog).getByRole('textbox'), ORCID);

    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    expectReauthentication(await within(dialog).findByRole('alert'), '/settings/data', 'Your account was not deleted.');
    expect(api.callsTo('DELETE', '/api/v1/accounts/me')).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 1, name: 'Personal settings' })).toBeInTheDocument();
  });
});
