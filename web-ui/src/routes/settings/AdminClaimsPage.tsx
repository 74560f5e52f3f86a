import { Link } from 'react-router-dom';
import { isStaff, isStaffAdmin } from '../../lib/roles';
import { ADMIN_PATHS } from '../../features/admin/admin-paths';
import { AdminClaims } from '../../features/admin/components/AdminClaims';
import { useSettingsAccount } from '../layouts/settings-context';

/** `/settings/admin/claims`: everyone's claims for staff, by DOI, ORCID iD, state, source and error. */
export function AdminClaimsPage() {
  const me = useSettingsAccount();
  const staff = isStaff(me.role);
  return (
    <>
      <section className="card" aria-labelledby="admin-claims-heading">
        <title>Claims · Admin · Profiles</title>
        <p className="back-link">
          <Link to={ADMIN_PATHS.home}>Back to Admin</Link>
        </p>
        <h2 id="admin-claims-heading">All claims</h2>
        {staff ? (
          <p className="muted">Every person’s claims, newest first, with the error that stopped each failed one.</p>
        ) : (
          <p>Searching everyone’s claims is for DataCite staff.</p>
        )}
      </section>
      {staff && <AdminClaims heading="Claims" canManage={isStaffAdmin(me.role)} />}
    </>
  );
}
