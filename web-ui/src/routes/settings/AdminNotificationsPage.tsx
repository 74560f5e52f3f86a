import { Link } from 'react-router-dom';
import { isStaff } from '../../lib/roles';
import { ADMIN_PATHS } from '../../features/admin/admin-paths';
import { NotificationFigures } from '../../features/admin/components/NotificationFigures';
import { NotificationHistory } from '../../features/admin/components/NotificationHistory';
import { useSettingsAccount } from '../layouts/settings-context';

/**
 * `/settings/admin/notifications`, "ORCID inbox", for staff: the figures of the permission
 * requests Profiles sends to the ORCID inboxes of people a DOI names who have not enabled
 * Auto-Update, and their history, by ORCID iD and status.
 */
export function AdminNotificationsPage() {
  const me = useSettingsAccount();
  const staff = isStaff(me.role);
  return (
    <>
      <section className="card" aria-labelledby="admin-notifications-heading">
        <title>ORCID inbox · Admin · Profiles</title>
        <p className="back-link">
          <Link to={ADMIN_PATHS.home}>Back to Admin</Link>
        </p>
        <h2 id="admin-notifications-heading">ORCID inbox</h2>
        {staff ? (
          <p className="muted">
            When a DOI names someone who has not enabled Auto-Update, Profiles may ask them in their ORCID inbox, at
            most once a month. Here is how often it asked, what ORCID answered, and who granted Auto-Update.
          </p>
        ) : (
          <p>The ORCID inbox notifications are for DataCite staff.</p>
        )}
      </section>
      {staff && (
        <>
          <NotificationFigures />
          <NotificationHistory heading="Notifications" />
        </>
      )}
    </>
  );
}
