import { useOutletContext } from 'react-router-dom';
import type { Account } from '../../features/account/api/get-account';

/** The signed-in account, loaded once by SettingsLayout for every settings page. */
export function useSettingsAccount(): Account {
  return useOutletContext<Account>();
}
