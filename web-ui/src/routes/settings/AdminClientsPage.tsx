import { Link } from 'react-router-dom';
import { isStaffAdmin } from '../../lib/roles';
import { ADMIN_PATHS } from '../../features/admin/admin-paths';
import { ClientApplications } from '../../features/admin/components/ClientApplications';
import { useSettingsAccount } from '../layouts/settings-context';

/**
 * `/settings/admin/clients`, "Client applications", for staff admins (the API allows no one else,
 * and asks for a recent sign-in): the services that sign people in with Profiles, registering
 * another (its secret shown once) and removing one.
 */
export function AdminClientsPage() {
  const me = useSettingsAccount();
  const allowed = isStaffAdmin(me.role);
  return (
    <>
      <section className="card" aria-labelledby="admin-clients-heading">
        <title>Client applications · Admin · Profiles</title>
        <p className="back-link">
          <Link to={ADMIN_PATHS.home}>Back to Admin</Link>
        </p>
        <h2 id="admin-clients-heading">Client applications</h2>
        {allowed ? (
          <p className="muted">
            Services that sign people in with Profiles (OpenID Connect). Seeing and changing them needs a sign-in from
            the last few minutes.
          </p>
        ) : (
          <p>Client applications are for DataCite staff admins.</p>
        )}
      </section>
      {allowed && <ClientApplications heading="Registered applications" />}
    </>
  );
}
