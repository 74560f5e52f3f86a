import { Link } from 'react-router-dom';
import { FlowErrorNotice } from '../../features/auth/components/FlowErrorNotice';
import { AutoUpdateWorks } from '../../features/claims/components/AutoUpdateWorks';
import { CheckOrcidRecord } from '../../features/claims/components/CheckOrcidRecord';
import { ClaimSummary } from '../../features/claims/components/ClaimSummary';
import { GrantedNotice } from '../../features/permissions/components/GrantedNotice';
import { OrcidPermissions } from '../../features/permissions/components/OrcidPermissions';
import { useSettingsAccount } from '../layouts/settings-context';
import { CLAIMS_PATHS } from './claims-paths';
import { ReviewQueueLink } from './ReviewQueueLink';

/**
 * ORCID claims: the Search & Link and Auto-Update boxes (enable or disable, or why one is not
 * working), Search & Link opening the search page, "Check my ORCID record" with when it was last
 * read, and the counts with "More info" opening the full list of claims. Where "Grant permission"
 * in an ORCID inbox request lands (`?granted=auto_update&via=inbox`): a welcome, with the works
 * Auto-Update is adding under it.
 */
export function ClaimsSettingsPage() {
  const account = useSettingsAccount();
  return (
    <section className="card" aria-labelledby="claims-heading">
      <title>ORCID claims · Profiles</title>
      <h2 id="claims-heading">ORCID claims</h2>
      <p className="muted">
        Choose how DataCite may add your works to your ORCID record. Each permission is granted on ORCID and can be
        disabled here at any time.
      </p>
      <FlowErrorNotice />
      <GrantedNotice
        inboxWelcome={{
          settingsLink: <Link to={CLAIMS_PATHS.autoUpdate}>Auto-Update settings</Link>,
          works: <AutoUpdateWorks allClaims={<Link to={CLAIMS_PATHS.list}>All claims</Link>} />,
        }}
      />
      <OrcidPermissions
        extras={{
          search_and_link: (
            <p className="permission__more">
              <Link to={CLAIMS_PATHS.search} aria-describedby="search-and-link-more">
                Find works
              </Link>
              <span id="search-and-link-more" className="muted">
                {' '}
                in DataCite and add them to your ORCID record.
              </span>
            </p>
          ),
          auto_update: (
            <>
              <p className="permission__more">
                <Link to={CLAIMS_PATHS.autoUpdate} aria-describedby="auto-update-more">
                  Auto-Update settings
                </Link>
                <span id="auto-update-more" className="muted">
                  {' '}
                  — add new DOIs at once or ask you first, find all your DOIs now, and what to leave out.
                </span>
              </p>
              <ReviewQueueLink />
            </>
          ),
        }}
      />
      <CheckOrcidRecord checkedAt={account.orcid_checked_at} returnTo={CLAIMS_PATHS.overview} />
      <ClaimSummary
        moreInfo={
          <p className="claim-summary__more">
            <Link to={CLAIMS_PATHS.list} aria-describedby="claim-stats-more">
              More info
            </Link>
            <span id="claim-stats-more" className="muted">
              {' '}
              — every claim with its state, date and any error, to try again or remove.
            </span>
          </p>
        }
      />
    </section>
  );
}
