import { AppsWithAccess } from '../../features/apps/components/AppsWithAccess';

/** Your account → Apps with access: the services you signed in to with Profiles, and revoking them. */
export function AppsSettingsPage() {
  return (
    <>
      <title>Apps with access · Your account · Profiles</title>
      <AppsWithAccess />
    </>
  );
}
