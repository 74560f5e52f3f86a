import { YourAccount } from '../../features/account/components/YourAccount';
import { ActiveSessions } from '../../features/sessions/components/ActiveSessions';
import { useSettingsAccount } from '../layouts/settings-context';

export function AccountSettingsPage() {
  const account = useSettingsAccount();
  return (
    <>
      <title>Your account · Profiles</title>
      <YourAccount account={account} />
      <ActiveSessions />
    </>
  );
}
