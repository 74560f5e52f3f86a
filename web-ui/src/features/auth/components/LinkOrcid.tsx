import { Link } from 'react-router-dom';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { FlowButton } from '../../../components/FlowButton';
import { Loading } from '../../../components/Loading';
import { finishSignupForm, PROVIDER_NAMES } from '../../../lib/auth-urls';
import { formatDateTime } from '../../../lib/format';
import { usePendingSignup } from '../api/get-pending-signup';

/** Where the browser lands once the sign-up is finished. */
const RETURN_TO = '/settings';

/**
 * The first-login step after Google or GitHub: every account is anchored on an ORCID iD. Signing in
 * with ORCID never finishes a sign-up by itself: the page names the waiting identity and asks, and
 * only the confirmation (a form post naming the sign-up's `id`) links it.
 */
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

  const { id, provider, display_name, email, expires_at } = pending.data;
  const name = PROVIDER_NAMES[provider];
  return (
    <section className="card" aria-labelledby="link-orcid-question">
      <p className="lead">
        Link your ORCID iD to finish setting up your account. This is required for all accounts.
      </p>
      <h2 id="link-orcid-question">Connect {signupIdentity(name, display_name, email)} to your ORCID iD?</h2>
      <p>
        Sign in with ORCID to confirm. Afterwards you can sign in with either ORCID or {name}. Confirm before{' '}
        {formatDateTime(expires_at)}; after that this sign-up is forgotten.
      </p>
      <FlowButton form={finishSignupForm(id, RETURN_TO)} className="button provider provider--orcid">
        <span className="provider__mark" aria-hidden="true">
          iD
        </span>
        Yes, sign in with ORCID
      </FlowButton>
      <p className="link-orcid__way-out">
        <Link to="/sign-in">This isn’t my account – start over</Link>
      </p>
    </section>
  );
}

/** “the GitHub account “The Octocat” (octocat@example.test)”, with whatever the provider told us. */
function signupIdentity(provider: string, displayName: string | null | undefined, email: string | null | undefined) {
  if (displayName) return `the ${provider} account “${displayName}”${email ? ` (${email})` : ''}`;
  if (email) return `the ${provider} account ${email}`;
  return `the ${provider} account you signed in with`;
}
