import { useEffect, useId, useRef, useState } from 'react';
import type { RegisteredClient } from '../api/register-client';
import { discoveryUrl } from '../client-words';

interface CopyValueProps {
  label: string;
  value: string;
  /** What the copy button names, e.g. "client secret". */
  what: string;
  describedBy?: string | undefined;
  onCopied: (message: string) => void;
}

/** A value to hand over, read-only, selected on focus, with a button that copies it. */
function CopyValue({ label, value, what, describedBy, onCopied }: CopyValueProps) {
  const inputId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      onCopied(`The ${what} is copied to the clipboard.`);
    } catch {
      onCopied(`Could not copy the ${what}. Select it and copy it yourself.`);
    }
  };
  return (
    <div className="field copy-value">
      <label htmlFor={inputId}>{label}</label>
      <div className="copy-value__row">
        <input
          id={inputId}
          className="token-secret__value"
          type="text"
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={describedBy}
          onFocus={(event) => {
            event.currentTarget.select();
          }}
        />
        <button type="button" className="button button--secondary" onClick={() => void copy()}>
          Copy {what}
        </button>
      </div>
    </div>
  );
}

/**
 * A client application just registered: its client id, its secret (a confidential client's,
 * shown this once: Profiles keeps only a fingerprint of it, and "Done" forgets it here too) and the
 * discovery URL its operators configure it with.
 */
export function RegisteredClientBox({ registered, onDone }: { registered: RegisteredClient; onDone: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const [copied, setCopied] = useState('');
  const { client } = registered;
  const secret = registered.client_secret ?? null;

  useEffect(() => {
    // Announce the registration by moving there: the secret is what the staff member came for.
    headingRef.current?.focus();
  }, []);

  return (
    <section className="notice notice--warning token-secret" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        “{client.name}” is registered
      </h3>
      {secret ? (
        <p id={`${id}-warning`}>
          <strong>Copy the client secret now: it will not be shown again.</strong> Profiles keeps only a fingerprint of
          it. Hand it to the application’s operators as you would a password.
        </p>
      ) : (
        <p id={`${id}-warning`}>A public client has no secret: it proves itself with PKCE when it signs people in.</p>
      )}
      <CopyValue label="Client ID" value={client.client_id} what="client ID" onCopied={setCopied} />
      {secret && (
        <CopyValue
          label="Client secret"
          value={secret}
          what="client secret"
          describedBy={`${id}-warning`}
          onCopied={setCopied}
        />
      )}
      <CopyValue
        label="Discovery URL"
        value={discoveryUrl()}
        what="discovery URL"
        describedBy={`${id}-discovery-hint`}
        onCopied={setCopied}
      />
      <p id={`${id}-discovery-hint`} className="field__hint">
        The OpenID configuration: the application finds the issuer, the endpoints and the signing keys there.
      </p>
      <div role="status" className="status-line">
        {copied}
      </div>
      <div className="form__actions">
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
