import { YourData } from '../../features/your-data/components/YourData';
import { useSettingsAccount } from '../layouts/settings-context';

/** Your account → Your data: download everything held about you, or delete the account. */
export function YourDataSettingsPage() {
  const account = useSettingsAccount();
  return (
    <>
      <title>Your data · Your account · Profiles</title>
      <YourData orcid={account.orcid} />
    </>
  );
}
