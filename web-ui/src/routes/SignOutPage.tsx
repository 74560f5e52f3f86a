import { Link, useSearchParams } from 'react-router-dom';
import { isSessionEnded } from '../api/errors';
import { ErrorAlert } from '../components/ErrorAlert';
import { FlowButton } from '../components/FlowButton';
import { Loading } from '../components/Loading';
import { useAccount } from '../features/account/api/get-account';
import { signOutForm } from '../lib/auth-urls';
import { displayName } from '../lib/roles';

/**
 * `/sign-out`: where a link from another site to `GET /sign_out` leads (`?back=` where to go
 * afterwards). Such a link is not enough to sign anyone out, so the page asks: "Sign out" posts the
 * form to `/sign_out` from our own page, "Stay signed in" goes back to the settings. Nobody
 * signed in: it says so, with a link home.
 */
export function SignOutPage() {
  const account = useAccount();
  const [searchParams] = useSearchParams();
  const back = searchParams.get('back');

  if (account.isPending) {
    return (
      <>
        <title>Sign out · Profiles</title>
        <h1>Sign out of Profiles?</h1>
        <Loading>Loading your account…</Loading>
      </>
    );
  }

  if (account.isError && isSessionEnded(account.error)) {
    return (
      <>
        <title>Not signed in · Profiles</title>
        <h1>You are not signed in</h1>
        <div className="card card--narrow">
          <p>Nobody is signed in to Profiles in this browser, so there is nothing to sign out of.</p>
          <Link className="button" to="/">
            Go to the home page
          </Link>
        </div>
      </>
    );
  }

  return (
    <>
      <title>Sign out · Profiles</title>
      <h1>Sign out of Profiles?</h1>
      <div className="card card--narrow">
        <p>
          A link on another site sent you here to sign out of Profiles. You stay signed in unless you choose to sign
          out.
        </p>
        {account.isSuccess ? (
          <SignedInAs name={displayName(account.data)} orcid={account.data.orcid} />
        ) : (
          <ErrorAlert
            error={account.error}
            context="Could not load your account."
            onRetry={() => void account.refetch()}
            retrying={account.isFetching}
          />
        )}
        <div className="form__actions">
          <FlowButton form={signOutForm(back)}>Sign out</FlowButton>
          <Link className="button button--secondary" to={account.isSuccess ? '/settings' : '/'}>
            Stay signed in
          </Link>
        </div>
      </div>
    </>
  );
}

/** Whom the person is signed in as: their name and iD, or the iD alone when it is all there is. */
function SignedInAs({ name, orcid }: { name: string; orcid: string }) {
  if (name === orcid) {
    return (
      <p>
        You are signed in with the ORCID iD <strong>{orcid}</strong>.
      </p>
    );
  }
  return (
    <p>
      You are signed in as <strong>{name}</strong> ({orcid}).
    </p>
  );
}
