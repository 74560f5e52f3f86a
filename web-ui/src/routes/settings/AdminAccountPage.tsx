import { Link, useLocation, useParams } from 'react-router-dom';
import { hasAdminArea } from '../../lib/roles';
import { ADMIN_PATHS } from '../../features/admin/admin-paths';
import { AdminAccount } from '../../features/admin/components/AdminAccount';
import { useSettingsAccount } from '../layouts/settings-context';

/** The search the account was opened from (`?q=…&role=…`), to go back to it. */
function backSearch(state: unknown): string {
  if (typeof state !== 'object' || state === null || !('adminSearch' in state)) return '';
  const { adminSearch } = state;
  return typeof adminSearch === 'string' && adminSearch.startsWith('?') ? adminSearch : '';
}

/** `/settings/admin/accounts/:orcid`: one account, for administrators. */
export function AdminAccountPage() {
  const me = useSettingsAccount();
  const { orcid = '' } = useParams();
  const location = useLocation();

  if (!hasAdminArea(me.role)) {
    return (
      <section className="card" aria-labelledby="admin-heading">
        <title>Admin · Profiles</title>
        <h2 id="admin-heading">Admin</h2>
        <p>This section is for DataCite staff and for provider and client administrators.</p>
      </section>
    );
  }

  const backLink = (
    <p className="back-link">
      <Link to={`${ADMIN_PATHS.home}${backSearch(location.state)}`}>Back to account search</Link>
    </p>
  );
  // Keyed by the iD: a link to another account (from the audit list) starts afresh.
  return <AdminAccount key={orcid} orcid={orcid} me={me} backLink={backLink} />;
}
