import { expect } from 'vitest';

// Browser flows as the pages start them: same-origin form posts.

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
