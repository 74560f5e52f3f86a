import { screen, within } from '@testing-library/react';
import { expect } from 'vitest';

// Browser flows as the pages start them: same-origin form posts, and the link that signs in again
// after a 401 `reauthentication_required`.

/** What the browser would send for the form a submit button belongs to. */
export interface PostedForm {
  method: string;
  /** The `action` attribute as written (a server path), not the resolved URL. */
  action: string | null;
  /** Every field the form submits, by name. */
  fields: Record<string, string>;
  /** The `type` of each input, e.g. `hidden`. */
  inputTypes: string[];
}

/** The form that `button` submits, as the browser would post it. */
export function postedForm(button: HTMLElement): PostedForm {
  expect(button).toBeInstanceOf(HTMLButtonElement);
  const { form, type } = button as HTMLButtonElement;
  expect(type).toBe('submit');
  if (!form) throw new Error('the button is not in a form');
  const fields: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) fields[name] = typeof value === 'string' ? value : value.name;
  return {
    method: form.method,
    action: form.getAttribute('action'),
    fields,
    inputTypes: Array.from(form.querySelectorAll('input'), (input) => input.type),
  };
}

/** Asserts that `button` starts a browser flow: a same-origin POST of hidden `fields` to `action`. */
export function expectFlowPost(button: HTMLElement, action: string, fields: Record<string, string>) {
  const posted = postedForm(button);
  expect(posted.method).toBe('post');
  expect(posted.action).toBe(action);
  expect(posted.fields).toEqual(fields);
  expect(posted.inputTypes.every((type) => type === 'hidden')).toBe(true);
}

/**
 * Asserts that `alert` asks to sign in again for this action (after a 401
 * `reauthentication_required`), with a plain link to a fresh ORCID sign-in that comes back to
 * `returnTo`, and that the person is still signed in: no "session has ended", the user menu stays.
 */
export function expectReauthentication(alert: HTMLElement, returnTo: string, context = '') {
  expect(alert).toHaveTextContent(`${context ? `${context} ` : ''}For your security, sign in again to do this.`);
  expect(within(alert).getByRole('link', { name: 'Sign in again' })).toHaveAttribute(
    'href',
    `/auth/orcid/start?reauthenticate=true&return_to=${encodeURIComponent(returnTo)}`,
  );
  expect(screen.queryByText(/Your session has ended/)).not.toBeInTheDocument();
  expect(within(screen.getByRole('banner')).getByRole('button', { name: 'Josiah Carberry' })).toBeInTheDocument();
  expect(screen.getByRole('navigation', { name: 'Settings' })).toBeInTheDocument();
}
