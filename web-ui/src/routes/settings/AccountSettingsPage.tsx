import { Navigate, useLocation } from 'react-router-dom';
import { YourAccount } from '../../features/account/components/YourAccount';
import { useSettingsAccount } from '../layouts/settings-context';
import { movedAnchor } from './settings-paths';

/**
 * Your account: the profile. Sessions, API tokens and your data have pages of their own under it
 * in the settings menu; a link to their old place on this page (`/settings#api-tokens-heading`)
 * goes on to the page.
 */
export function AccountSettingsPage() {
  const account = useSettingsAccount();
  const { hash, search } = useLocation();
  const moved = movedAnchor(hash);
  if (moved) return <Navigate replace to={`${moved}${search}`} />;
  return (
    <>
      <title>Your account · Profiles</title>
      <YourAccount account={account} />
    </>
  );
}
