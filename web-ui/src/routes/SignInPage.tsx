import { useLocation, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/Loading';
import { useProviders } from '../features/auth/api/get-providers';
import { FlowErrorNotice } from '../features/auth/components/FlowErrorNotice';
import { ProviderButtons } from '../features/auth/components/ProviderButtons';
import { SandboxNotice } from '../features/auth/components/SandboxNotice';
import { safeReturnTo, SIGN_IN_ERROR_MESSAGES } from '../lib/auth-urls';
import { readAccountDeleted } from '../lib/sign-in-notice';

export function SignInPage() {
  const providers = useProviders();
  const [searchParams] = useSearchParams();
  const returnTo = safeReturnTo(searchParams.get('return_to'));
  const accountDeleted = readAccountDeleted(useLocation().state);

  let content;
  if (providers.isPending) {
    content = <Loading>Loading sign-in options…</Loading>;
  } else if (providers.isError) {
    content = (
      <ErrorAlert
        error={providers.error}
        context="Could not load the sign-in options."
        onRetry={() => void providers.refetch()}
        retrying={providers.isFetching}
      />
    );
  } else if (providers.data.providers.length === 0) {
    content = <p>No way to sign in is set up on this service yet. Please contact its operators.</p>;
  } else {
    content = (
      <>
        {providers.data.orcid_sandbox && <SandboxNotice orcidUrl={providers.data.orcid_url} />}
        <ProviderButtons providers={providers.data.providers} returnTo={returnTo} />
      </>
    );
  }

  return (
    <>
      <title>Sign in · Profiles</title>
      <h1>Sign in</h1>
      {accountDeleted && (
        <div role="status" className="notice notice--info account-deleted">
          <p>
            <strong>Your account has been deleted and you are signed out.</strong> Only anonymous counts remain.
          </p>
          {accountDeleted.unconfirmed.length > 0 && (
            <p>
              These services did not confirm that DataCite’s access was revoked:{' '}
              {`${accountDeleted.unconfirmed.join(', ')}.`} You can remove it in your settings there.
            </p>
          )}
        </div>
      )}
      <div className="card card--narrow">
        <p>
          We use your ORCID information to set up your account and to help you add works to your ORCID record. If you
          sign in with Google or GitHub for the first time, you will be asked to link your ORCID iD.
        </p>
        <FlowErrorNotice messages={SIGN_IN_ERROR_MESSAGES} />
        {content}
      </div>
    </>
  );
}
