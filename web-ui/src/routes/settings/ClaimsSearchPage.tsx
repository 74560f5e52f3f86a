import { Link } from 'react-router-dom';
import { useProviders } from '../../features/auth/api/get-providers';
import { FlowErrorNotice } from '../../features/auth/components/FlowErrorNotice';
import { YourDois } from '../../features/claims/components/YourDois';
import { GrantedNotice } from '../../features/permissions/components/GrantedNotice';
import { PermissionStatusNotice } from '../../features/permissions/components/PermissionNotice';
import { dataciteSearchUrl } from '../../lib/datacite';
import { useSettingsAccount } from '../layouts/settings-context';
import { CLAIMS_PATHS } from './claims-paths';

/**
 * Search & Link: DOIs in DataCite (yours, or a search) with "Add to ORCID record" or the claim's live
 * state, its reason and what helps ("Try again" or "Dismiss", "Add again" once dismissed, "Enable …",
 * which comes back here).
 */
export function ClaimsSearchPage() {
  const account = useSettingsAccount();
  const providers = useProviders();
  return (
    <section className="card" aria-labelledby="claims-search-heading">
      <title>Search & Link · ORCID claims · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.overview}>Back to ORCID claims</Link>
      </p>
      <h2 id="claims-search-heading">Search &amp; Link</h2>
      <FlowErrorNotice />
      <GrantedNotice />
      <PermissionStatusNotice kind="search_and_link" returnTo={CLAIMS_PATHS.search} />
      <YourDois
        searchUrl={providers.data && dataciteSearchUrl(providers.data.datacite_search_url, account.orcid)}
        returnTo={CLAIMS_PATHS.search}
      />
    </section>
  );
}
