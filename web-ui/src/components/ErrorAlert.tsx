import { Link, useLocation } from 'react-router-dom';
import { errorMessage, isSessionEnded } from '../api/errors';

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

interface ErrorAlertProps {
  error: unknown;
  /** What failed, as a sentence: "Could not load your sessions." */
  context?: string;
  onRetry?: () => void;
  retrying?: boolean;
}

/**
 * An error in plain words, from the problem's `detail`. A 401 (session ended or never signed in)
 * becomes "Your session has ended. Sign in again." with a way back.
 */
export function ErrorAlert({ error, context, onRetry, retrying = false }: ErrorAlertProps) {
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
