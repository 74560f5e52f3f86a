/**
 * What the sign-in page is told, through the router's location state, after the account was
 * deleted: which grants the providers did not confirm revoking (our copies are gone either way).
 */
export interface AccountDeletedState {
  accountDeleted: { unconfirmed: string[] };
}

/** Names for the keys of `revoked_at_providers`. */
const GRANT_NAMES: Record<string, string> = {
  orcid: 'ORCID (sign-in)',
  google: 'Google',
  github: 'GitHub',
  'orcid:search_and_link': 'ORCID Search & Link',
  'orcid:auto_update': 'ORCID Auto-Update',
};

export function grantName(key: string): string {
  return GRANT_NAMES[key] ?? key;
}

export function accountDeletedState(revokedAtProviders: Record<string, boolean>): AccountDeletedState {
  return {
    accountDeleted: {
      unconfirmed: Object.entries(revokedAtProviders)
        .filter(([, confirmed]) => !confirmed)
        .map(([key]) => grantName(key)),
    },
  };
}

/** The state, checked at run time: location state is whatever was pushed. */
export function readAccountDeleted(state: unknown): AccountDeletedState['accountDeleted'] | null {
  if (typeof state !== 'object' || state === null || !('accountDeleted' in state)) return null;
  const { accountDeleted } = state;
  if (typeof accountDeleted !== 'object' || accountDeleted === null) return null;
  const { unconfirmed } = accountDeleted as { unconfirmed?: unknown };
  return {
    unconfirmed: Array.isArray(unconfirmed) ? unconfirmed.filter((u): u is string => typeof u === 'string') : [],
  };
}
