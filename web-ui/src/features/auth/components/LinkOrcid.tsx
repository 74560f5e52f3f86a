import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { authStartUrl, PROVIDER_NAMES } from '../../../lib/auth-urls';
import { formatDateTime } from '../../../lib/format';
import { usePendingSignup } from '../api/get-pending-signup';

/** The first-login step after Google or GitHub: every account is anchored on an ORCID iD. */
export function LinkOrcid() {
  const pending = usePendingSignup();

  if (pending.isPending) return <Loading>Loading your sign-up…</Loading>;
  if (pending.isError) {
    return (
      <ErrorAlert
        error={pending.error}
        context="Could not load your sign-up."
        onRetry={() => void pending.refetch()}
        retrying={pending.isFetching}
      />
    );
  }
  if (pending.data === null) {
    return (
      <div className="card">
        <p>
          Nothing is waiting to be linked in this browser. A sign-up is kept for 30 minutes; if it has expired,
          sign in again.
        </p>
        <Link className="button" to="/sign-in">
          Go to sign in
        </Link>
      </div>
    );
  }

  const { provider, display_name, email, expires_at } = pending.data;
  const who = [display_name, email && `(${email})`].filter(Boolean).join(' ');
  return (
    <div className="card">
      <p className="lead">
        Link your ORCID iD to finish setting up your account. This is required for all accounts.
      </p>
      <p>
        You signed in with <strong>{PROVIDER_NAMES[provider]}</strong>
        {who ? (
          <>
            {' '}
            as <strong>{who}</strong>
          </>
        ) : null}
        . Sign in with ORCID before {formatDateTime(expires_at)} to finish; afterwards you can sign in with either.
      </p>
      <a className="button provider provider--orcid" href={authStartUrl('orcid', { returnTo: '/settings' })}>
        <span className="provider__mark" aria-hidden="true">
          iD
        </span>
        Sign in with ORCID
      </a>
    </div>
  );
}
