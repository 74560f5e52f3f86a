import { useEffect, useId, useRef, useState } from 'react';
import type { CreatedApiToken } from '../api/create-api-token';

/**
 * The secret of a token just created, with a copy button. It is shown this once: Profiles keeps
 * only its hash, and "Done" forgets it here too.
 */
export function NewTokenSecret({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const inputId = useId();
  const warningId = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  useEffect(() => {
    // Announce the new token by moving there: the secret is what the person came for.
    headingRef.current?.focus();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <section className="notice notice--warning token-secret" aria-labelledby={`${inputId}-heading`}>
      <h3 id={`${inputId}-heading`} ref={headingRef} tabIndex={-1}>
        Your new token “{token.name}”
      </h3>
      <p id={warningId}>
        <strong>Copy it now: it will not be shown again.</strong> Profiles keeps only a fingerprint of it. Treat it like
        a password.
      </p>
      <div className="field">
        <label htmlFor={inputId}>Token</label>
        <input
          id={inputId}
          className="token-secret__value"
          type="text"
          readOnly
          value={token.token}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={warningId}
          onFocus={(event) => {
            event.currentTarget.select();
          }}
        />
      </div>
      <div role="status" className="status-line">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not copy. Select the token and copy it yourself.'}
      </div>
      <div className="form__actions">
        <button type="button" className="button" onClick={() => void copy()}>
          Copy token
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
