import { useProviders } from '../features/auth/api/get-providers';
import { FlowErrorNotice } from '../features/auth/components/FlowErrorNotice';
import { LinkOrcid } from '../features/auth/components/LinkOrcid';
import { SandboxNotice } from '../features/auth/components/SandboxNotice';
import { LINK_ORCID_ERROR_MESSAGES } from '../lib/auth-urls';

/**
 * The first-login step after Google or GitHub. Nobody is signed in yet, and that is no error: this
 * page never says a session ended. Cancelling at ORCID brings the person back here
 * (`?error=access_denied`), with the sign-up still waiting.
 */
export function LinkOrcidPage() {
  const providers = useProviders();
  return (
    <>
      <title>Link your ORCID iD · Profiles</title>
      <h1>Link your ORCID iD</h1>
      {providers.data?.orcid_sandbox && <SandboxNotice orcidUrl={providers.data.orcid_url} />}
      <FlowErrorNotice messages={LINK_ORCID_ERROR_MESSAGES} />
      <LinkOrcid />
    </>
  );
}
