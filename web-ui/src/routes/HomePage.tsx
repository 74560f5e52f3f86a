import { Link, Navigate } from 'react-router-dom';
import { Loading } from '../components/Loading';
import { useAccount } from '../features/account/api/get-account';
import { ServiceStatus } from '../features/status/components/ServiceStatus';

/** Signed in: straight to the settings. Signed out: a short landing with "Sign in". */
export function HomePage() {
  const account = useAccount();
  if (account.isSuccess) return <Navigate to="/settings" replace />;
  if (account.isPending) return <Loading>Loading…</Loading>;
  return (
    <>
      <title>Profiles</title>
      <h1>Your researcher account</h1>
      <p className="lead">
        Sign in with your ORCID iD to link your Google and GitHub accounts, let DataCite keep your ORCID record up to
        date, and manage where you are signed in.
      </p>
      <Link to="/sign-in" className="button">
        Sign in
      </Link>
      <ServiceStatus />
    </>
  );
}
