import { PROVIDER_NAMES, PROVIDER_ORDER, type Provider } from '../../lib/auth-urls';
import type { Account } from './api/get-account';

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The linked service the account's email came from, when it is that service's (verified) email:
 * the server fills an empty email from Google or GitHub. Null when no linked identity has it (the
 * person typed it, or the service's address changed since).
 */
export function emailSource(account: Pick<Account, 'email' | 'identities'>): Provider | null {
  const { email } = account;
  if (!email) return null;
  return (
    PROVIDER_ORDER.find((provider) =>
      account.identities.some((i) => i.provider === provider && i.email != null && same(i.email, email)),
    ) ?? null
  );
}

/** "from your Google account", "from your ORCID record". */
export function emailSourceWords(provider: Provider): string {
  return provider === 'orcid' ? 'from your ORCID record' : `from your ${PROVIDER_NAMES[provider]} account`;
}
