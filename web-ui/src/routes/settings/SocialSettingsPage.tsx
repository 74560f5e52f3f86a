import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { useProviders } from '../../features/auth/api/get-providers';
import { FlowErrorNotice } from '../../features/auth/components/FlowErrorNotice';
import { ConnectedNotice } from '../../features/identities/components/ConnectedNotice';
import { SocialLogin } from '../../features/identities/components/SocialLogin';

export function SocialSettingsPage() {
  const providers = useProviders();
  return (
    <section className="card" aria-labelledby="social-heading">
      <title>Social login · Profiles</title>
      <h2 id="social-heading">Social login</h2>
      <p className="muted">
        The accounts you can sign in with. Your ORCID iD is the anchor of your Profiles account; Google and GitHub
        are optional extra ways in.
      </p>
      <FlowErrorNotice />
      <ConnectedNotice />
      {providers.isPending ? (
        <Loading>Loading sign-in providers…</Loading>
      ) : providers.isError ? (
        <ErrorAlert
          error={providers.error}
          context="Could not load the sign-in providers."
          onRetry={() => void providers.refetch()}
          retrying={providers.isFetching}
        />
      ) : (
        <SocialLogin providers={providers.data.providers} />
      )}
    </section>
  );
}
