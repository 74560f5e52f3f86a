import { Link } from 'react-router-dom';
import { FlowErrorNotice } from '../../features/auth/components/FlowErrorNotice';
import { CheckOrcidRecord } from '../../features/claims/components/CheckOrcidRecord';
import { YourClaims } from '../../features/claims/components/YourClaims';
import { GrantedNotice } from '../../features/permissions/components/GrantedNotice';
import { useSettingsAccount } from '../layouts/settings-context';
import { CLAIMS_PATHS } from './claims-paths';

/**
 * Every claim, by state and source, with its reason and what helps: Try again (or Dismiss, for a
 * failed addition), Enable Search & Link or Auto-Update (a grant at ORCID that comes back here, hence
 * the notice of a refused grant), Remove from ORCID record, or Add again (removed, here or on
 * orcid.org, or dismissed). "Check my ORCID record" above the list: its rows follow what it found.
 */
export function ClaimsListPage() {
  const account = useSettingsAccount();
  return (
    <section className="card" aria-labelledby="claims-list-heading">
      <title>All claims · ORCID claims · Profiles</title>
      <p className="back-link">
        <Link to={CLAIMS_PATHS.overview}>Back to ORCID claims</Link>
      </p>
      <h2 id="claims-list-heading">All claims</h2>
      <p className="muted">
        Every DOI that DataCite has added, or is adding, to your ORCID record, by Search &amp; Link or Auto-Update.
      </p>
      <FlowErrorNotice />
      <GrantedNotice />
      <CheckOrcidRecord checkedAt={account.orcid_checked_at} returnTo={CLAIMS_PATHS.list} />
      <YourClaims returnTo={CLAIMS_PATHS.list} />
    </section>
  );
}
