import { useId, useState, type SubmitEvent } from 'react';
import { ApiError } from '../../../api/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import type { Role } from '../../../lib/roles';
import { useCreateApiToken, type CreatedApiToken } from '../api/create-api-token';
import { DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, scopesFor } from '../scopes';

/** The API's field messages are sentence fragments ("at most 100 characters"). */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

interface NewTokenFormProps {
  role: Role;
  /** The token with its secret; the form forgets it at once. */
  onCreated: (token: CreatedApiToken) => void;
}

/** Name, scopes (only those the role may use) and days until it expires. */
export function NewTokenForm({ role, onCreated }: NewTokenFormProps) {
  const id = useId();
  const create = useCreateApiToken();
  const scopes = scopesFor(role);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const [days, setDays] = useState(String(DEFAULT_EXPIRY_DAYS));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const errors = new Map<string, string>(Object.entries(localErrors));
  if (create.error instanceof ApiError) {
    for (const { field, message } of create.error.fieldErrors) {
      if (!errors.has(field)) errors.set(field, sentence(message));
    }
  }

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const trimmed = name.trim();
    const expiresInDays = Number(days);
    if (!trimmed) found.name = 'Give the token a name.';
    if (chosen.length === 0) found.scopes = 'Choose at least one scope.';
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRY_DAYS) {
      found.expires_in_days = `Enter a whole number of days from 1 to ${MAX_EXPIRY_DAYS}.`;
    }
    setLocalErrors(found);
    create.reset();
    if (Object.keys(found).length > 0) return;
    create.mutate(
      { name: trimmed, scopes: [...chosen], expires_in_days: expiresInDays },
      {
        onSuccess: (token) => {
          // The secret goes to the box that shows it once, and nowhere else.
          create.reset();
          setName('');
          setChosen([]);
          setDays(String(DEFAULT_EXPIRY_DAYS));
          onCreated(token);
        },
      },
    );
  };

  const errorId = (field: string) => (errors.has(field) ? `${id}-${field}-error` : undefined);
  const errorText = (field: string) =>
    errors.has(field) ? (
      <p id={`${id}-${field}-error`} className="field__error">
        {errors.get(field)}
      </p>
    ) : null;

  return (
    // Not named: the settings page has one named form (editing the account), and the heading says what this is.
    <form className="form token-form" onSubmit={submit} noValidate>
      <h3>Create a token</h3>
      {create.isError && <ErrorAlert error={create.error} context="The token was not created." />}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <p id={`${id}-name-hint`} className="field__hint">
          What it is for, e.g. “Repository sync”.
        </p>
        <input
          id={`${id}-name`}
          type="text"
          maxLength={100}
          autoComplete="off"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
          }}
          aria-invalid={errors.has('name') || undefined}
          aria-describedby={[`${id}-name-hint`, errorId('name')].filter(Boolean).join(' ')}
        />
        {errorText('name')}
      </div>
      <fieldset className="fieldset" aria-describedby={errorId('scopes')}>
        <legend>Scopes</legend>
        {scopes.map((scope) => {
          const inputId = `${id}-scope-${scope.scope}`;
          return (
            <div className="field field--checkbox" key={scope.scope}>
              <input
                id={inputId}
                type="checkbox"
                checked={chosen.includes(scope.scope)}
                onChange={(event) => {
                  setChosen(
                    event.target.checked ? [...chosen, scope.scope] : chosen.filter((s) => s !== scope.scope),
                  );
                }}
                aria-describedby={`${inputId}-hint`}
              />
              <label htmlFor={inputId}>
                {scope.label} (<code>{scope.scope}</code>)
              </label>
              <p id={`${inputId}-hint`} className="field__hint field__hint--checkbox">
                {scope.description}
              </p>
            </div>
          );
        })}
        {errorText('scopes')}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-days`}>Expires after (days)</label>
        <p id={`${id}-days-hint`} className="field__hint">
          From 1 to {MAX_EXPIRY_DAYS} days.
        </p>
        <input
          id={`${id}-days`}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_EXPIRY_DAYS}
          value={days}
          onChange={(event) => {
            setDays(event.target.value);
          }}
          aria-invalid={errors.has('expires_in_days') || undefined}
          aria-describedby={[`${id}-days-hint`, errorId('expires_in_days')].filter(Boolean).join(' ')}
        />
        {errorText('expires_in_days')}
      </div>
      <div className="form__actions">
        <button type="submit" className="button" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
