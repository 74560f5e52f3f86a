import { useId, useRef, useState, type SubmitEvent } from 'react';
import { ApiError } from '../../../api/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { Account } from '../api/get-account';
import { useUpdateAccount, type AccountUpdate } from '../api/update-account';
import { emailSource, emailSourceWords } from '../email-source';

type TextField = 'name' | 'given_names' | 'family_name' | 'email';

/** The API's limit for the name (a longer one is refused with 422 `invalid_field`). */
const NAME_MAX_LENGTH = 200;

/** Said before the person types, and again if they leave the name empty. */
const NAME_HINT = `Up to ${NAME_MAX_LENGTH} characters.`;
const NAME_EMPTY = `Your name cannot be empty. Type the name to show (up to ${NAME_MAX_LENGTH} characters).`;

const TEXT_FIELDS: {
  field: TextField;
  label: string;
  type: 'text' | 'email';
  autoComplete: string;
  maxLength?: number;
}[] = [
  { field: 'name', label: 'Name', type: 'text', autoComplete: 'name', maxLength: NAME_MAX_LENGTH },
  { field: 'given_names', label: 'Given names', type: 'text', autoComplete: 'given-name' },
  { field: 'family_name', label: 'Family name', type: 'text', autoComplete: 'family-name' },
  { field: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
];

/** The API's field messages are sentence fragments ("at most 200 characters"). */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** An empty box clears the field (`null`). */
function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

interface AccountEditFormProps {
  account: Account;
  onDone: (saved: boolean) => void;
}

/**
 * Edits the fields a person may change. Validation is the server's: its 422 `errors[]` are shown
 * next to the fields they name, and the problem's `detail` above the form. One check is made here
 * first: a name emptied (or left as spaces) is refused next to the field, as the server would
 * refuse it (422 `invalid_name`); an account that never had a name keeps none (`null`).
 */
export function AccountEditForm({ account, onDone }: AccountEditFormProps) {
  const idPrefix = useId();
  const update = useUpdateAccount();
  const nameRef = useRef<HTMLInputElement>(null);
  const [nameEmpty, setNameEmpty] = useState(false);
  const [values, setValues] = useState({
    name: account.name ?? '',
    given_names: account.given_names ?? '',
    family_name: account.family_name ?? '',
    email: account.email ?? '',
    other_names: account.other_names.join('\n'),
    is_public: account.is_public,
  });

  const fieldErrors = new Map<string, string>();
  if (nameEmpty) fieldErrors.set('name', NAME_EMPTY);
  if (update.error instanceof ApiError) {
    // The server's own words for an empty name end with "or send null…", which is for API clients.
    if (update.error.code === 'invalid_name') fieldErrors.set('name', NAME_EMPTY);
    for (const { field, message } of update.error.fieldErrors) {
      if (!fieldErrors.has(field)) fieldErrors.set(field, sentence(message));
    }
  }

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (account.name !== null && values.name.trim() === '') {
      update.reset();
      setNameEmpty(true);
      nameRef.current?.focus();
      return;
    }
    const body: AccountUpdate = {
      name: orNull(values.name),
      given_names: orNull(values.given_names),
      family_name: orNull(values.family_name),
      email: orNull(values.email),
      other_names: values.other_names
        .split('\n')
        .map((n) => n.trim())
        .filter(Boolean),
      is_public: values.is_public,
    };
    update.mutate(body, {
      onSuccess: () => {
        onDone(true);
      },
    });
  };

  const describedBy = (field: string, hint?: string) =>
    [hint, fieldErrors.has(field) ? `${idPrefix}-${field}-error` : undefined].filter(Boolean).join(' ') ||
    undefined;

  // Where the email came from, while it is still that service's: the person may change it.
  const source = emailSource(account);
  const hints: Partial<Record<TextField, string>> = {
    name: NAME_HINT,
    ...(source && {
      email: `Filled in ${emailSourceWords(source)}. You can change it to another address; Profiles then keeps yours.`,
    }),
  };

  const errorText = (field: string) =>
    fieldErrors.has(field) ? (
      <p id={`${idPrefix}-${field}-error`} className="field__error">
        {fieldErrors.get(field)}
      </p>
    ) : null;

  return (
    // noValidate: the server's messages are the ones shown, in the same place for every field.
    <form className="form" onSubmit={submit} noValidate aria-label="Edit your account">
      {update.isError && <ErrorAlert error={update.error} context="Your changes were not saved." />}
      {TEXT_FIELDS.map(({ field, label, type, autoComplete, maxLength }) => (
        <div className="field" key={field}>
          <label htmlFor={`${idPrefix}-${field}`}>{label}</label>
          {hints[field] && (
            <p id={`${idPrefix}-${field}-hint`} className="field__hint">
              {hints[field]}
            </p>
          )}
          <input
            ref={field === 'name' ? nameRef : undefined}
            id={`${idPrefix}-${field}`}
            name={field}
            type={type}
            autoComplete={autoComplete}
            maxLength={maxLength}
            value={values[field]}
            onChange={(event) => {
              if (field === 'name') setNameEmpty(false);
              setValues({ ...values, [field]: event.target.value });
            }}
            aria-invalid={fieldErrors.has(field) || undefined}
            aria-describedby={describedBy(field, hints[field] && `${idPrefix}-${field}-hint`)}
          />
          {errorText(field)}
        </div>
      ))}
      <div className="field">
        <label htmlFor={`${idPrefix}-other_names`}>Other names</label>
        <p id={`${idPrefix}-other_names-hint`} className="field__hint">
          One name per line, e.g. a former name or a name in another script.
        </p>
        <textarea
          id={`${idPrefix}-other_names`}
          name="other_names"
          rows={3}
          value={values.other_names}
          onChange={(event) => {
            setValues({ ...values, other_names: event.target.value });
          }}
          aria-invalid={fieldErrors.has('other_names') || undefined}
          aria-describedby={describedBy('other_names', `${idPrefix}-other_names-hint`)}
        />
        {errorText('other_names')}
      </div>
      <div className="field field--checkbox">
        <input
          id={`${idPrefix}-is_public`}
          name="is_public"
          type="checkbox"
          checked={values.is_public}
          onChange={(event) => {
            setValues({ ...values, is_public: event.target.checked });
          }}
          aria-invalid={fieldErrors.has('is_public') || undefined}
          aria-describedby={describedBy('is_public')}
        />
        <label htmlFor={`${idPrefix}-is_public`}>Show my account in public listings</label>
        {errorText('is_public')}
      </div>
      <div className="form__actions">
        <button type="submit" className="button" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            onDone(false);
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
