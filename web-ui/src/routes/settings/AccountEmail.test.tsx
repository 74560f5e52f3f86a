import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { account, githubIdentity, googleIdentity, orcidIdentity, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Issue 14, item 6: the server fills the account's email from a linked Google or GitHub account;
// Settings shows where it came from, and the person can still change it.

function fact(term: string): HTMLElement {
  const dd = screen.getByText(term, { selector: 'dt' }).nextElementSibling;
  if (!(dd instanceof HTMLElement)) throw new Error(`no value for ${term}`);
  return dd;
}

const ALICE = 'alice@example.test';
const identities = [orcidIdentity(), googleIdentity({ email: ALICE, display_name: 'Alice Example' })];

describe('settings: the email and where it came from', () => {
  it('shows the email, from the linked Google account', async () => {
    mockApi(signedInHandlers(), { 'GET /api/v1/accounts/me': () => account({ email: ALICE, identities }) });
    renderWithProviders(<App />, { route: '/settings' });

    await screen.findByRole('region', { name: 'Your account' });
    expect(fact('Email')).toHaveTextContent(`${ALICE} from your Google account`);
    await expectNoAxeViolations();
  });

  it('says nothing about a source when the email is not a linked account’s', async () => {
    mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () =>
        account({ email: 'typed@example.org', identities: [...identities, githubIdentity()] }),
    });
    renderWithProviders(<App />, { route: '/settings' });

    await screen.findByRole('region', { name: 'Your account' });
    expect(fact('Email')).toHaveTextContent(/^typed@example\.org$/);
  });

  it('lets the person change it: the form says where it came from, PATCH saves the new one', async () => {
    const api = mockApi(signedInHandlers(), {
      'GET /api/v1/accounts/me': () => account({ email: ALICE, identities }),
      'PATCH /api/v1/accounts/me': ({ body }) =>
        account({ email: (body as { email: string | null }).email, identities }),
    });
    const { user } = renderWithProviders(<App />, { route: '/settings' });
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Edit your account' });
    const email = within(form).getByLabelText('Email');
    expect(email).toHaveValue(ALICE);
    expect(email).toHaveAccessibleDescription(
      'Filled in from your Google account. You can change it to another address; Profiles then keeps yours.',
    );
    await expectNoAxeViolations();

    await user.clear(email);
    await user.type(email, 'alice@university.example');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Your changes were saved.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')[0]?.body).toMatchObject({ email: 'alice@university.example' });
    expect(fact('Email')).toHaveTextContent(/^alice@university\.example$/);
  });
});
