import { YourAccount } from '../../features/account/components/YourAccount';
import { ApiTokens } from '../../features/api-tokens/components/ApiTokens';
import { ActiveSessions } from '../../features/sessions/components/ActiveSessions';
import { YourData } from '../../features/your-data/components/YourData';
import { useSettingsAccount } from '../layouts/settings-context';

export function AccountSettingsPage() {
  const account = useSettingsAccount();
  return (
    <>
      <title>Your account · Profiles</title>
      <YourAccount account={account} />
      <ActiveSessions />
      <ApiTokens role={account.role} />
      <YourData orcid={account.orcid} />
    </>
  );
}
