import { ApiTokens } from '../../features/api-tokens/components/ApiTokens';
import { useSettingsAccount } from '../layouts/settings-context';

/** Your account → API tokens: your tokens, revoking them, and a new one (its secret shown once). */
export function ApiTokensSettingsPage() {
  const account = useSettingsAccount();
  return (
    <>
      <title>API tokens · Your account · Profiles</title>
      <ApiTokens role={account.role} />
    </>
  );
}
