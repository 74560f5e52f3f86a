import { Link, useLocation } from 'react-router-dom';
import { errorMessage, isReauthenticationRequired, isSessionEnded, REAUTHENTICATION_MESSAGE } from '../api/errors';
import { reauthenticateUrl } from '../lib/auth-urls';

/** The sign-in page, coming back here afterwards. */
export function SignInAgainLink({ children = 'Sign in again' }: { children?: string }) {
  const { pathname, search } = useLocation();
  return <Link to={`/sign-in?return_to=${encodeURIComponent(pathname + search)}`}>{children}</Link>;
}

/** "Your session has ended. Sign in again." with a link back to here after signing in. */
export function SessionEnded() {
  return (
    <p>
      Your session has ended. <SignInAgainLink />.
    </p>
  );
}

/**
 * After a 401 `reauthentication_required`: the action needs a recent sign-in. A link (a plain GET
 * navigation) to sign in with ORCID again, coming back here to repeat the action. The person is
 * still signed in, so nothing else on the page changes.
 */
export function ReauthenticationRequired({ context }: { context?: string | undefined }) {
  const { pathname, search } = useLocation();
  return (
    <>
      <p>{context ? `${context} ${REAUTHENTICATION_MESSAGE}` : REAUTHENTICATION_MESSAGE}</p>
      <a className="button" href={reauthenticateUrl(pathname + search)}>
        Sign in again
      </a>
    </>
  );
}

interface ErrorAlertProps {
  error: unknown;
  /** What failed, as a sentence: "Could not load your sessions." */
  context?: string;
  onRetry?: () => void;
  retrying?: boolean;
}

/**
 * An error in plain words, from the problem's `detail`. A 401 (session ended or never signed in)
 * becomes "Your session has ended. Sign in again." with a way back; a 401
 * `reauthentication_required` asks to sign in again for this action, and comes back here.
 */
export function ErrorAlert({ error, context, onRetry, retrying = false }: ErrorAlertProps) {
  if (isReauthenticationRequired(error)) {
    return (
      <div role="alert" className="error">
        <ReauthenticationRequired context={context} />
      </div>
    );
  }
  if (isSessionEnded(error)) {
    return (
      <div role="alert" className="error">
        <SessionEnded />
      </div>
    );
  }
  return (
    <div role="alert" className="error">
      <p>{context ? `${context} ${errorMessage(error)}` : errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Try again'}
        </button>
      )}
    </div>
  );
}
