/** The administration pages: account search, one account, and the claims search. */
export const ADMIN_PATHS = {
  home: '/settings/admin',
  claims: '/settings/admin/claims',
  account: (orcid: string) => `/settings/admin/accounts/${encodeURIComponent(orcid)}`,
} as const;
