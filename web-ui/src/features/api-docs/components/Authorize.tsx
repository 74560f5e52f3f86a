import { useId, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router-dom';
import { maskToken, tokenKind } from '../request';

interface AuthorizeProps {
  token: string | undefined;
  onChange: (token: string | undefined) => void;
}

/**
 * "Authorize": a bearer token (a JWT or an API token) for the operations that take one. It lives
 * in this page's memory only (never in storage or a cookie): a reload forgets it.
 */
export function Authorize({ token, onChange }: AuthorizeProps) {
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string>();
  const inputId = useId();
  const hintId = useId();
  const problemId = useId();

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Pasting "Bearer eyJ…" from a header is fine too.
    const value = draft.trim().replace(/^bearer\s+/i, '');
    if (value === '') {
      setProblem('Paste a token first.');
      return;
    }
    if (/\s/.test(value)) {
      setProblem('A token has no spaces or line breaks.');
      return;
    }
    setProblem(undefined);
    setDraft('');
    onChange(value);
  };

  return (
    <section className="card api-authorize" aria-labelledby="api-authorize-title">
      <h2 id="api-authorize-title">Authorize</h2>
      <p>
        Operations that take a <strong>bearer JWT</strong> or an <strong>API token</strong> are sent with the token you
        paste here (<code>Authorization: Bearer …</code>). Operations that need the <strong>session cookie</strong> use
        this browser’s sign-in. Get a JWT from <code>POST /api/v1/tokens</code> (below, while signed in), or create an API
        token on the <Link to="/settings/tokens">API tokens</Link> page of your settings.
      </p>
      <p role="status" className="api-authorize__state">
        {token
          ? `A ${tokenKind(token)} is set (${maskToken(token)}, ${token.length} characters). It is kept in this page’s memory only.`
          : 'No token is set.'}
      </p>
      <form className="api-authorize__form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={inputId}>Bearer token (JWT or API token)</label>
          <p id={hintId} className="field__hint">
            Not saved: reloading or leaving this page forgets it.
          </p>
          <input
            id={inputId}
            type="password"
            value={draft}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={problem ? `${hintId} ${problemId}` : hintId}
            aria-invalid={problem ? true : undefined}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
          />
          {problem && (
            <p id={problemId} className="field__error">
              {problem}
            </p>
          )}
        </div>
        <div className="form__actions">
          <button type="submit" className="button">
            {token ? 'Replace token' : 'Authorize'}
          </button>
          {token && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                onChange(undefined);
              }}
            >
              Forget token
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
