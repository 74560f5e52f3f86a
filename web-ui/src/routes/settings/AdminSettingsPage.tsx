import { isStaff } from '../../features/account/roles';
import { useSettingsAccount } from '../layouts/settings-context';

export function AdminSettingsPage() {
  const account = useSettingsAccount();
  return (
    <section className="card" aria-labelledby="admin-heading">
      <title>Admin · Profiles</title>
      <h2 id="admin-heading">Admin</h2>
      {isStaff(account.role) ? (
        <p>
          Managing users and claims arrives here with the admin API. <span className="pill pill--neutral">Coming</span>
        </p>
      ) : (
        <p>This section is for DataCite staff.</p>
      )}
    </section>
  );
}
