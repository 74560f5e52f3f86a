import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, problem } from '../../test/api';
import { expectNoAxeViolations } from '../../test/axe';
import { account, signedInHandlers } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';

// Issue 14, minor: the name's limit is said before the person types (the API refuses more than
// 200 characters with 422 `invalid_field`), and an empty name is refused next to the field
// (the API's 422 `invalid_name`).

const HINT = 'Up to 200 characters.';
const EMPTY = 'Your name cannot be empty. Type the name to show (up to 200 characters).';

async function openForm(overrides: Parameters<typeof mockApi>[1] = {}) {
  const api = mockApi(signedInHandlers(), overrides);
  const { user } = renderWithProviders(<App />, { route: '/settings' });
  await user.click(await screen.findByRole('button', { name: 'Edit' }));
  const form = screen.getByRole('form', { name: 'Edit your account' });
  const name = within(form).getByLabelText('Name');
  const save = within(form).getByRole('button', { name: 'Save changes' });
  return { api, user, form, name, save };
}

describe('settings: the name field', () => {
  it('says the limit before anything is typed, and takes no more than 200 characters', async () => {
    const { name } = await openForm();

    expect(name).toHaveValue('Josiah Carberry');
    expect(name).toHaveAccessibleDescription(HINT);
    expect(screen.getByText(HINT)).toBeVisible();
    expect(name).toHaveAttribute('maxlength', '200');
    expect(name).not.toHaveAttribute('aria-invalid');
    await expectNoAxeViolations();
  });

  it('refuses an emptied name next to the field, without sending it, until a name is typed', async () => {
    const { api, user, form, name, save } = await openForm({
      'PATCH /api/v1/accounts/me': () => account({ name: 'J. S. Carberry' }),
    });

    await user.clear(name);
    await user.click(save);

    expect(within(form).getByText(EMPTY)).toHaveClass('field__error');
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription(`${HINT} ${EMPTY}`);
    expect(name).toHaveFocus();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')).toHaveLength(0);
    await expectNoAxeViolations();

    // Spaces are no name either.
    await user.type(name, '   ');
    expect(within(form).queryByText(EMPTY)).not.toBeInTheDocument();
    await user.click(save);
    expect(within(form).getByText(EMPTY)).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')).toHaveLength(0);

    // Typing a name clears the message; saving sends it.
    await user.clear(name);
    await user.type(name, 'J. S. Carberry');
    expect(within(form).queryByText(EMPTY)).not.toBeInTheDocument();
    expect(name).not.toHaveAttribute('aria-invalid');
    await user.click(save);
    expect(await screen.findByText('Your changes were saved.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')[0]?.body).toMatchObject({ name: 'J. S. Carberry' });
  });

  it('keeps no name for an account that has none: an empty box is sent as null', async () => {
    const { api, user, form, name, save } = await openForm({
      'GET /api/v1/accounts/me': () => account({ name: null }),
      'PATCH /api/v1/accounts/me': () => account({ name: null }),
    });

    expect(name).toHaveValue('');
    expect(name).toHaveAccessibleDescription(HINT);
    await user.click(save);

    expect(await screen.findByText('Your changes were saved.')).toBeInTheDocument();
    expect(within(document.body).queryByText(EMPTY)).not.toBeInTheDocument();
    expect(form).not.toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/v1/accounts/me')[0]?.body).toMatchObject({ name: null });
  });

  it('shows the server’s refusal of an empty name next to the field, in plain words', async () => {
    const { user, form, name, save } = await openForm({
      'PATCH /api/v1/accounts/me': () =>
        problem(
          422,
          'invalid_name',
          "Your name cannot be empty. Type the name to show (up to 200 characters), or send null to use your ORCID record's.",
          [{ field: 'name', message: 'empty' }],
        ),
    });

    // A name the browser thinks is one, but the server does not.
    await user.clear(name);
    await user.type(name, 'x');
    await user.click(save);

    expect(await within(form).findByText(EMPTY)).toHaveClass('field__error');
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription(`${HINT} ${EMPTY}`);
    expect(within(form).getByRole('alert')).toHaveTextContent(/^Your changes were not saved\./);
  });

  it('shows the server’s limit next to the field when a name is too long', async () => {
    const { user, form, name, save } = await openForm({
      'PATCH /api/v1/accounts/me': () =>
        problem(422, 'invalid_field', 'name is too long.', [{ field: 'name', message: 'at most 200 characters' }]),
    });

    await user.clear(name);
    await user.type(name, 'x');
    await user.click(save);

    expect(await within(form).findByText('At most 200 characters')).toHaveClass('field__error');
    expect(name).toHaveAccessibleDescription(`${HINT} At most 200 characters`);
  });
});
