import { useProviders } from '../features/auth/api/get-providers';
import { LinkOrcid } from '../features/auth/components/LinkOrcid';
import { SandboxNotice } from '../features/auth/components/SandboxNotice';

export function LinkOrcidPage() {
  const providers = useProviders();
  return (
    <>
      <title>Link your ORCID iD · Profiles</title>
      <h1>Link your ORCID iD</h1>
      {providers.data?.orcid_sandbox && <SandboxNotice orcidUrl={providers.data.orcid_url} />}
      <LinkOrcid />
    </>
  );
}
