import { Link } from 'react-router-dom';
import { hasAdminArea, isStaff, isStaffAdmin } from '../../lib/roles';
import { ADMIN_PATHS } from '../../features/admin/admin-paths';
import { AccountSearch } from '../../features/admin/components/AccountSearch';
import { AuditList } from '../../features/admin/components/AuditList';
import { useSettingsAccount } from '../layouts/settings-context';

/**
 * Administration: find an account, and for staff the claims search, the ORCID inbox and the latest
 * changes; for staff admins the client applications too.
 */
export function AdminSettingsPage() {
  const account = useSettingsAccount();
  const allowed = hasAdminArea(account.role);
  const staff = isStaff(account.role);
  return (
    <>
      <section className="card" aria-labelledby="admin-heading">
        <title>Admin · Profiles</title>
        <h2 id="admin-heading">Admin</h2>
        {allowed ? (
          <>
            <p>
              Find a person’s account to see their sign-in identities, ORCID permissions and claims
              {staff ? ', why claims failed, and retry them' : ''}.
              {staff ? '' : ' You see the accounts that carry your provider or client id.'}
            </p>
            {staff && (
              <>
                <p>
                  <Link to={ADMIN_PATHS.claims}>Search all claims</Link> by DOI, ORCID iD, state, source or error.
                </p>
                <p>
                  <Link to={ADMIN_PATHS.notifications}>ORCID inbox</Link>: the permission requests sent to people a
                  DOI names, what ORCID answered and who granted Auto-Update.
                </p>
                {isStaffAdmin(account.role) && (
                  <p>
                    <Link to={ADMIN_PATHS.clients}>Client applications</Link>: the services that sign people in with
                    Profiles; register one or remove it.
                  </p>
                )}
              </>
            )}
          </>
        ) : (
          <p>This section is for DataCite staff and for provider and client administrators.</p>
        )}
      </section>
      {allowed && <AccountSearch />}
      {staff && <AuditList heading="Recent changes" limit={10} />}
    </>
  );
}
