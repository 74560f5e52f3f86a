import { useId, useState, type SubmitEvent } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { ALWAYS_SCOPE, CHOOSABLE_SCOPES, oidcScopeWords } from '../../../lib/oidc-scopes';
import { useRegisterClient, type RegisteredClient } from '../api/register-client';
import { clientFieldErrors, uriLines, type ClientField } from '../client-words';

/** As many redirect URIs as the API takes. */
const MAX_URIS = 10;

/** The fields this form shows the API's field errors beside. */
const FIELDS: readonly string[] = [
  'name',
  'redirect_uris',
  'allowed_scopes',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
] satisfies ClientField[];

interface RegisterClientFormProps {
  /** The client with its secret; the form forgets it at once. */
  onRegistered: (registered: RegisteredClient) => void;
}

/**
 * Registers a client application: its name, redirect URIs (one per line), the scopes it may ask
 * for (`openid` always), public or confidential, DataCite service or not, and where it is told of
 * logouts. A field the API refuses (422 `invalid_parameter`) says why beside it.
 */
export function RegisterClientForm({ onRegistered }: RegisterClientFormProps) {
  const id = useId();
  const register = useRegisterClient();
  const [name, setName] = useState('');
  const [redirectUris, setRedirectUris] = useState('');
  const [logoutUris, setLogoutUris] = useState('');
  const [backchannel, setBackchannel] = useState('');
  const [scopes, setScopes] = useState<readonly string[]>(['profile']);
  const [isPublic, setIsPublic] = useState(false);
  const [firstParty, setFirstParty] = useState(false);
  const [localErrors, setLocalErrors] = useState<Partial<Record<ClientField, string>>>({});

  const apiErrors = clientFieldErrors(register.error);
  // Said beside a field; anything else in the alert above the form.
  const marked = [...apiErrors.keys()].some((field) => FIELDS.includes(field));
  const errors = new Map<string, string>(Object.entries(localErrors));
  for (const [field, words] of apiErrors) if (!errors.has(field)) errors.set(field, words);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found: Partial<Record<ClientField, string>> = {};
    const trimmed = name.trim();
    const redirects = uriLines(redirectUris);
    const logouts = uriLines(logoutUris);
    if (!trimmed) found.name = 'Give the application a name.';
    if (redirects.length === 0) found.redirect_uris = 'Give at least one redirect URI.';
    else if (redirects.length > MAX_URIS) found.redirect_uris = `Give at most ${MAX_URIS} redirect URIs.`;
    if (logouts.length > MAX_URIS) found.post_logout_redirect_uris = `Give at most ${MAX_URIS} post-logout redirect URIs.`;
    setLocalErrors(found);
    register.reset();
    if (Object.keys(found).length > 0) return;
    register.mutate(
      {
        name: trimmed,
        redirect_uris: redirects,
        // `openid` always: with nothing else chosen, the API would add `profile` on its own.
        allowed_scopes: [ALWAYS_SCOPE, ...CHOOSABLE_SCOPES.filter((scope) => scopes.includes(scope))],
        public: isPublic,
        first_party: firstParty,
        post_logout_redirect_uris: logouts,
        backchannel_logout_uri: backchannel.trim() || null,
      },
      {
        onSuccess: (registered) => {
          // The secret goes to the box that shows it once, and nowhere else.
          register.reset();
          setName('');
          setRedirectUris('');
          setLogoutUris('');
          setBackchannel('');
          setScopes(['profile']);
          setIsPublic(false);
          setFirstParty(false);
          onRegistered(registered);
        },
      },
    );
  };

  const errorId = (field: ClientField) => (errors.has(field) ? `${id}-${field}-error` : undefined);
  const describedBy = (field: ClientField, hint?: string) =>
    [hint, errorId(field)].filter(Boolean).join(' ') || undefined;
  const errorText = (field: ClientField) =>
    errors.has(field) ? (
      <p id={`${id}-${field}-error`} className="field__error">
        {errors.get(field)}
      </p>
    ) : null;

  return (
    <form className="form client-form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Register a client application</h3>
      {register.isError &&
        (marked ? (
          <div role="alert" className="error">
            <p>The application was not registered. Check what is marked below.</p>
          </div>
        ) : (
          <ErrorAlert error={register.error} context="The application was not registered." />
        ))}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <p id={`${id}-name-hint`} className="field__hint">
          People see it when they sign in and under “Apps with access”, e.g. “Repository of Examples”.
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
          aria-describedby={describedBy('name', `${id}-name-hint`)}
        />
        {errorText('name')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-redirects`}>Redirect URIs</label>
        <p id={`${id}-redirects-hint`} className="field__hint">
          One per line, exactly as the application sends them: <code>https://…</code>, or <code>http://localhost</code>{' '}
          or <code>http://127.0.0.1</code> while developing; no <code>#</code> part. 1 to {MAX_URIS}.
        </p>
        <textarea
          id={`${id}-redirects`}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          value={redirectUris}
          onChange={(event) => {
            setRedirectUris(event.target.value);
          }}
          aria-invalid={errors.has('redirect_uris') || undefined}
          aria-describedby={describedBy('redirect_uris', `${id}-redirects-hint`)}
        />
        {errorText('redirect_uris')}
      </div>
      <fieldset className="fieldset" aria-describedby={describedBy('allowed_scopes', `${id}-scopes-hint`)}>
        <legend>Scopes it may ask for</legend>
        <p id={`${id}-scopes-hint`} className="field__hint">
          <code>{ALWAYS_SCOPE}</code> is always included: “{oidcScopeWords(ALWAYS_SCOPE)}”. People see each scope in
          these words.
        </p>
        {CHOOSABLE_SCOPES.map((scope) => {
          const inputId = `${id}-scope-${scope}`;
          return (
            <div className="field field--checkbox" key={scope}>
              <input
                id={inputId}
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(event) => {
                  setScopes(event.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope));
                }}
                aria-describedby={`${inputId}-hint`}
              />
              <label htmlFor={inputId}>
                <code>{scope}</code>
              </label>
              <p id={`${inputId}-hint`} className="field__hint field__hint--checkbox">
                “{oidcScopeWords(scope)}”
              </p>
            </div>
          );
        })}
        {errorText('allowed_scopes')}
      </fieldset>
      <div className="field field--checkbox">
        <input
          id={`${id}-public`}
          type="checkbox"
          checked={isPublic}
          onChange={(event) => {
            setIsPublic(event.target.checked);
          }}
          aria-describedby={`${id}-public-hint`}
        />
        <label htmlFor={`${id}-public`}>Public client: single-page or native app, no secret</label>
        <p id={`${id}-public-hint`} className="field__hint field__hint--checkbox">
          It proves itself with PKCE alone. Leave it unticked for an application with a server: it gets a secret, shown
          once.
        </p>
      </div>
      <div className="field field--checkbox">
        <input
          id={`${id}-first-party`}
          type="checkbox"
          checked={firstParty}
          onChange={(event) => {
            setFirstParty(event.target.checked);
          }}
          aria-describedby={`${id}-first-party-hint`}
        />
        <label htmlFor={`${id}-first-party`}>DataCite service: no consent page</label>
        <p id={`${id}-first-party-hint`} className="field__hint field__hint--checkbox">
          People are signed in without being asked to agree. Only for DataCite’s own services.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-logouts`}>Post-logout redirect URIs (optional)</label>
        <p id={`${id}-logouts-hint`} className="field__hint">
          Where the application may send people back to after signing them out of Profiles. One per line, the same
          rules.
        </p>
        <textarea
          id={`${id}-logouts`}
          rows={2}
          spellCheck={false}
          autoComplete="off"
          value={logoutUris}
          onChange={(event) => {
            setLogoutUris(event.target.value);
          }}
          aria-invalid={errors.has('post_logout_redirect_uris') || undefined}
          aria-describedby={describedBy('post_logout_redirect_uris', `${id}-logouts-hint`)}
        />
        {errorText('post_logout_redirect_uris')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-backchannel`}>Back-channel logout URI (optional)</label>
        <p id={`${id}-backchannel-hint`} className="field__hint">
          Profiles posts a logout token here when a session that signed in to the application ends.
        </p>
        <input
          id={`${id}-backchannel`}
          type="url"
          inputMode="url"
          spellCheck={false}
          autoComplete="off"
          value={backchannel}
          onChange={(event) => {
            setBackchannel(event.target.value);
          }}
          aria-invalid={errors.has('backchannel_logout_uri') || undefined}
          aria-describedby={describedBy('backchannel_logout_uri', `${id}-backchannel-hint`)}
        />
        {errorText('backchannel_logout_uri')}
      </div>
      <div className="form__actions">
        <button type="submit" className="button" disabled={register.isPending}>
          {register.isPending ? 'Registering…' : 'Register application'}
        </button>
      </div>
    </form>
  );
}
