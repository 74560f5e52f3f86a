import { useProviders } from '../../features/auth/api/get-providers';
import { FlowErrorNotice } from '../../features/auth/components/FlowErrorNotice';
import { ClaimSummary } from '../../features/claims/components/ClaimSummary';
import { YourClaims } from '../../features/claims/components/YourClaims';
import { YourDois } from '../../features/claims/components/YourDois';
import { OrcidPermissions } from '../../features/permissions/components/OrcidPermissions';
import { dataciteSearchUrl } from '../../lib/datacite';
import { useSettingsAccount } from '../layouts/settings-context';

export function ClaimsSettingsPage() {
  const account = useSettingsAccount();
  const providers = useProviders();
  return (
    <section className="card" aria-labelledby="claims-heading">
      <title>ORCID claims · Profiles</title>
      <h2 id="claims-heading">ORCID claims</h2>
      <p className="muted">
        Choose how DataCite may add your works to your ORCID record. Each permission is granted on ORCID and can be
        disabled here at any time.
      </p>
      <FlowErrorNotice />
      <OrcidPermissions />
      <ClaimSummary />
      <YourDois searchUrl={providers.data && dataciteSearchUrl(providers.data.datacite_search_url, account.orcid)} />
      <YourClaims />
    </section>
  );
}
